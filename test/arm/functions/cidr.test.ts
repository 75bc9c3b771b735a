import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from './run.js';

// The examples of Microsoft's CIDR function reference.
test('parseCidr, IPv4 and IPv6', () => {
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
  // A host address inside the range is reduced to the network.
  assert.equal(run("[parseCidr('10.144.3.7/24').network]"), '10.144.3.0');
});

test('cidrSubnet and cidrHost', () => {
  assert.deepEqual(run("[map(range(0, 3), lambda('i', cidrSubnet('10.144.0.0/20', 24, lambdaVariables('i'))))]"), ['10.144.0.0/24', '10.144.1.0/24', '10.144.2.0/24']);
  assert.deepEqual(run("[map(range(0, 3), lambda('i', cidrHost('10.144.3.0/24', lambdaVariables('i'))))]"), ['10.144.3.1', '10.144.3.2', '10.144.3.3']);
  assert.equal(run("[cidrSubnet('fdad:3236:5555::/48', 52, 1)]"), 'fdad:3236:5555:1000::/52');
  assert.throws(() => run("[cidrSubnet('10.0.0.0/24', 16, 0)]"), /new CIDR must be from 24 to 32/);
  assert.throws(() => run("[cidrSubnet('10.0.0.0/24', 25, 2)]"), /out of range/);
  assert.throws(() => run("[cidrHost('10.0.0.0/30', 2)]"), /out of range/);
});

test('invalid ranges are errors', () => {
  assert.throws(() => run("[parseCidr('10.0.0.300/24')]"), /not a valid CIDR/);
  assert.throws(() => run("[parseCidr('10.0.0.0/33')]"), /not a valid CIDR/);
  assert.throws(() => run("[parseCidr('10.0.0.0')]"), /not a valid CIDR/);
});
