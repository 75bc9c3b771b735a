import type { FunctionDef } from '../expression/context.js';
import { FunctionError, describe } from '../expression/evaluator.js';
import { getProperty, isObject, type ObjectValue, type Value } from '../../resources/value.js';
import { expectString, fn } from './define.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function fromBase64(text: string): string {
  const compact = text.replace(/\s+/g, '');
  if (!BASE64.test(compact) || compact.length % 4 === 1) throw new FunctionError(`'${text.slice(0, 40)}' is not valid base64`);
  return Buffer.from(compact, 'base64').toString('utf8');
}

/** Like encodeURIComponent, but also escapes `!'()*`: only RFC 3986's unreserved characters stay. */
export function uriComponent(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new FunctionError(`'${text.slice(0, 40)}' is not a valid URI-encoded string`);
  }
}

function parseUrl(text: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new FunctionError(`'${text.slice(0, 60)}' is not an absolute URI`);
  }
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443, 'ftp:': 21 };

/** Encoding and URI functions. */
export const encodingFunctions: FunctionDef[] = [
  fn({ name: 'base64', minArgs: 1, maxArgs: 1, eager: ([s]) => Buffer.from(expectString(s!), 'utf8').toString('base64') }),
  fn({ name: 'base64ToString', minArgs: 1, maxArgs: 1, eager: ([s]) => fromBase64(expectString(s!)) }),
  fn({
    name: 'base64ToJson',
    minArgs: 1,
    maxArgs: 1,
    eager: ([s]) => {
      const text = fromBase64(expectString(s!));
      try {
        return JSON.parse(text) as Value;
      } catch {
        throw new FunctionError('the decoded text is not JSON');
      }
    },
  }),
  fn({ name: 'dataUri', minArgs: 1, maxArgs: 1, eager: ([s]) => `data:text/plain;charset=utf8;base64,${Buffer.from(expectString(s!), 'utf8').toString('base64')}` }),
  fn({
    name: 'dataUriToString',
    minArgs: 1,
    maxArgs: 1,
    eager: ([s]) => {
      const m = /^data:([^,]*),(.*)$/s.exec(expectString(s!));
      if (!m) throw new FunctionError('not a data URI (data:[<media type>][;base64],<data>)');
      return /;base64$/i.test(m[1]!) ? fromBase64(m[2]!) : decodeComponent(m[2]!);
    },
  }),
  fn({
    name: 'uri',
    minArgs: 2,
    maxArgs: 2,
    // .NET's Uri(base, relative): the relative part replaces what follows the base's last '/'.
    eager: ([base, relative]) => {
      const b = parseUrl(expectString(base!, 'the base URI'));
      try {
        return new URL(expectString(relative!, 'the relative URI'), b).href;
      } catch {
        throw new FunctionError(`cannot combine '${String(base)}' with '${String(relative)}'`);
      }
    },
  }),
  fn({ name: 'uriComponent', minArgs: 1, maxArgs: 1, eager: ([s]) => uriComponent(expectString(s!)) }),
  fn({ name: 'uriComponentToString', minArgs: 1, maxArgs: 1, eager: ([s]) => decodeComponent(expectString(s!)) }),
  fn({
    name: 'parseUri',
    minArgs: 1,
    maxArgs: 1,
    eager: ([s]) => {
      const u = parseUrl(expectString(s!));
      return {
        scheme: u.protocol.replace(/:$/, ''),
        host: u.hostname,
        port: u.port ? Number(u.port) : (DEFAULT_PORTS[u.protocol] ?? null),
        path: u.pathname,
        query: u.search,
        absoluteUri: u.href,
      };
    },
  }),
  fn({
    name: 'buildUri',
    minArgs: 1,
    maxArgs: 1,
    eager: ([o]) => {
      if (!isObject(o)) throw new FunctionError(`takes an object like parseUri's result, not ${describe(o!)}`);
      const part = (k: string) => getProperty(o as ObjectValue, k);
      const scheme = part('scheme');
      const host = part('host');
      if (typeof scheme !== 'string' || typeof host !== 'string') throw new FunctionError('needs at least scheme and host');
      const port = part('port');
      const path = part('path');
      const query = part('query');
      const u = new URL(`${scheme}://${host}`);
      if (typeof port === 'number') u.port = String(port);
      if (typeof path === 'string') u.pathname = path;
      if (typeof query === 'string') u.search = query;
      return u.href;
    },
  }),
];
