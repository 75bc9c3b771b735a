import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUnknown } from '../../../src/resources/value.js';
import { run } from './run.js';

const range5 = (expr: string) => run(`[map(range(0, 5), lambda('i', ${expr}))]`);

// The examples of Microsoft's CIDR function reference (template-functions-cidr).
test('documented examples: parseCidr', () => {
  assert.deepEqual(run("[parseCidr('10.144.0.0/20')]"), {
    network: '10.144.0.0',
    netmask: '255.255.240.0',
    broadcast: '10.144.15.255',
    firstUsable: '10.144.0.1',
    lastUsable: '10.144.15.254',
    cidr: 20,
  });
  assert.deepEqual(run("[parseCidr('fdad:3236:5555::/48')]"), {
    network: 'fdad:3236:5555::',
    netmask: 'ffff:ffff:ffff::',
    firstUsable: 'fdad:3236:5555::',
    lastUsable: 'fdad:3236:5555:ffff:ffff:ffff:ffff:ffff',
    cidr: 48,
  });
});

test('documented examples: cidrSubnet', () => {
  assert.deepEqual(range5("cidrSubnet('10.144.0.0/20', 24, lambdaVariables('i'))"), [
    '10.144.0.0/24',
    '10.144.1.0/24',
    '10.144.2.0/24',
    '10.144.3.0/24',
    '10.144.4.0/24',
  ]);
  assert.deepEqual(range5("cidrSubnet('fdad:3236:5555::/48', 52, lambdaVariables('i'))"), [
    'fdad:3236:5555::/52',
    'fdad:3236:5555:1000::/52',
    'fdad:3236:5555:2000::/52',
    'fdad:3236:5555:3000::/52',
    'fdad:3236:5555:4000::/52',
  ]);
  // The template form of the example: copy loop input with range(0, 5)[copyIndex()].
  assert.equal(run("[cidrSubnet('10.144.0.0/20', 24, range(0, 5)[3])]"), '10.144.3.0/24');
});

test('documented examples: cidrHost (index 0 is the first usable address)', () => {
  assert.deepEqual(range5("cidrHost('10.144.3.0/24', lambdaVariables('i'))"), ['10.144.3.1', '10.144.3.2', '10.144.3.3', '10.144.3.4', '10.144.3.5']);
  assert.deepEqual(range5("cidrHost('fdad:3236:5555:3000::/52', lambdaVariables('i'))"), [
    'fdad:3236:5555:3000::1',
    'fdad:3236:5555:3000::2',
    'fdad:3236:5555:3000::3',
    'fdad:3236:5555:3000::4',
    'fdad:3236:5555:3000::5',
  ]);
  // "when the function is passed a hostIndex of 0, 192.168.1.1 is returned"; 3 is Azure's first
  // assignable address in a subnet.
  assert.equal(run("[cidrHost('192.168.1.0/24', 0)]"), '192.168.1.1');
  assert.equal(run("[cidrHost('192.168.1.0/24', 3)]"), '192.168.1.4');
});

test('parseCidr: host bits, small and large prefixes', () => {
  assert.deepEqual(run("[parseCidr('192.168.1.100/24')]"), {
    network: '192.168.1.0',
    netmask: '255.255.255.0',
    broadcast: '192.168.1.255',
    firstUsable: '192.168.1.1',
    lastUsable: '192.168.1.254',
    cidr: 24,
  });
  // /31 and /32 have no network or broadcast address to keep out (RFC 3021).
  assert.deepEqual(run("[parseCidr('192.168.1.0/31')]"), {
    network: '192.168.1.0',
    netmask: '255.255.255.254',
    broadcast: '192.168.1.1',
    firstUsable: '192.168.1.0',
    lastUsable: '192.168.1.1',
    cidr: 31,
  });
  assert.deepEqual(run("[parseCidr('192.168.1.100/32')]"), {
    network: '192.168.1.100',
    netmask: '255.255.255.255',
    broadcast: '192.168.1.100',
    firstUsable: '192.168.1.100',
    lastUsable: '192.168.1.100',
    cidr: 32,
  });
  assert.deepEqual(run("[parseCidr('0.0.0.0/0')]"), {
    network: '0.0.0.0',
    netmask: '0.0.0.0',
    broadcast: '255.255.255.255',
    firstUsable: '0.0.0.1',
    lastUsable: '255.255.255.254',
    cidr: 0,
  });
  assert.equal(run("[parseCidr(cidrSubnet('10.144.0.0/20', 24, 2)).network]"), '10.144.2.0');
});

test('parseCidr: IPv6 forms', () => {
  assert.equal(run("[parseCidr('2001:DB8:0:0:1::/80').network]"), '2001:db8:0:0:1::'); // lower case, longest zero run
  assert.equal(run("[parseCidr('2001:db8::1/128').lastUsable]"), '2001:db8::1');
  assert.equal(run("[parseCidr('2001:0:0:1:0:0:0:1/128').network]"), '2001:0:0:1::1');
  assert.equal(run("[parseCidr('::/0').netmask]"), '::');
  // IPv4-mapped addresses print their last 32 bits dotted, as .NET's IPAddress does.
  assert.deepEqual(run("[parseCidr('::ffff:10.0.0.0/120')]"), {
    network: '::ffff:10.0.0.0',
    netmask: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00',
    firstUsable: '::ffff:10.0.0.0',
    lastUsable: '::ffff:10.0.0.255',
    cidr: 120,
  });
  assert.equal(run("[parseCidr('::1/128').network]"), '::1');
});

