import { isExpression } from '../arm/expression/parser.js';
import type { Fix, TextEdit } from '../findings/finding.js';
import { describeFixIntent, type FixIntent, type FixValue } from '../findings/fix-intent.js';
import { childNode, type JsonDocument, type JsonNode } from '../load/json-document.js';
import type { SourceLocation } from '../load/source-file.js';
import type { Resource, ValueOrigin } from '../resources/resource.js';
import { parsePath } from '../resources/value.js';
import { renderProperty, renderValue, styleAt } from './fix-render.js';

/** A value to replace: a literal node of a file the user owns. */
interface Replacement {
  document: JsonDocument;
  node: JsonNode;
  value: FixValue;
}

/** Properties to add to a literal object where the path stops being written. */
interface Insertion {
  document: JsonDocument;
  object: JsonNode;
  /** The missing keys, outermost first, and the value of the innermost. */
  keys: string[];
  value: FixValue;
}

/**
 * Turns a rule's fix intent into text edits at the places the values are written: the literal in the
 * template or Bicep file, or, when the property is exactly one parameter, that parameter's value in the
 * parameter file (.json or .bicepparam) or its default. Nothing is returned when any of those places is
 * not a literal (an expression, a variable, a computed object): a fix is all or nothing. Runs only for
 * failing findings, so its cost (a walk of the declaring file per set) is off the hot path.
 */
export function computeFix(resource: Resource, intent: FixIntent): Fix | undefined {
  if (resource.source.kind !== 'template' || intent.set.length === 0) return undefined;
  const replacements: Replacement[] = [];
  const insertions: Insertion[] = [];
  const shared = new Set<string>();
  for (const { path, value } of intent.set) {
    const segments = parsePath(path);
    const located = resource.source.locate(segments);
    const node = located.node;
    if (!node || located.depth === undefined) return undefined;
    const document = resource.source.document;
    if (located.exact) {
      if (isLiteral(node, document)) {
        replacements.push({ document, node, value });
        continue;
      }
      const target = parameterTarget(resource, node, located.origins);
      if (!target) return undefined;
      replacements.push({ document: target.document, node: target.node, value });
      for (const use of otherUses(document, target.parameter, node)) shared.add(use);
      // A module's or linked template's default is also the value of every other deployment of it that does not set it.
      if (target.document === document && resource.source.declaration?.includes(' > '))
        shared.add(`every deployment of ${document.file.path} that does not set '${target.parameter}'`);
      continue;
    }
    const rest = segments.slice(located.depth);
    // Only keys are added: the object must be written as braces; its other values may be anything.
    if (!isWrittenObject(node, document) || rest.some((s) => typeof s !== 'string')) return undefined;
    insertions.push({ document, object: node, keys: rest as string[], value });
  }
  const edits = [...replacements.map(replacementEdit), ...groupInsertions(insertions).map((g) => insertionEdit(g.document, g.object, g.tree))];
  if (edits.some((e) => e === undefined)) return undefined;
  const unique = dedupeEdits(edits as TextEdit[]);
  if (overlapping(unique)) return undefined;
  return { description: describeFixIntent(intent), edits: unique, ...(shared.size > 0 && { sharedWith: [...shared] }) };
}

const isBicep = (document: JsonDocument) => /\.bicep(param)?$/i.test(document.file.absPath);

/**
 * A node written as a literal of its kind, checked on the text as well as on the tree: a lowered Bicep node
 * whose text is not the literal (an implied or synthesised value) is never rewritten.
 */
function isLiteral(node: JsonNode, document: JsonDocument): boolean {
  const text = document.file.text.slice(node.offset, node.offset + node.length);
  const bicep = isBicep(document);
  switch (node.type) {
    case 'string':
      return typeof node.value === 'string' && !isExpression(node.value) && text.startsWith(bicep ? "'" : '"');
    case 'boolean':
      return text === String(node.value);
    case 'null':
      return text === 'null';
    case 'number':
      return /^-?\d/.test(text);
    case 'array':
      return text.startsWith('[') && text.endsWith(']') && (node.children ?? []).every((c) => isLiteral(c, document));
    case 'object':
      return (
        text.startsWith('{') &&
        text.endsWith('}') &&
        (node.children ?? []).every((p) => p.children?.[1] !== undefined && p.children[0]?.type === 'string' && isLiteral(p.children[1], document))
      );
    default:
      return false;
  }
}

