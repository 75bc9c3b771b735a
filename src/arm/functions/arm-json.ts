import { FunctionError } from '../expression/evaluator.js';
import { type ObjectValue, type Value, setOwn } from '../../resources/value.js';

/** As deep as the template parser goes (src/load/json-parser.ts): below the value depth limit. */
const MAX_DEPTH = 512;

const TRIVIA = /(?:\s+|\/\/[^\n]*|\/\*[\s\S]*?\*\/)+/y;
const NAME = /[A-Za-z_$][\w$]*/y;
const LITERAL = /true|false|null/y;
// Newtonsoft reads a number as the run of these characters, then decides what it is.
const NUMBER_RUN = /[-+.\dA-Fa-fxX]+/y;
const DECIMAL = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Reads JSON the way ARM's JSON functions (`json()`, `base64ToJson()`) do: Newtonsoft's JSON
 * reader, which accepts more than strict JSON and which real templates rely on:
 * - single-quoted strings and unquoted property names (Microsoft's `base64ToJson` example
 *   encodes `{'one': 'a', 'two': 'b'}`), `//` and `/* *\/` comments, trailing commas;
 * - numbers without a digit before or after the point (`.25`, `-.5`, `1.`: the quickstart
 *   templates' `json('.25')` CPU counts deploy), read as .NET's invariant `double.Parse` reads them;
 * - `0x1F` (hexadecimal) and a leading zero (`017`, octal), Newtonsoft's non-decimal integers;
 * - input that ends inside an object or array closes it: Azure accepted `{"hi": "there"` (Bicep's
 *   Invalid_Expressions baseline evaluates `base64ToJson(base64('{"hi": "there"')).hi` without error).
 * `what` begins the error message: "the decoded text", "the argument".
 */
export function readArmJson(text: string, what: string): Value {
  let pos = 0;
  const fail = (problem: string): never => {
    throw new FunctionError(`${what} is not JSON: ${problem} at offset ${pos}`);
  };
  const at = (re: RegExp): string | undefined => {
    re.lastIndex = pos;
    const m = re.exec(text);
    return m ? m[0] : undefined;
  };
  const skip = (): void => {
    const t = at(TRIVIA);
    if (t) pos += t.length;
  };
  const str = (): string => {
    const quote = text[pos++]!;
    let out = '';
    let chunk = pos;
    while (pos < text.length && text[pos] !== quote) {
      if (text[pos] !== '\\') {
        pos++;
        continue;
      }
      out += text.slice(chunk, pos);
      const e = text[pos + 1];
      pos += 2;
      if (e === 'u') {
        const hex = text.slice(pos, pos + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('a bad \\u escape');
        out += String.fromCharCode(parseInt(hex, 16));
        pos += 4;
      } else {
        if (e === undefined) fail('an unterminated string');
        const simple: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        out += simple[e!] ?? e;
      }
      chunk = pos;
    }
    if (pos >= text.length) fail('an unterminated string');
    out += text.slice(chunk, pos);
    pos++;
    return out;
  };
  const number = (): number => {
    const start = pos;
    const run = at(NUMBER_RUN)!;
    pos += run.length;
    const n = numberValue(run);
    if (n === undefined) {
      pos = start;
      fail(`'${run.length > 40 ? run.slice(0, 40) + '…' : run}' is not a number`);
    }
    return n!;
  };
  const value = (depth: number): Value => {
    skip();
    const c = text[pos];
    if (c === '{' || c === '[') {
      if (depth >= MAX_DEPTH) fail(`values nest more than ${MAX_DEPTH} levels deep`);
      pos++;
      return c === '{' ? object(depth + 1) : array(depth + 1);
    }
    if (c === '"' || c === "'") return str();
    if (c === '-' || c === '.' || (c !== undefined && c >= '0' && c <= '9')) return number();
    const literal = at(LITERAL);
    if (!literal) return fail('a value expected');
    pos += literal.length;
    return literal === 'true' ? true : literal === 'false' ? false : null;
  };
  const object = (depth: number): ObjectValue => {
    const obj: ObjectValue = {};
    for (;;) {
      skip();
      if (pos >= text.length || text[pos] === '}') break;
      let key: string;
      if (text[pos] === '"' || text[pos] === "'") key = str();
      else {
        const name = at(NAME);
        if (!name) return fail('a property name expected');
        key = name;
        pos += key.length;
      }
      skip();
      if (text[pos++] !== ':') fail("':' expected");
      // setOwn: a key `__proto__` is data here too, never the object's prototype.
      setOwn(obj, key, value(depth));
      skip();
      if (text[pos] === ',') pos++;
      else if (pos < text.length && text[pos] !== '}') fail("',' or '}' expected");
    }
    pos++;
    return obj;
  };
  const array = (depth: number): Value[] => {
    const arr: Value[] = [];
    for (;;) {
      skip();
      if (pos >= text.length || text[pos] === ']') break;
      arr.push(value(depth));
      skip();
      if (text[pos] === ',') pos++;
      else if (pos < text.length && text[pos] !== ']') fail("',' or ']' expected");
    }
    pos++;
    return arr;
  };
  const result = value(0);
  skip();
  if (pos < text.length) fail('more text after the value');
  return result;
}

/** The number Newtonsoft reads from a run of number characters, or undefined when it rejects it. */
function numberValue(run: string): number | undefined {
  // Non-decimal integers start with '0' and a second character that is not '.', 'e' or 'E'
  // (so `0.5` and `0e1` are decimal); a sign makes the text decimal (`-010` is -10).
  if (run.length > 1 && run[0] === '0' && !'.eE'.includes(run[1]!)) {
    if (/^0[xX][0-9a-fA-F]+$/.test(run)) return parseInt(run.slice(2), 16);
    if (/^0[0-7]+$/.test(run)) return parseInt(run.slice(1), 8);
    return undefined;
  }
  return DECIMAL.test(run) ? Number(run) : undefined;
}
