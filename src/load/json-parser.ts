/**
 * A JSON parser that keeps positions, written for templates: it accepts what Azure Resource
 * Manager accepts beyond strict JSON (`//` and `/* *\/` comments, trailing commas, raw line
 * breaks and tabs inside strings) and rejects the rest with the offset of the problem.
 *
 * Hand-written because scanning is the floor of every scan: a general-purpose tree parser was
 * the largest cost in the profile (several times slower than JSON.parse), and none accepts
 * multi-line strings.
 */

export type JsonNodeType = 'object' | 'array' | 'property' | 'string' | 'number' | 'boolean' | 'null';

/** A syntax-tree node. Offsets are UTF-16 indexes into the text; `length` covers the whole value. */
export interface JsonNode {
  readonly type: JsonNodeType;
  readonly offset: number;
  length: number;
  /** The value of a string, number, boolean or null node (undefined for containers). */
  value?: unknown;
  /** Object: property nodes. Property: [key, value]. Array: the items. */
  children?: JsonNode[];
  parent?: JsonNode;
}

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly length = 1,
  ) {
    super(message);
    this.name = 'JsonSyntaxError';
  }
}

/** Deeper nesting than any real template: a guard against stack exhaustion, not a style rule. */
export const MAX_DEPTH = 512;

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** The node class the parser builds; the Bicep lowering builds its templates from it too. */
export class Node implements JsonNode {
  value: unknown = undefined;
  children: JsonNode[] | undefined = undefined;
  parent: JsonNode | undefined = undefined;
  constructor(
    readonly type: JsonNodeType,
    readonly offset: number,
    public length: number,
  ) {}
}

