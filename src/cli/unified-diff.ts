import type { TextEdit } from '../findings/finding.js';
import { applyEdits } from '../findings/text-edits.js';

const CONTEXT = 3;

/**
 * A unified diff (`git apply` and `patch -p1` read it) of the edits to one file. The changed lines are known
 * from the edits, so no general diff algorithm is needed: each run of edits close together becomes one hunk of
 * the whole lines they touch, with three lines of context.
 */
export function unifiedDiff(file: string, text: string, edits: readonly TextEdit[]): string {
  if (edits.length === 0) return '';
  const oldLines = splitLines(text);
  const starts = lineStarts(text);
  const lineOf = (offset: number) => upperBound(starts, offset) - 1;
  // Whole lines touched by each edit (0-based, inclusive).
  const spans = edits.map((e) => ({
    edit: e,
    first: lineOf(e.startOffset),
    last: lineOf(Math.max(e.startOffset, e.endOffset - (e.endOffset > e.startOffset ? 1 : 0))),
  }));
  const groups: (typeof spans)[] = [];
  for (const s of spans) {
    const g = groups[groups.length - 1];
    if (g && s.first - g[g.length - 1]!.last <= 2 * CONTEXT) g.push(s);
    else groups.push([s]);
  }
  let out = `--- a/${file}\n+++ b/${file}\n`;
  let delta = 0;
  for (const g of groups) {
    const first = g[0]!.first;
    const last = Math.max(...g.map((s) => s.last));
    const regionStart = starts[first]!;
    const regionEnd = last + 1 < starts.length ? starts[last + 1]! : text.length;
    const region = text.slice(regionStart, regionEnd);
    const shifted = g.map((s) => ({ ...s.edit, startOffset: s.edit.startOffset - regionStart, endOffset: s.edit.endOffset - regionStart }));
    const removed = splitLines(region);
    const added = splitLines(applyEdits(region, shifted));
    // Lines the edits left as they were, at either end, are context rather than change.
    let head = 0;
    while (head < removed.length && head < added.length && removed[head] === added[head]) head++;
    let tail = 0;
    while (tail < removed.length - head && tail < added.length - head && removed[removed.length - 1 - tail] === added[added.length - 1 - tail]) tail++;
    const changeFrom = first + head;
    const before = Math.max(0, changeFrom - CONTEXT);
    const changeTo = last - tail; // last old line changed (may be < changeFrom for a pure insertion)
    const after = Math.min(oldLines.length - 1, changeTo + CONTEXT);
    const minus = removed.slice(head, removed.length - tail);
    const plus = added.slice(head, added.length - tail);
    const lines = [
      ...oldLines.slice(before, changeFrom).map((l) => ` ${l}`),
      ...minus.map((l) => `-${l}`),
      ...plus.map((l) => `+${l}`),
      ...oldLines.slice(changeTo + 1, after + 1).map((l) => ` ${l}`),
    ];
    const oldCount = after - before + 1;
    const newCount = oldCount - minus.length + plus.length;
    const oldStart = oldCount === 0 ? before : before + 1;
    out += `@@ -${oldStart},${oldCount} +${oldStart + delta},${newCount} @@\n${lines.join('\n')}\n`;
    delta += plus.length - minus.length;
  }
  return out;
}

/** Lines without their breaks (a final line break does not start an empty line). */
function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) if (i + 1 < text.length) starts.push(i + 1);
  }
  return starts;
}

/** The index of the first element greater than `x`. */
function upperBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
