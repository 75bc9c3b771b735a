import type { FunctionDef } from '../expression/context.js';
import { FunctionError } from '../expression/evaluator.js';
import { expectInt, expectString, fn } from './define.js';

interface Network {
  v6: boolean;
  /** The network address as an integer (BigInt: IPv6 needs 128 bits). */
  network: bigint;
  prefix: number;
  bits: 32 | 128;
}

function parseV4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
}

function parseV6(text: string): bigint | undefined {
  // A trailing dotted IPv4 address ('::ffff:10.0.0.1') stands for the last two groups.
  const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const low = parseV4(v4[2]!);
    if (low === undefined) return undefined;
    text = `${v4[1]}${(low >> 16n).toString(16)}:${(low & 0xffffn).toString(16)}`;
  }
  if (!/^[0-9a-fA-F:]+$/.test(text) || (text.match(/::/g) ?? []).length > 1) return undefined;
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const groups = (s: string | undefined) => (s ? s.split(':') : []);
  const h = groups(head);
  const t = groups(tail);
  const missing = 8 - h.length - t.length;
  if ((tail === undefined && missing !== 0) || (tail !== undefined && missing < 1)) return undefined;
  const all = [...h, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...t];
  if (!all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/**
 * The prefix length of an address written without one, by its class, as ARM guesses it: the
 * output of parseCidr (network, netmask, broadcast, firstUsable, lastUsable, cidr) is the
 * IPNetwork library's, whose parser guesses classfully, and AVM's deployed e2e tests rely on it
 * (`cidrSubnet('192.168.1.0', 24, 0)`, dev-ops-infrastructure/pool). Classes D and E (multicast,
 * reserved) are not guessed: undefined.
 */
function classfulPrefix(address: bigint, v6: boolean): number | undefined {
  if (v6) return 64;
  const first = Number(address >> 24n);
  return first < 128 ? 8 : first < 192 ? 16 : first < 224 ? 24 : undefined;
}

function parseNetwork(cidr: string): Network {
  const m = /^([^/]+?)(?:\/(\d{1,3}))?$/.exec(cidr.trim());
  const v4 = m ? parseV4(m[1]!) : undefined;
  const v6 = m && v4 === undefined ? parseV6(m[1]!) : undefined;
  const bits = v4 !== undefined ? 32 : 128;
  const address = v4 ?? v6;
  const prefix = !m || address === undefined ? -1 : m[2] !== undefined ? Number(m[2]) : (classfulPrefix(address, v4 === undefined) ?? -1);
  if (!m || address === undefined || prefix < 0 || prefix > bits) throw new FunctionError(`'${cidr}' is not a valid CIDR range`);
  return { v6: v4 === undefined, network: address & mask(prefix, bits), prefix, bits };
}

function mask(prefix: number, bits: number): bigint {
  const all = (1n << BigInt(bits)) - 1n;
  return prefix === 0 ? 0n : (all << BigInt(bits - prefix)) & all;
}

/**
 * An address as .NET's IPAddress.ToString prints it: IPv6 in RFC 5952 form (lower case, the
 * longest run of two or more zero groups as '::'), with the last 32 bits dotted for IPv4-mapped
 * and -compatible addresses ('::ffff:10.0.0.0').
 */
function format(address: bigint, v6: boolean): string {
  const dotted = (a: bigint) => [24n, 16n, 8n, 0n].map((s) => String((a >> s) & 255n)).join('.');
  if (!v6) return dotted(address);
  const words = Array.from({ length: 8 }, (_, i) => Number((address >> BigInt(112 - 16 * i)) & 0xffffn));
  const embedV4 =
    words.slice(0, 4).every((w) => w === 0) &&
    words[6] !== 0 &&
    ((words[4] === 0 && (words[5] === 0 || words[5] === 0xffff)) || (words[4] === 0xffff && words[5] === 0));
  const groups = (embedV4 ? words.slice(0, 6) : words).map((w) => w.toString(16));
  let best = { at: -1, len: 0 };
  for (let i = 0; i < groups.length;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > best.len && j - i >= 2) best = { at: i, len: j - i };
    i = j;
  }
  let text = best.at < 0 ? groups.join(':') : `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.len).join(':')}`;
  if (embedV4) text += `${text.endsWith(':') ? '' : ':'}${dotted(address & 0xffffffffn)}`;
  return text;
}

/**
 * The usable range parseCidr reports. IPv4 keeps the network and broadcast addresses out, except
 * in /31 and /32 where every address is a host (RFC 3021); IPv6 has no broadcast, and Microsoft's
 * example gives firstUsable 'fdad:3236:5555::' for 'fdad:3236:5555::/48'.
 */
function usable(n: Network): { first: bigint; last: bigint; broadcast: bigint } {
  const size = 1n << BigInt(n.bits - n.prefix);
  const broadcast = n.network + size - 1n;
  if (n.v6 || n.prefix >= 31) return { first: n.network, last: broadcast, broadcast };
  return { first: n.network + 1n, last: broadcast - 1n, broadcast };
}

/** CIDR functions, IPv4 and IPv6. */
export const cidrFunctions: FunctionDef[] = [
  fn({
    name: 'parseCidr',
    minArgs: 1,
    maxArgs: 1,
    eager: ([c]) => {
      const n = parseNetwork(expectString(c!, 'the network'));
      const u = usable(n);
      return {
        network: format(n.network, n.v6),
        netmask: format(mask(n.prefix, n.bits), n.v6),
        ...(!n.v6 && { broadcast: format(u.broadcast, false) }),
        firstUsable: format(u.first, n.v6),
        lastUsable: format(u.last, n.v6),
        cidr: n.prefix,
      };
    },
  }),
  fn({
    name: 'cidrSubnet',
    minArgs: 3,
    maxArgs: 3,
    eager: ([c, newCidr, index]) => {
      const n = parseNetwork(expectString(c!, 'the network'));
      const prefix = expectInt(newCidr!, 'the new CIDR');
      const i = expectInt(index!, 'the subnet index');
      if (prefix < n.prefix || prefix > n.bits) throw new FunctionError(`the new CIDR must be from ${n.prefix} to ${n.bits}, not ${prefix}`);
      const count = 1n << BigInt(prefix - n.prefix);
      if (i < 0) throw new FunctionError(`the subnet index cannot be negative (${i})`);
      if (BigInt(i) >= count) throw new FunctionError(`subnet index ${i} is out of range: /${n.prefix} holds ${count} /${prefix} subnets`);
      return `${format(n.network + BigInt(i) * (1n << BigInt(n.bits - prefix)), n.v6)}/${prefix}`;
    },
  }),
  fn({
    name: 'cidrHost',
    minArgs: 2,
    maxArgs: 2,
    // Index 0 is the first usable host: 192.168.1.1 in 192.168.1.0/24 (the documented example),
    // and in IPv6 too the address after the network one ('fdad:3236:5555:3000::1' for index 0).
    eager: ([c, index]) => {
      const n = parseNetwork(expectString(c!, 'the network'));
      const i = expectInt(index!, 'the host index');
      if (i < 0) throw new FunctionError(`the host index cannot be negative (${i})`);
      const u = usable(n);
      const first = n.v6 ? n.network + 1n : u.first;
      const host = first + BigInt(i);
      if (host > u.last)
        throw new FunctionError(`host index ${i} is out of range: ${String(c)} has ${u.last >= first ? u.last - first + 1n : 0n} usable host addresses`);
      return format(host, n.v6);
    },
  }),
];
