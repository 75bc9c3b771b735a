import type { TextEdit } from './finding.js';

/** The text with the edits made: sorted by offset, not overlapping, offsets into `text` (`tollgate fix`, the rule tester). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let out = '';
  let at = 0;
  for (const e of edits) {
    out += text.slice(at, e.startOffset) + e.newText;
    at = e.endOffset;
  }
  return out + text.slice(at);
}