export function parseJson(text: string): JsonNode {
  let pos = 0;
  const n = text.length;

  const fail = (message: string, at = pos, length = 1): never => {
    throw new JsonSyntaxError(message, at, length);
  };

  const skipTrivia = (): void => {
    while (pos < n) {
      const c = text.charCodeAt(pos);
      if (c === 32 || c === 10 || c === 13 || c === 9 || c === 0xfeff) pos++;
      else if (c === 47 /* / */) {
        const next = text.charCodeAt(pos + 1);
        if (next === 47) {
          const end = text.indexOf('\n', pos + 2);
          pos = end < 0 ? n : end + 1;
        } else if (next === 42 /* * */) {
          const end = text.indexOf('*/', pos + 2);
          if (end < 0) fail('unterminated comment', pos, 2);
          pos = end + 2;
        } else fail("unexpected '/'");
      } else return;
    }
  };

  const describeHere = (): string => (pos >= n ? 'the end of the file' : `'${text[pos]}'`);

  // Where the next backslash is: most strings have none, and are then one slice up to the
  // closing quote. Only moves forward, so finding it costs one pass over the text in all.
  let nextBackslash = -1;

  const parseString = (): Node => {
    const start = pos;
    pos++;
    if (nextBackslash < pos) {
      nextBackslash = text.indexOf('\\', pos);
      if (nextBackslash < 0) nextBackslash = n;
    }
    const quote = text.indexOf('"', pos);
    if (quote >= 0 && quote < nextBackslash) {
      const node = new Node('string', start, quote + 1 - start);
      node.value = text.slice(pos, quote);
      pos = quote + 1;
      return node;
    }
    let value = '';
    let chunk = pos;
    for (;;) {
      if (pos >= n) fail('unterminated string', start, n - start);
      const c = text.charCodeAt(pos);
      if (c === 34 /* " */) break;
      if (c === 92 /* \ */) {
        value += text.slice(chunk, pos);
        const e = text.charCodeAt(pos + 1);
        switch (e) {
          case 34:
            value += '"';
            break;
          case 92:
            value += '\\';
            break;
          case 47:
            value += '/';
            break;
          case 98:
            value += '\b';
            break;
          case 102:
            value += '\f';
            break;
          case 110:
            value += '\n';
            break;
          case 114:
            value += '\r';
            break;
          case 116:
            value += '\t';
            break;
          case 117: {
            const hex = text.slice(pos + 2, pos + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('invalid \\u escape', pos, 2);
            value += String.fromCharCode(parseInt(hex, 16));
            pos += 4;
            break;
          }
          default:
            fail('invalid escape character', pos, 2);
        }
        pos += 2;
        chunk = pos;
        continue;
      }
      // Raw control characters (multi-line strings) are accepted, as Azure accepts them.
      pos++;
    }
    value += text.slice(chunk, pos);
    pos++;
    const node = new Node('string', start, pos - start);
    node.value = value;
    return node;
  };

  const parseValue = (depth: number): Node => {
    skipTrivia();
    if (pos >= n) fail('expected a value before the end of the file', n, 0);
    const c = text.charCodeAt(pos);
    if (c === 34) return parseString();
    if (c === 123 /* { */ || c === 91 /* [ */) {
      if (depth >= MAX_DEPTH) fail(`the JSON nests more than ${MAX_DEPTH} levels deep`);
      return c === 123 ? parseObject(depth + 1) : parseArray(depth + 1);
    }
    if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
      const start = pos;
      pos++;
      while (pos < n) {
        const d = text.charCodeAt(pos);
        if ((d >= 48 && d <= 57) || d === 46 || d === 101 || d === 69 || d === 43 || d === 45) pos++;
        else break;
      }
      const raw = text.slice(start, pos);
      if (!NUMBER.test(raw)) fail(`invalid number '${raw}'`, start, pos - start);
      const node = new Node('number', start, pos - start);
      node.value = Number(raw);
      return node;
    }
    const literal = c === 116 /* t */ ? TRUE : c === 102 /* f */ ? FALSE : c === 110 /* n */ ? NULL : undefined;
    if (literal && text.startsWith(literal[0], pos)) {
      const node = new Node(literal[1], pos, literal[0].length);
      node.value = literal[2];
      pos += literal[0].length;
      return node;
    }
    return fail(`unexpected ${describeHere()}: expected a value`);
  };

  // Children are collected on one stack shared by the whole parse and copied out at the end of
  // their container: an array grown by push reserves 17 slots at its first item, most objects
  // have a few properties, and the tree lives as long as its unit.
  const pending: JsonNode[] = [];

  const parseObject = (depth: number): Node => {
    const node = new Node('object', pos, 0);
    const first = pending.length;
    pos++;
    for (;;) {
      skipTrivia();
      if (text.charCodeAt(pos) === 125 /* } */) break;
      if (text.charCodeAt(pos) !== 34) fail(`expected a property name in double quotes or '}', found ${describeHere()}`);
      const key = parseString();
      const prop = new Node('property', key.offset, 0);
      prop.parent = node;
      key.parent = prop;
      skipTrivia();
      if (text.charCodeAt(pos) !== 58 /* : */) fail(`expected ':' after the property name, found ${describeHere()}`);
      pos++;
      const value = parseValue(depth);
      value.parent = prop;
      prop.children = [key, value];
      prop.length = value.offset + value.length - prop.offset;
      pending.push(prop);
      skipTrivia();
      const sep = text.charCodeAt(pos);
      if (sep === 44 /* , */) {
        pos++;
        continue; // a trailing comma before '}' is accepted
      }
      if (sep === 125) break;
      fail(`expected ',' or '}' after a property value, found ${describeHere()}`);
    }
    pos++;
    node.length = pos - node.offset;
    node.children = pending.slice(first);
    pending.length = first;
    return node;
  };

  const parseArray = (depth: number): Node => {
    const node = new Node('array', pos, 0);
    const first = pending.length;
    pos++;
    for (;;) {
      skipTrivia();
      if (text.charCodeAt(pos) === 93 /* ] */) break;
      const item = parseValue(depth);
      item.parent = node;
      pending.push(item);
      skipTrivia();
      const sep = text.charCodeAt(pos);
      if (sep === 44) {
        pos++;
        continue;
      }
      if (sep === 93) break;
      fail(`expected ',' or ']' after an array item, found ${describeHere()}`);
    }
    pos++;
    node.length = pos - node.offset;
    node.children = pending.slice(first);
    pending.length = first;
    return node;
  };

  skipTrivia();
  if (pos >= n) fail('the file is empty', 0, 0);
  const root = parseValue(0);
  skipTrivia();
  if (pos < n) fail(`unexpected ${describeHere()} after the end of the JSON value`);
  return root;
}

const TRUE: [string, JsonNodeType, unknown] = ['true', 'boolean', true];
const FALSE: [string, JsonNodeType, unknown] = ['false', 'boolean', false];
const NULL: [string, JsonNodeType, unknown] = ['null', 'null', null];
