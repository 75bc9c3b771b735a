import type { Token } from '../../src/bicep/syntax/lexer.js';
import { isToken, type Child } from '../../src/bicep/syntax/tree.js';
import { SourceFile } from '../../src/load/source-file.js';

/**
 * Reads and writes the official compiler's dump formats (`main.tokens.bicep`,
 * `main.syntax.bicep`) as comparable lines: `depth kind startColumn:endFromLineStart`, where
 * both numbers count UTF-16 units from the start of the line the item starts on.
 */
export interface DumpLine {
  depth: number;
  kind: string;
  start: number;
  end: number;
}

const ANNOTATION = /^\/\/@\[(\d+):(\d+)\) (.*)$/;

export function readTokenDump(text: string): DumpLine[] {
  const out: DumpLine[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = ANNOTATION.exec(line);
    if (!m) continue;
    const kind = /^(\w+)/.exec(m[3]!)![1]!;
    out.push({ depth: 0, kind, start: Number(m[1]), end: Number(m[2]) });
  }
  return out;
}

export function readSyntaxDump(text: string): DumpLine[] {
  const out: DumpLine[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = ANNOTATION.exec(line);
    if (!m) continue;
    const rest = m[3]!;
    const dash = rest.indexOf('─');
    const depth = dash < 0 ? 0 : (dash + 1) / 2;
    const kind = /^(\w+(?:\(\w+\))?)/.exec(dash < 0 ? rest : rest.slice(dash + 1))![1]!;
    out.push({ depth, kind, start: Number(m[1]), end: Number(m[2]) });
  }
  return out;
}

/** Where the line of an offset starts (the dumps count columns from there). */
function lineStartOf(file: SourceFile, offset: number): number {
  return offset - (file.positionAt(offset).column - 1);
}

export function tokenLines(tokens: Token[], text: string): DumpLine[] {
  const file = new SourceFile('/dump', 'dump', text);
  return tokens.map((t) => {
    const base = lineStartOf(file, t.start);
    return { depth: 0, kind: t.kind, start: t.start - base, end: t.end - base };
  });
}

export function syntaxLines(root: Child, text: string): DumpLine[] {
  const file = new SourceFile('/dump', 'dump', text);
  const out: DumpLine[] = [];
  const walk = (c: Child, depth: number) => {
    const base = lineStartOf(file, c.start);
    out.push({ depth, kind: isToken(c) ? `Token(${c.kind})` : c.kind, start: c.start - base, end: c.end - base });
    if (!isToken(c)) for (const child of c.children) walk(child, depth + 1);
  };
  walk(root, 0);
  return out;
}

/** The first place two dumps differ, for a readable failure; undefined when they are equal. */
export function firstDifference(actual: DumpLine[], expected: DumpLine[]): string | undefined {
  const n = Math.max(actual.length, expected.length);
  const show = (d: DumpLine | undefined) => (d ? `${'  '.repeat(d.depth)}${d.kind} [${d.start}:${d.end})` : '(nothing)');
  for (let i = 0; i < n; i++) {
    const a = actual[i];
    const e = expected[i];
    if (!a || !e || a.depth !== e.depth || a.kind !== e.kind || a.start !== e.start || a.end !== e.end) {
      return `item ${i}: expected ${show(e)}, got ${show(a)}`;
    }
  }
  return undefined;
}