function isWrittenObject(node: JsonNode, document: JsonDocument): boolean {
  const text = document.file.text;
  return node.type === 'object' && text[node.offset] === '{' && text[node.offset + node.length - 1] === '}';
}

const PARAMETER_REFERENCE = /^\[\s*parameters\(\s*'([^']+)'\s*\)\s*\]$/i;

/**
 * The value a property written as exactly one parameter (`[parameters('x')]`, Bicep `x`) takes: the parameter
 * file's entry or the default, when that is a literal and the expander's own trace (`origins`) agrees it is
 * where the value came from (a module's parameter, given by its caller, is not).
 */
function parameterTarget(
  resource: Resource,
  node: JsonNode,
  origins: readonly ValueOrigin[],
): { document: JsonDocument; node: JsonNode; parameter: string } | undefined {
  const template = resource.source.document;
  const match = typeof node.value === 'string' ? PARAMETER_REFERENCE.exec(node.value) : null;
  if (!match || origins.length !== 1) return undefined;
  const parameter = match[1]!;
  if (isBicep(template) && template.file.text.slice(node.offset, node.offset + node.length) !== parameter) return undefined;
  const file = resource.source.parameterFile;
  const candidates: { document: JsonDocument; node: JsonNode | undefined }[] = [
    { document: template, node: childNode(childNode(childNode(template.root, 'parameters'), parameter), 'defaultValue') },
  ];
  if (file) candidates.unshift({ document: file, node: childNode(childNode(childNode(file.root, 'parameters'), parameter), 'value') });
  const origin = origins[0]!.location;
  for (const c of candidates) {
    if (!c.node || !sameLocation(c.document.file.locationOf(c.node.offset, c.node.length), origin)) continue;
    return isLiteral(c.node, c.document) ? { document: c.document, node: c.node, parameter } : undefined;
  }
  return undefined;
}

function sameLocation(a: SourceLocation, b: SourceLocation): boolean {
  return a.file === b.file && a.start.line === b.start.line && a.start.column === b.start.column && a.end.line === b.end.line && a.end.column === b.end.column;
}

/** Where else the template reads the parameter: each such expression is changed by the fix too. */
function otherUses(template: JsonDocument, parameter: string, except: JsonNode): string[] {
  const reads = new RegExp(`parameters\\(\\s*'${parameter.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'\\s*\\)`, 'i');
  const out: string[] = [];
  const walk = (node: JsonNode) => {
    if (node.type === 'string' && node !== except && typeof node.value === 'string' && isExpression(node.value) && reads.test(node.value)) {
      const at = template.file.positionAt(node.offset);
      out.push(`${template.file.path}:${at.line}:${at.column} (parameter '${parameter}')`);
    }
    for (const child of node.children ?? []) walk(child);
  };
  walk(template.root);
  return out;
}

function edit(document: JsonDocument, start: number, end: number, newText: string): TextEdit {
  const file = document.file;
  return {
    absPath: file.absPath,
    file: file.path,
    startOffset: start,
    endOffset: end,
    range: { start: file.positionAt(start), end: file.positionAt(end) },
    newText,
  };
}

function replacementEdit(r: Replacement): TextEdit {
  const style = styleAt(r.document.file.text, r.node.offset, isBicep(r.document));
  return edit(r.document, r.node.offset, r.node.offset + r.node.length, renderValue(r.value, style, style.indent));
}

type InsertTree = Map<string, InsertTree | { value: FixValue }>;

/** Insertions into the same object become one edit: the missing keys merged into a tree. */
function groupInsertions(insertions: readonly Insertion[]): { document: JsonDocument; object: JsonNode; tree: InsertTree }[] {
  const groups = new Map<JsonNode, { document: JsonDocument; object: JsonNode; tree: InsertTree }>();
  for (const ins of insertions) {
    let group = groups.get(ins.object);
    if (!group) groups.set(ins.object, (group = { document: ins.document, object: ins.object, tree: new Map() }));
    let tree = group.tree;
    ins.keys.forEach((key, i) => {
      if (i === ins.keys.length - 1) tree.set(key, { value: ins.value });
      else {
        const next = tree.get(key);
        if (next instanceof Map) tree = next;
        else tree.set(key, (tree = new Map()));
      }
    });
  }
  return [...groups.values()];
}

