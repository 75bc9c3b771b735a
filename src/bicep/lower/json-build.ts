import { Node, type JsonNode, type JsonNodeType } from '../../load/json-parser.js';

/**
 * Builds the in-memory ARM template that a Bicep file lowers to. Every node carries the offset
 * and length of the Bicep syntax it came from, so the one ARM engine evaluates it and every
 * finding, origin and diagnostic points at the `.bicep` line the user wrote (the source map is
 * the tree itself).
 */
export interface Span {
  start: number;
  end: number;
}

function leaf(type: JsonNodeType, at: Span, value: unknown): JsonNode {
  const n = new Node(type, at.start, Math.max(0, at.end - at.start));
  n.value = value;
  return n;
}

export const jString = (at: Span, value: string): JsonNode => leaf('string', at, value);
export const jNumber = (at: Span, value: number): JsonNode => leaf('number', at, value);
export const jBool = (at: Span, value: boolean): JsonNode => leaf('boolean', at, value);
export const jNull = (at: Span): JsonNode => leaf('null', at, null);

/** A string that ARM reads as an expression: `[body]`. */
export const jExpr = (at: Span, body: string): JsonNode => leaf('string', at, `[${body}]`);

/** A literal string, escaped so that ARM never reads it as an expression. */
export const jLiteral = (at: Span, value: string): JsonNode => jString(at, value.startsWith('[') && value.endsWith(']') ? `[${value}` : value);

export interface Entry {
  key: string;
  /** Where the key is written (the whole property when the key is implied). */
  keyAt: Span;
  value: JsonNode;
}

export function jObject(at: Span, entries: Entry[]): JsonNode {
  const n = new Node('object', at.start, Math.max(0, at.end - at.start));
  const children: JsonNode[] = [];
  for (const e of entries) {
    const end = Math.max(e.keyAt.end, e.value.offset + e.value.length);
    const prop = new Node('property', e.keyAt.start, Math.max(0, end - e.keyAt.start));
    const key = jString(e.keyAt, e.key);
    prop.children = [key, e.value];
    key.parent = prop;
    e.value.parent = prop;
    prop.parent = n;
    children.push(prop);
  }
  n.children = children;
  return n;
}

export function jArray(at: Span, items: JsonNode[]): JsonNode {
  const n = new Node('array', at.start, Math.max(0, at.end - at.start));
  n.children = items;
  for (const item of items) item.parent = n;
  return n;
}

export const entry = (key: string, keyAt: Span, value: JsonNode): Entry => ({ key, keyAt, value });

/**
 * A JSON value as template nodes at `at`. Strings that look like expressions are escaped; those of
 * a compiled template (`arm`) are kept as they are: its expressions stay expressions.
 */
export function jValue(at: Span, v: unknown, arm = false): JsonNode {
  if (v === null) return jNull(at);
  if (typeof v === 'string') return arm ? jString(at, v) : jLiteral(at, v);
  if (typeof v === 'number') return jNumber(at, v);
  if (typeof v === 'boolean') return jBool(at, v);
  if (Array.isArray(v))
    return jArray(
      at,
      v.map((item) => jValue(at, item, arm)),
    );
  return jObject(
    at,
    Object.entries(v as Record<string, unknown>).map(([k, item]) => entry(k, at, jValue(at, item, arm))),
  );
}
