import { createHash } from 'node:crypto';

/**
 * ARM's 64-bit Murmur variant behind `uniqueString`: two 32-bit lanes over 8-byte blocks,
 * each lane finished with fmix32. Written from the published description of the algorithm and
 * checked against values computed by Azure (see test/arm/functions/hash.test.ts).
 */
export function murmur64(data: Uint8Array, seed = 0): bigint {
  const C1 = 0x239b961b;
  const C2 = 0xab0e9789;
  let h1 = seed >>> 0;
  let h2 = seed >>> 0;
  const len = data.length;
  let i = 0;
  for (; i + 8 <= len; i += 8) {
    const k1 = readU32(data, i);
    const k2 = readU32(data, i + 4);
    h1 = (h1 ^ mixLane(k1, C1, C2, 15)) >>> 0;
    h1 = (Math.imul((rotl(h1, 19) + h2) >>> 0, 5) + 0x561ccd1b) >>> 0;
    h2 = (h2 ^ mixLane(k2, C2, C1, 17)) >>> 0;
    h2 = (Math.imul((rotl(h2, 13) + h1) >>> 0, 5) + 0x0bcaa747) >>> 0;
  }
  const tail = len - i;
  if (tail > 0) {
    h1 = (h1 ^ mixLane(readPartialU32(data, i, Math.min(tail, 4)), C1, C2, 15)) >>> 0;
    if (tail > 4) h2 = (h2 ^ mixLane(readPartialU32(data, i + 4, tail - 4), C2, C1, 17)) >>> 0;
  }
  h1 = (h1 ^ len) >>> 0;
  h2 = (h2 ^ len) >>> 0;
  h1 = (h1 + h2) >>> 0;
  h2 = (h2 + h1) >>> 0;
  h1 = fmix32(h1);
  h2 = fmix32(h2);
  h1 = (h1 + h2) >>> 0;
  h2 = (h2 + h1) >>> 0;
  return (BigInt(h2) << 32n) | BigInt(h1);
}

function mixLane(k: number, ca: number, cb: number, r: number): number {
  k = Math.imul(k, ca) >>> 0;
  k = rotl(k, r);
  return Math.imul(k, cb) >>> 0;
}

function rotl(x: number, r: number): number {
  return ((x << r) | (x >>> (32 - r))) >>> 0;
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

function readU32(d: Uint8Array, i: number): number {
  return (d[i]! | (d[i + 1]! << 8) | (d[i + 2]! << 16) | (d[i + 3]! << 24)) >>> 0;
}

function readPartialU32(d: Uint8Array, i: number, n: number): number {
  let v = 0;
  for (let j = 0; j < n; j++) v |= d[i + j]! << (8 * j);
  return v >>> 0;
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** `uniqueString(a, b, …)`: 13 base-32 characters from the top of the hash of the joined arguments. */
export function uniqueString(parts: readonly string[]): string {
  let h = murmur64(new TextEncoder().encode(parts.join('-')));
  let out = '';
  for (let i = 0; i < 13; i++) {
    out += BASE32[Number(h >> 59n)];
    h = (h << 5n) & 0xffffffffffffffffn;
  }
  return out;
}

const GUID_NAMESPACE = '11fb06fb-712d-4ddd-98c7-e71bbd588830';

/** `guid(a, b, …)`: an RFC 4122 version-5 (SHA-1) UUID of the joined arguments in ARM's namespace. */
export function armGuid(parts: readonly string[]): string {
  const ns = Buffer.from(GUID_NAMESPACE.replace(/-/g, ''), 'hex');
  const digest = createHash('sha1')
    .update(ns)
    .update(Buffer.from(parts.join('-'), 'utf8'))
    .digest();
  const b = digest.subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
