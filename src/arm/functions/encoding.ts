import type { FunctionDef } from '../expression/context.js';
import { FunctionError, describe } from '../expression/evaluator.js';
import { getProperty, isObject } from '../../resources/value.js';
import { expectInt, expectString, fn } from './define.js';
import { findUnknown } from './string.js';
import { readArmJson } from './arm-json.js';

/**
 * .NET's Convert.FromBase64String, which is strict: white space is skipped, but the length must
 * be a multiple of four and '=' may only pad the end. The bytes are read as UTF-8.
 */
function fromBase64(text: string): string {
  const compact = text.replace(/[ \t\r\n]+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) {
    throw new FunctionError(`the value cannot be decoded from base64: '${text.length > 40 ? text.slice(0, 40) + '…' : text}'`);
  }
  return Buffer.from(compact, 'base64').toString('utf8');
}

/** Uri.EscapeDataString: only RFC 3986's unreserved characters (letters, digits, `-._~`) stay. */
export function uriComponent(text: string): string {
  let encoded: string;
  try {
    encoded = encodeURIComponent(text);
  } catch {
    // A lone surrogate has no UTF-8 form. What Azure's .NET does with one is not documented
    // (older .NET threw, newer substitutes U+FFFD), so the value is an error, never a guess.
    throw new FunctionError('the value holds a lone surrogate (half of a UTF-16 pair), which has no URI encoding');
  }
  return encoded.replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The character UTF-8 encodes at `bytes[i]` and its length in bytes, if the bytes there are valid. */
function utf8At(bytes: number[], i: number): [string, number] | undefined {
  const b = bytes[i]!;
  const len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
  if (!len || i + len > bytes.length) return undefined;
  try {
    return [utf8.decode(Uint8Array.from(bytes.slice(i, i + len))), len];
  } catch {
    return undefined; // bad continuation bytes, overlong forms, surrogates
  }
}

/**
 * Uri.UnescapeDataString, which never fails: `%XX` runs that form valid UTF-8 are decoded, and
 * anything else (a lone '%', `%zz`, bytes that are not UTF-8) is kept as written.
 */
export function unescapeDataString(text: string): string {
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    const bytes = run
      .split('%')
      .slice(1)
      .map((h) => parseInt(h, 16));
    let out = '';
    for (let i = 0; i < bytes.length;) {
      const decoded = utf8At(bytes, i);
      out += decoded ? decoded[0] : run.slice(i * 3, i * 3 + 3);
      i += decoded ? decoded[1] : 1;
    }
    return out;
  });
}

function parseAbsoluteUri(text: string, what: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new FunctionError(`${what} must be an absolute URI, not '${text.length > 60 ? text.slice(0, 60) + '…' : text}'`);
  }
}

/** System.Uri's default ports, which `parseUri` reports when the URI names none (-1: the scheme has none). */
// A Map: the scheme is the user's text, and `constructor://` must not find Object.prototype's member.
const DEFAULT_PORTS = new Map<string, number>(
  Object.entries({ http: 80, https: 443, ws: 80, wss: 443, ftp: 21, gopher: 70, nntp: 119, telnet: 23, ldap: 389, mailto: 25, 'net.tcp': 808 }),
);

/** Encoding and URI functions. */
export const encodingFunctions: FunctionDef[] = [
  fn({ name: 'base64', minArgs: 1, maxArgs: 1, eager: ([s]) => Buffer.from(expectString(s!), 'utf8').toString('base64') }),
  fn({ name: 'base64ToString', minArgs: 1, maxArgs: 1, eager: ([s]) => fromBase64(expectString(s!)) }),
  fn({ name: 'base64ToJson', minArgs: 1, maxArgs: 1, eager: ([s]) => readArmJson(fromBase64(expectString(s!)), 'the decoded text') }),
  fn({
    name: 'dataUri',
    minArgs: 1,
    maxArgs: 1,
    eager: ([s]) => `data:text/plain;charset=utf8;base64,${Buffer.from(expectString(s!), 'utf8').toString('base64')}`,
  }),
  fn({
    name: 'dataUriToString',
    minArgs: 1,
    maxArgs: 1,
    // data:[<media type>][;base64],<data>: base64 data is decoded, other data is percent-decoded.
    eager: ([s]) => {
      const text = expectString(s!);
      const m = /^data:([^,]*),(.*)$/is.exec(text);
      if (!m)
        throw new FunctionError(
          `the value must be a data URI (data:[<media type>][;base64],<data>), not '${text.length > 40 ? text.slice(0, 40) + '…' : text}'`,
        );
      return /;base64$/i.test(m[1]!) ? fromBase64(m[2]!) : unescapeDataString(m[2]!);
    },
  }),
  fn({
    name: 'uri',
    minArgs: 2,
    maxArgs: 2,
    // new Uri(baseUri, relativeUri), RFC 3986 section 5: the relative part replaces what follows
    // the base's last '/', so 'http://x/a/b.json' + 'c.sh' is 'http://x/a/c.sh'.
    eager: ([base, relative]) => {
      const b = parseAbsoluteUri(expectString(base!, 'the base URI'), 'the base URI');
      const r = expectString(relative!, 'the relative URI');
      try {
        return new URL(r, b).href;
      } catch {
        throw new FunctionError(`cannot combine '${b.href}' with '${r}'`);
      }
    },
  }),
  fn({ name: 'uriComponent', minArgs: 1, maxArgs: 1, eager: ([s]) => uriComponent(expectString(s!)) }),
  fn({ name: 'uriComponentToString', minArgs: 1, maxArgs: 1, eager: ([s]) => unescapeDataString(expectString(s!)) }),
  fn({
    name: 'parseUri',
    minArgs: 1,
    maxArgs: 1,
    // The five components Bicep's `parseUri` type declares; port is the scheme's default when absent.
    eager: ([s]) => {
      const u = parseAbsoluteUri(expectString(s!), 'the URI');
      const scheme = u.protocol.replace(/:$/, '');
      return {
        scheme,
        host: u.hostname,
        port: u.port ? Number(u.port) : (DEFAULT_PORTS.get(scheme) ?? -1),
        path: u.pathname || '/',
        query: u.search,
      };
    },
  }),
  fn({
    name: 'buildUri',
    minArgs: 1,
    maxArgs: 1,
    // The inverse of parseUri: scheme and host are required; a null or absent port is the default.
    eager: ([o]) => {
      if (!isObject(o)) throw new FunctionError(`takes an object like parseUri's result, not ${describe(o!)}`);
      const unknown = findUnknown(o);
      if (unknown) return unknown;
      const part = (k: string) => getProperty(o, k);
      const scheme = part('scheme');
      const host = part('host');
      if (typeof scheme !== 'string' || typeof host !== 'string' || !scheme || !host) throw new FunctionError('needs the string properties scheme and host');
      const port = part('port');
      const path = part('path');
      const query = part('query');
      const u = parseAbsoluteUri(`${scheme}://${host}`, 'scheme and host');
      if (port !== undefined && port !== null) {
        const n = expectInt(port, 'port');
        if (n < 0 || n > 65535) throw new FunctionError(`port ${n} is not between 0 and 65535`);
        u.port = String(n); // a scheme's default port is dropped, as System.Uri does
      }
      if (path !== undefined && path !== null) u.pathname = expectString(path, 'path');
      if (query !== undefined && query !== null) u.search = expectString(query, 'query');
      return u.href;
    },
  }),
];