function treeValue(tree: InsertTree): FixValue {
  const out: Record<string, FixValue> = {};
  for (const [key, v] of tree) out[key] = v instanceof Map ? treeValue(v) : v.value;
  return out;
}

/**
 * Adds properties to a literal object in the file's own style: on new lines at the indentation of the
 * object's properties (on the same line for a one-line object), after the last property and its comma or
 * line comment, with the file's line ending.
 */
function insertionEdit(document: JsonDocument, object: JsonNode, tree: InsertTree): TextEdit | undefined {
  const text = document.file.text;
  const bicep = isBicep(document);
  const entries = Object.entries(treeValue(tree) as Record<string, FixValue>);
  const props = object.children ?? [];
  const objectStyle = styleAt(text, object.offset, bicep);
  const last = props[props.length - 1];
  if (!last) {
    // `{}` (or braces with only white space between them): write the properties inside.
    const inner = text.slice(object.offset + 1, object.offset + object.length - 1);
    if (inner.trim() !== '') return undefined;
    const indent = objectStyle.indent + objectStyle.unit;
    const lines = entries.map(([k, v]) => `${indent}${renderProperty(k, v, objectStyle, indent)}`);
    const body = `${objectStyle.eol}${lines.join(bicep ? objectStyle.eol : `,${objectStyle.eol}`)}${objectStyle.eol}${objectStyle.indent}`;
    return edit(document, object.offset + 1, object.offset + object.length - 1, body);
  }
  const first = props[0]!;
  const lastEnd = last.offset + last.length;
  const oneLine = !text.slice(object.offset, first.offset).includes('\n') && !text.slice(first.offset, lastEnd).includes('\n');
  if (oneLine) {
    const style = { ...objectStyle, oneLine: true };
    const added = entries.map(([k, v]) => renderProperty(k, v, style, objectStyle.indent)).join(', ');
    return edit(document, lastEnd, lastEnd, `, ${added}`);
  }
  const style = styleAt(text, first.offset, bicep);
  const indent = style.indent;
  const lines = entries.map(([k, v]) => `${indent}${renderProperty(k, v, style, indent)}`);
  // After the last property: its comma (JSON) and a line comment stay on its line.
  let at = lastEnd;
  while (text[at] === ' ' || text[at] === '\t') at++;
  const comma = !bicep && text[at] === ',';
  if (comma) at++;
  while (text[at] === ' ' || text[at] === '\t') at++;
  const comment = text.startsWith('//', at);
  const lineEnd = comment ? endOfLine(text, at) : at;
  if (bicep) return edit(document, lineEnd, lineEnd, lines.map((l) => `${style.eol}${l}`).join(''));
  if (comma) return edit(document, lineEnd, lineEnd, lines.map((l) => `${style.eol}${l},`).join(''));
  const added = lines.map((l) => `${style.eol}${l}`).join(',');
  // No comma after the last property: one goes right after its value, before any comment.
  return comment ? edit(document, lastEnd, lineEnd, `,${text.slice(lastEnd, lineEnd)}${added}`) : edit(document, lastEnd, lastEnd, `,${added}`);
}

function endOfLine(text: string, from: number): number {
  const n = text.indexOf('\n', from);
  const end = n < 0 ? text.length : n;
  return text[end - 1] === '\r' ? end - 1 : end;
}

function dedupeEdits(edits: readonly TextEdit[]): TextEdit[] {
  const seen = new Map<string, TextEdit>();
  for (const e of edits) seen.set(`${e.absPath}\u0000${e.startOffset}\u0000${e.endOffset}\u0000${e.newText}`, e);
  return [...seen.values()];
}

/** Two edits of one file that touch the same text (an insertion at the same point counts). */
export function overlapping(edits: readonly TextEdit[]): boolean {
  const sorted = [...edits].sort((a, b) => a.absPath.localeCompare(b.absPath) || a.startOffset - b.startOffset || a.endOffset - b.endOffset);
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    if (a.absPath === b.absPath && (b.startOffset < a.endOffset || (b.startOffset === a.startOffset && b.startOffset === a.endOffset))) return true;
  }
  return false;
}
