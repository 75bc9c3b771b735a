import { readLimitedText } from './sandbox.js';
import { InputError } from './diagnostic.js';
import { JsonSyntaxError, MAX_DEPTH, parseJson, type JsonNode } from './json-parser.js';
import { SourceFile } from './source-file.js';

export type { JsonNode };

/**
 * A JSON (or JSONC) file parsed with positions. `root` is the syntax tree the expander
 * evaluates (so every value keeps its line and column); `value` is the plain data, built on
 * first use only (most files never need it).
 */
export interface JsonDocument {
  readonly file: SourceFile;
  readonly root: JsonNode;
  readonly value: unknown;
}

/** A document whose plain value is built on first use (parsed JSON, or a lowered Bicep file). */
export class ParsedDocument implements JsonDocument {
  private plain: unknown;
  private built = false;
  constructor(
    readonly file: SourceFile,
    readonly root: JsonNode,
  ) {}
  get value(): unknown {
    if (!this.built) {
      this.plain = nodeValue(this.root);
      this.built = true;
    }
    return this.plain;
  }
}

/**
 * Parses JSON the way Azure Resource Manager accepts it: comments, trailing commas, raw line
 * breaks and tabs inside strings, and a byte-order mark are allowed. Anything else that is not
 * JSON is an InputError naming the file, line and column.
 */
export function parseJsonDocument(file: SourceFile): JsonDocument {
  try {
    return new ParsedDocument(file, parseJson(file.text));
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err;
    throw new InputError({
      severity: 'error',
      code: 'json-syntax',
      message: `invalid JSON: ${err.message}`,
      file: file.path,
      location: file.locationOf(err.offset, err.length),
    });
  }
}

/**
 * Reads a file the user named (a policy file) and parses it as parseJsonDocument does; a file that
 * cannot be read, or is larger than MAX_INPUT_FILE_BYTES, throws an Error saying why.
 */
export function readJsonDocument(absPath: string, shown: string): JsonDocument {
  return parseJsonDocument(new SourceFile(absPath, shown, readLimitedText(absPath)));
}

/**
 * As parseJsonDocument, for files read for their value (policy definitions and their sidecars):
 * strict JSON is parsed by JSON.parse, and the syntax tree only when something asks for a
 * position (a definition that does not compile). Anything JSON.parse rejects, and files with more
 * brackets than the reader's nesting limit (which JSON.parse does not have), take the reader's
 * path, so the value and every error are the same as parseJsonDocument's.
 */
export function parseJsonValueFirst(file: SourceFile): JsonDocument {
  let value: unknown;
  try {
    value = JSON.parse(file.text);
  } catch {
    return parseJsonDocument(file);
  }
  if (deeperThan(value, MAX_DEPTH)) return parseJsonDocument(file);
  return new ValueFirstDocument(file, value);
}

/** readJsonDocument with parseJsonValueFirst. */
export function readJsonValueFirst(absPath: string, shown: string): JsonDocument {
  return parseJsonValueFirst(new SourceFile(absPath, shown, readLimitedText(absPath)));
}

class ValueFirstDocument implements JsonDocument {
  private tree: JsonNode | undefined;
  constructor(
    readonly file: SourceFile,
    readonly value: unknown,
  ) {}
  get root(): JsonNode {
    return (this.tree ??= parseJson(this.file.text));
  }
}

/**
 * Whether a parsed value nests containers (objects, arrays) more than `limit` deep: the top-level
 * object is depth 1, as the reader counts brackets. The walk visits containers only and stops past
 * `limit` (its recursion is bounded by it). It was a scan of every character of the text for
 * brackets outside strings: ~9 ms per scan of the 5 MB corpora, a walk of the value a fraction.
 */
function deeperThan(value: unknown, limit: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (limit === 0) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (deeperThan(item, limit - 1)) return true;
    return false;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) if (deeperThan(record[key], limit - 1)) return true;
  return false;
}

/**
 * Builds the plain value of a node. Keys such as `__proto__` are defined as own data
 * properties so that a template can never change an object's prototype.
 */
export function nodeValue(node: JsonNode): unknown {
  switch (node.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const prop of node.children ?? []) {
        const [keyNode, valueNode] = prop.children ?? [];
        if (!keyNode || !valueNode) continue;
        const key = String(keyNode.value);
        // Only `__proto__` would change the prototype when assigned: define it as data instead.
        if (key === '__proto__') Object.defineProperty(out, key, { value: nodeValue(valueNode), enumerable: true, writable: true, configurable: true });
        else out[key] = nodeValue(valueNode);
      }
      return out;
    }
    case 'array':
      return (node.children ?? []).map(nodeValue);
    default:
      return node.value;
  }
}

// Objects looked up many times (parameters, variables, resources) get a key index on first use.
const keyIndexes = new WeakMap<JsonNode, { exact: Map<string, JsonNode>; loose: Map<string, JsonNode> }>();
const INDEX_FROM = 8;

/** Finds the value node of an object property, exact case first, then ignoring case (ARM's rule). */
export function childNode(node: JsonNode | undefined, key: string | number): JsonNode | undefined {
  if (!node) return undefined;
  if (typeof key === 'number') return node.type === 'array' ? node.children?.[key] : undefined;
  if (node.type !== 'object') return undefined;
  const props = node.children ?? [];
  if (props.length >= INDEX_FROM) {
    let index = keyIndexes.get(node);
    if (!index) {
      index = { exact: new Map(), loose: new Map() };
      for (const prop of props) {
        const k = prop.children?.[0]?.value;
        const v = prop.children?.[1];
        if (typeof k !== 'string' || !v) continue;
        if (!index.exact.has(k)) index.exact.set(k, v);
        const lower = k.toLowerCase();
        if (!index.loose.has(lower)) index.loose.set(lower, v);
      }
      keyIndexes.set(node, index);
    }
    return index.exact.get(key) ?? index.loose.get(key.toLowerCase());
  }
  // Most lookups match exactly or not at all (`condition`, `copy` on most resources): compare
  // ignoring case only after no exact match, and only keys that can lower-case to the length of
  // the key's lower case. Lower-casing keeps the length of every character but U+0130, which
  // becomes two: a longer key can never match, a shorter one only if it has a U+0130.
  for (const prop of props) if (prop.children?.[0]?.value === key) return prop.children[1];
  const lower = key.toLowerCase();
  for (const prop of props) {
    const k = prop.children?.[0]?.value;
    if (typeof k !== 'string' || k.length > lower.length || (k.length < lower.length && !k.includes('\u0130'))) continue;
    if (k.toLowerCase() === lower) return prop.children?.[1];
  }
  return undefined;
}

/** The key node of the property whose value is `valueNode`, for pointing at `"url": ...`. */
export function propertyKeyNode(valueNode: JsonNode): JsonNode | undefined {
  const parent = valueNode.parent;
  return parent?.type === 'property' ? parent.children?.[0] : undefined;
}
