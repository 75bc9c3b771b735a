import { parseTree, printParseErrorCode, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import { InputError } from './diagnostic.js';
import { SourceFile } from './source-file.js';

export type { JsonNode };

/**
 * A JSON (or JSONC) file parsed with positions. `value` is the plain data; `root` is the
 * syntax tree used only to turn a property path into a line and column when needed.
 */
export interface JsonDocument {
  file: SourceFile;
  root: JsonNode;
  value: unknown;
}

/**
 * Parses JSON the way Azure Resource Manager accepts it: comments, trailing commas and a
 * byte-order mark are allowed. Anything else that is not JSON is an InputError naming the
 * file, line and column.
 */
export function parseJsonDocument(file: SourceFile): JsonDocument {
  // A BOM is replaced by a space rather than removed so that offsets stay those of the file.
  const text = file.text.charCodeAt(0) === 0xfeff ? ' ' + file.text.slice(1) : file.text;
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  const first = errors[0];
  if (first || !root) {
    const offset = first?.offset ?? 0;
    const what = first ? describeParseError(printParseErrorCode(first.error)) : 'empty file';
    throw new InputError({
      severity: 'error',
      code: 'json-syntax',
      message: `invalid JSON: ${what}`,
      file: file.path,
      location: file.locationOf(offset, first?.length ?? 0),
    });
  }
  return { file, root, value: nodeValue(root) };
}

function describeParseError(code: string): string {
  // jsonc-parser's codes are identifiers such as 'CommaExpected'; make them read as words.
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
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
        Object.defineProperty(out, String(keyNode.value), {
          value: nodeValue(valueNode),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    case 'array':
      return (node.children ?? []).map(nodeValue);
    default:
      return node.value;
  }
}

/** Finds the value node of an object property, exact case first, then ignoring case (ARM's rule). */
export function childNode(node: JsonNode | undefined, key: string | number): JsonNode | undefined {
  if (!node) return undefined;
  if (typeof key === 'number') return node.type === 'array' ? node.children?.[key] : undefined;
  if (node.type !== 'object') return undefined;
  let loose: JsonNode | undefined;
  const lower = key.toLowerCase();
  for (const prop of node.children ?? []) {
    const k = prop.children?.[0]?.value;
    if (typeof k !== 'string') continue;
    if (k === key) return prop.children?.[1];
    if (!loose && k.toLowerCase() === lower) loose = prop.children?.[1];
  }
  return loose;
}

/** The key node of the property whose value is `valueNode`, for pointing at `"url": ...`. */
export function propertyKeyNode(valueNode: JsonNode): JsonNode | undefined {
  const parent = valueNode.parent;
  return parent?.type === 'property' ? parent.children?.[0] : undefined;
}
