import type { Finding, Fix, TextEdit } from '../findings/finding.js';

/** A fix `tollgate fix` did not apply, and why. */
export interface SkippedFix {
  finding: Finding;
  reason: string;
}

export interface FixPlan {
  /** The findings whose fixes apply, in order. */
  applied: Finding[];
  skipped: SkippedFix[];
  /** The edits to make, by absolute path, in file order. */
  edits: Map<string, TextEdit[]>;
}

/**
 * Chooses the fixes to apply: those of findings that have one, shared ones only when asked, and of two fixes
 * whose edits overlap the first (in the order given). A fix applies whole or not at all. An edit already
 * planned (the same text at the same place, e.g. one parameter two findings read) is made once; insertions at
 * the same point are both made, in order.
 */
export function planFixes(findings: readonly Finding[], options: { includeShared?: boolean } = {}): FixPlan {
  const plan: FixPlan = { applied: [], skipped: [], edits: new Map() };
  const ownerOf = new Map<TextEdit, Finding>();
  for (const finding of findings) {
    const fix = finding.fix;
    if (!fix) continue;
    if (fix.sharedWith?.length && !options.includeShared) {
      plan.skipped.push({ finding, reason: `the value is shared (${fix.sharedWith.join(', ')}); --include-shared applies it` });
      continue;
    }
    const fresh: TextEdit[] = [];
    let conflict: Finding | undefined;
    for (const e of fix.edits) {
      const planned = plan.edits.get(e.absPath) ?? [];
      if (planned.some((p) => sameEdit(p, e))) continue;
      const clash = planned.find((p) => overlaps(p, e));
      if (clash) {
        conflict = ownerOf.get(clash);
        break;
      }
      fresh.push(e);
    }
    if (conflict) {
      plan.skipped.push({
        finding,
        reason: `its edit overlaps the fix of ${conflict.ruleId} at ${where(conflict.fix!)}; run tollgate fix again after this one`,
      });
      continue;
    }
    for (const e of fresh) {
      const list = plan.edits.get(e.absPath) ?? [];
      list.push(e);
      plan.edits.set(e.absPath, list);
      ownerOf.set(e, finding);
    }
    plan.applied.push(finding);
  }
  // Stable: insertions at one point keep the order their fixes were planned in.
  for (const list of plan.edits.values()) list.sort((a, b) => a.startOffset - b.startOffset || a.endOffset - b.endOffset);
  return plan;
}

function sameEdit(a: TextEdit, b: TextEdit): boolean {
  return a.startOffset === b.startOffset && a.endOffset === b.endOffset && a.newText === b.newText;
}

/** Two edits that change the same text; two insertions at one point, or an insertion at a replacement's edge, do not. */
function overlaps(a: TextEdit, b: TextEdit): boolean {
  if (a.startOffset === a.endOffset || b.startOffset === b.endOffset)
    return a.startOffset === a.endOffset
      ? a.startOffset > b.startOffset && a.startOffset < b.endOffset
      : b.startOffset > a.startOffset && b.startOffset < a.endOffset;
  return a.startOffset < b.endOffset && b.startOffset < a.endOffset;
}

function where(fix: Fix): string {
  const e = fix.edits[0];
  return e ? `${e.file}:${e.range.start.line}:${e.range.start.column}` : 'the same place';
}