test('cidrSubnet: bounds', () => {
  assert.equal(run("[cidrSubnet('10.144.0.0/20', 24, 15)]"), '10.144.15.0/24');
  assert.equal(run("[cidrSubnet('10.144.0.0/20', 20, 0)]"), '10.144.0.0/20');
  assert.equal(run("[cidrSubnet('10.0.0.0/16', 18, 1)]"), '10.0.64.0/18');
  assert.equal(run("[cidrSubnet('10.1.2.0/24', 28, 15)]"), '10.1.2.240/28');
  assert.equal(run("[cidrSubnet('fd00:fd12:3456:7890::/56', 72, 162)]"), 'fd00:fd12:3456:7800:a200::/72');
  assert.equal(run("[cidrSubnet('2001:db8::/32', 48, 0)]"), '2001:db8::/48');
  assert.throws(() => run("[cidrSubnet('10.144.0.0/20', 24, 16)]"), /subnet index 16 is out of range: \/20 holds 16 \/24 subnets/);
  assert.throws(() => run("[cidrSubnet('10.144.0.0/20', 24, -1)]"), /cannot be negative/);
  assert.throws(() => run("[cidrSubnet('10.0.0.0/24', 16, 0)]"), /new CIDR must be from 24 to 32, not 16/);
  assert.throws(() => run("[cidrSubnet('10.0.0.0/24', 33, 0)]"), /new CIDR must be from 24 to 32/);
  assert.throws(() => run("[cidrSubnet('2001:db8::/32', 129, 0)]"), /new CIDR must be from 32 to 128/);
});

test('cidrHost: bounds', () => {
  assert.equal(run("[cidrHost('192.168.1.0/24', 253)]"), '192.168.1.254');
  assert.equal(run("[cidrHost('10.0.0.0/16', 255)]"), '10.0.1.0');
  assert.equal(run("[cidrHost('192.168.1.0/31', 0)]"), '192.168.1.0');
  assert.equal(run("[cidrHost('192.168.1.0/31', 1)]"), '192.168.1.1');
  assert.equal(run("[cidrHost('192.168.1.7/32', 0)]"), '192.168.1.7');
  assert.equal(run("[cidrHost('2001:db8::/64', 0)]"), '2001:db8::1');
  assert.throws(() => run("[cidrHost('192.168.1.0/24', 254)]"), /host index 254 is out of range: 192\.168\.1\.0\/24 has 254 usable host addresses/);
  assert.throws(() => run("[cidrHost('10.0.0.0/30', 2)]"), /out of range/);
  assert.throws(() => run("[cidrHost('192.168.1.0/24', -1)]"), /cannot be negative/);
  assert.throws(() => run("[cidrHost('2001:db8::1/128', 0)]"), /has 0 usable host addresses/);
});

test('invalid ranges are errors', () => {
  assert.throws(() => run("[parseCidr('10.0.0.300/24')]"), /'10\.0\.0\.300\/24' is not a valid CIDR range/);
  assert.throws(() => run("[parseCidr('192.168.1/24')]"), /not a valid CIDR/);
  assert.throws(() => run("[parseCidr('10.0.0.0/33')]"), /not a valid CIDR/);
  assert.throws(() => run("[parseCidr('224.0.0.0')]"), /not a valid CIDR/); // class D: no prefix is guessed
  assert.throws(() => run("[parseCidr('10.0.0.0/')]"), /not a valid CIDR/);
  assert.throws(() => run("[parseCidr('2001:db8::/129')]"), /not a valid CIDR/);
  assert.throws(() => run("[parseCidr('1:2:3:4:5:6:7::8/64')]"), /not a valid CIDR/); // '::' must stand for a zero group
  assert.throws(() => run("[parseCidr('2001:db8:::1/64')]"), /not a valid CIDR/);
  assert.throws(() => run("[cidrHost('192.168.1.0.0/24', 0)]"), /not a valid CIDR/);
  assert.throws(() => run('[parseCidr(10)]'), /the network must be a string/);
  assert.throws(() => run("[cidrHost('10.0.0.0/8', '1')]"), /the host index must be an integer/);
});

test('unknown values make the result unknown', () => {
  assert.ok(isUnknown(run("[parseCidr(parameters('unknown')).network]")));
  assert.ok(isUnknown(run("[cidrSubnet('10.0.0.0/16', 24, parameters('unknown'))]")));
  assert.ok(isUnknown(run("[cidrHost(parameters('unknown'), 0)]")));
});

// Issue 17 item 5: AVM's dev-ops-infrastructure/pool e2e test deploys cidrSubnet('192.168.1.0', 24, 0).
test('an address without a prefix length takes its class prefix (A /8, B /16, C /24; IPv6 /64)', () => {
  assert.equal(run("[cidrSubnet('192.168.1.0', 24, 0)]"), '192.168.1.0/24');
  assert.equal(run("[parseCidr('10.1.2.3').cidr]"), 8);
  assert.equal(run("[parseCidr('10.1.2.3').network]"), '10.0.0.0');
  assert.equal(run("[parseCidr('172.16.5.4').cidr]"), 16);
  assert.equal(run("[cidrHost('192.168.7.0', 0)]"), '192.168.7.1');
  assert.equal(run("[parseCidr('2001:db8::1').cidr]"), 64);
  assert.throws(() => run("[cidrSubnet('192.168.1.0', 16, 0)]"), /new CIDR must be from 24 to 32/);
});
