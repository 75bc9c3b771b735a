import { CodeActionKind, type CodeAction, type TextEdit as LspTextEdit, type WorkspaceEdit } from 'vscode-languageserver/node';
import type { Finding } from '../findings/finding.js';
import { parseJson, type JsonNode } from '../load/json-parser.js';
import { fileUri, lspRange, type Entry } from './diagnostics.js';

/** How long a suppression written from the editor lasts: it should be looked at again, not forgotten. */
export const SUPPRESSION_DAYS = 90;

/** What the user replaces: a suppression must say why the risk is accepted. */
export const REASON_PLACEHOLDER = 'REASON: say why this risk is accepted';

/** The quick fixes for the findings under the cursor: the rule's fix when it has one, and a suppression. */
export function codeActionsFor(entries: readonly Entry[], uri: string, text: string, today: Date): CodeAction[] {
  const actions: CodeAction[] = [];
  for (const entry of entries) {
    const finding = entry.finding;
    if (!finding) continue;
    const fix = fixAction(entry, finding);
    if (fix) actions.push(fix);
    const suppress = suppressAction(entry, finding, uri, text, today);
    if (suppress) actions.push(suppress);
  }
  return actions;
}

/** `finding.fix` as a workspace edit: every edit of the fix, in the files it names, applied together. */
function fixAction(entry: Entry, finding: Finding): CodeAction | undefined {
  const fix = finding.fix;
  if (!fix?.edits.length) return undefined;
  const changes: Record<string, LspTextEdit[]> = {};
  for (const edit of fix.edits) (changes[fileUri(edit.absPath)] ??= []).push({ range: lspRange(edit.range), newText: edit.newText });
  const shared = fix.sharedWith?.length ? ` (also changes ${fix.sharedWith.join(', ')})` : '';
  return {
    title: `Fix ${finding.ruleId}: ${fix.description}${shared}`,
    kind: CodeActionKind.QuickFix,
    diagnostics: [entry.diagnostic],
    // A fix that changes a value other resources share is offered, not preferred: the user must look.
    isPreferred: !shared,
    edit: { changes },
  };
}

function suppressAction(entry: Entry, finding: Finding, uri: string, text: string, today: Date): CodeAction | undefined {
  const line = entry.diagnostic.range.start.line;
  const expires = addDays(today, SUPPRESSION_DAYS);
  const edit = /\.bicep$/i.test(new URL(uri).pathname)
    ? bicepSuppression(text, line, finding.ruleId, expires)
    : /\.jsonc?$/i.test(new URL(uri).pathname)
      ? jsonSuppression(text, entry.diagnostic.range.start, finding.ruleId, expires)
      : undefined;
  if (!edit) return undefined;
  const workspaceEdit: WorkspaceEdit = { changes: { [uri]: [edit] } };
  return {
    title: `Suppress ${finding.ruleId} here until ${expires} (with a reason)`,
    kind: CodeActionKind.QuickFix,
    diagnostics: [entry.diagnostic],
    edit: workspaceEdit,
  };
}

/** `// tollgate-disable-next-line RULE expires:DATE REASON` above the finding's line, at its indentation. */
export function bicepSuppression(text: string, line: number, ruleId: string, expires: string): LspTextEdit {
  const lineText = text.split(/\r?\n/)[line] ?? '';
  const indent = /^\s*/.exec(lineText)![0];
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  return {
    range: { start: { line, character: 0 }, end: { line, character: 0 } },
    newText: `${indent}// tollgate-disable-next-line ${ruleId} expires:${expires} ${REASON_PLACEHOLDER}${eol}`,
  };
}

/**
 * A JSON template has no comments Tollgate reads: its in-source suppressions are the resource's
 * `metadata.tollgate.suppress` list (ARM keeps resource metadata). The entry goes into the
 * innermost resource declaration holding the finding, creating what is missing of the path.
 */
export function jsonSuppression(text: string, at: { line: number; character: number }, ruleId: string, expires: string): LspTextEdit | undefined {
  let root: JsonNode;
  try {
    root = parseJson(text);
  } catch {
    return undefined;
  }
  const offset = offsetOf(text, at.line, at.character);
  const resource = innermostResource(root, offset);
  if (!resource) return undefined;
  const entry = `{ "rule": ${JSON.stringify(ruleId)}, "reason": ${JSON.stringify(REASON_PLACEHOLDER)}, "expires": "${expires}" }`;
  const metadata = property(resource, 'metadata');
  if (!metadata || metadata.type !== 'object') {
    if (metadata) return undefined;
    return insertProperty(text, resource, `"metadata": { "tollgate": { "suppress": [${entry}] } }`);
  }
  const tollgate = property(metadata, 'tollgate');
  if (!tollgate) return insertProperty(text, metadata, `"tollgate": { "suppress": [${entry}] }`);
  if (tollgate.type !== 'object') return undefined;
  const suppress = property(tollgate, 'suppress');
  if (!suppress) return insertProperty(text, tollgate, `"suppress": [${entry}]`);
  if (suppress.type !== 'array') return undefined;
  const at0 = positionOf(text, suppress.offset + 1);
  return { range: { start: at0, end: at0 }, newText: suppress.children?.length ? `${entry}, ` : entry };
}

/** A new first property of an object: on its own line at the indentation of the others, or inline in `{ }`. */
function insertProperty(text: string, object: JsonNode, property: string): LspTextEdit {
  const first = object.children?.[0];
  if (first) {
    const start = positionOf(text, first.offset);
    const lineStart = text.lastIndexOf('\n', first.offset - 1) + 1;
    const before = text.slice(lineStart, first.offset);
    if (/^\s*$/.test(before)) {
      const eol = text.includes('\r\n') ? '\r\n' : '\n';
      const at = { line: start.line, character: 0 };
      return { range: { start: at, end: at }, newText: `${before}${property},${eol}` };
    }
    return { range: { start, end: start }, newText: `${property}, ` };
  }
  const at = positionOf(text, object.offset + 1);
  return { range: { start: at, end: at }, newText: ` ${property} ` };
}

function property(object: JsonNode, key: string): JsonNode | undefined {
  return object.children?.find((p) => p.children?.[0]?.value === key)?.children?.[1];
}

/** The innermost object around the offset that declares a resource (`type` and `name`). */
function innermostResource(root: JsonNode, offset: number): JsonNode | undefined {
  let found: JsonNode | undefined;
  const visit = (node: JsonNode) => {
    if (offset < node.offset || offset > node.offset + node.length) return;
    if (node.type === 'object' && property(node, 'type') && property(node, 'name')) found = node;
    for (const c of node.children ?? []) visit(c);
  };
  visit(root);
  return found;
}

function offsetOf(text: string, line: number, character: number): number {
  let offset = 0;
  for (let l = 0; l < line; l++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  return offset + character;
}

function positionOf(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, character: offset - lineStart };
}

/** The ISO date (YYYY-MM-DD, UTC) `days` after `from`. */
export function addDays(from: Date, days: number): string {
  return new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate() + days)).toISOString().slice(0, 10);
}
