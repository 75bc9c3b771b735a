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
  const original = file.text.charCodeAt(0) === 0xfeff ? ' ' + file.text.slice(1) : file.text;
  // Azure also accepts raw line breaks and tabs inside strings (multi-line strings); the parser
  // does not, so they are blanked for parsing and the affected strings decoded afterwards.
  const { text, blanked } = blankControlCharactersInStrings(original);
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  if (root && blanked && !errors.length) restoreStrings(root, original);
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

/**
 * Replaces raw CR, LF and TAB characters inside string literals by spaces (same length, so
 * every offset stays that of the file). Comments are skipped so that a quote in a comment
 * does not start a string.
 */
function blankControlCharactersInStrings(text: string): { text: string; blanked: boolean } {
  if (!/[\r\n\t]/.test(text)) return { text, blanked: false };
  let out: string[] | undefined;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text.charCodeAt(i);
    if (ch === 47 /* / */ && text.charCodeAt(i + 1) === 47) {
      while (i < n && text.charCodeAt(i) !== 10) i++;
    } else if (ch === 47 && text.charCodeAt(i + 1) === 42 /* * */) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (ch === 34 /* " */) {
      i++;
      while (i < n) {
        const c = text.charCodeAt(i);
        if (c === 92 /* backslash: skip the escaped character */) {
          i += 2;
          continue;
        }
        if (c === 34) break;
        if (c === 10 || c === 13 || c === 9) {
          out ??= text.split('');
          out[i] = ' ';
        }
        i++;
      }
      i++;
    } else {
      i++;
    }
  }
  return out ? { text: out.join(''), blanked: true } : { text, blanked: false };
}

/** Decodes again, from the file's own text, every string that held a raw control character. */
function restoreStrings(node: JsonNode, original: string): void {
  if (node.type === 'string') {
    const raw = original.slice(node.offset, node.offset + node.length);
    if (/[\r\n\t]/.test(raw)) (node as { value: unknown }).value = JSON.parse(raw.replace(/\r/g, '\\r').replace(/\n/g, '\\n').replace(/\t/g, '\\t'));
  }
  for (const child of node.children ?? []) restoreStrings(child, original);
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
