import { readFileSync } from 'node:fs';
import type { Finding } from '../../findings/finding.js';
import { baselineFingerprint } from '../../findings/fingerprint.js';
import type { ScanOutput } from '../../scan.js';
import { visible } from '../../report/visible.js';
import { applyEdits } from '../../findings/text-edits.js';
import { planFixes } from '../apply-fixes.js';
import { EXIT, exitCodeFor, type FailOn } from '../exit-code.js';
import { unifiedDiff } from '../unified-diff.js';
import { WriteError, writeFileAtomic } from '../write-output.js';
import { runScan, type ScanFlags } from './scan.js';

export interface FixFlags extends ScanFlags {
  dryRun?: boolean;
  includeShared?: boolean;
}

/**
 * `tollgate fix`: scan, apply the findings' safe fixes (`Finding.fix`) file by file, print the unified diff,
 * write each file atomically (mode kept), then scan again and say what the fixes removed and what remains.
 * The exit code is the re-scan's, as `scan` gives it; with --dry-run nothing is written and it is the scan's.
 */
export function runFix(paths: string[], flags: FixFlags): number | Promise<number> {
  return runScan(paths, { ...flags, color: false, afterScan: (before, failOn) => fixAndRescan(paths, flags, before, failOn) });
}

function fixAndRescan(paths: string[], flags: FixFlags, before: ScanOutput, failOn: FailOn): number | Promise<number> {
  const plan = planFixes(before.findings, { includeShared: flags.includeShared });
  const say = (line: string) => process.stderr.write(`${visible(line)}\n`);
  for (const s of plan.skipped) say(`skipped: ${s.finding.ruleId} at ${place(s.finding)}: ${s.reason}`);
  let unwritten = false;
  const written: string[] = [];
  for (const [absPath, edits] of [...plan.edits].sort(([a], [b]) => a.localeCompare(b))) {
    let text: string;
    try {
      text = readFileSync(absPath, 'utf8');
    } catch (err) {
      say(`tollgate: cannot read ${edits[0]!.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      unwritten = true;
      continue;
    }
    const diff = unifiedDiff(edits[0]!.file, text, edits);
    // Byte-exact for `git apply` through a pipe; on a terminal, control characters of the input are shown, never run.
    process.stdout.write(process.stdout.isTTY ? visible(diff, 'lf') : diff);
    if (flags.dryRun) continue;
    try {
      writeFileAtomic(absPath, applyEdits(text, edits), { keepMode: true });
      written.push(edits[0]!.file);
    } catch (err) {
      if (!(err instanceof WriteError)) throw err;
      say(`tollgate: ${err.message}`);
      unwritten = true;
    }
  }
  const fixable = plan.applied.length;
  if (flags.dryRun) {
    say(`${fixable} finding${fixable === 1 ? '' : 's'} with a safe fix (dry run: nothing written); ${before.findings.length - fixable} without one or skipped`);
    return unwritten ? EXIT.inputErrors : exitCodeFor(before, failOn);
  }
  if (written.length === 0) {
    say(fixable === 0 ? 'no finding has a safe fix that applies' : 'nothing written');
    return unwritten ? EXIT.inputErrors : exitCodeFor(before, failOn);
  }
  say(`fixed ${written.length} file${written.length === 1 ? '' : 's'}: ${written.join(', ')}`);
  // The re-scan reads the files again: the proof that the fixes removed what they were for.
  return runScan(paths, {
    ...flags,
    color: false,
    afterScan: (after) => {
      const remaining = new Set(after.findings.map((f) => baselineFingerprint(f)));
      const stillThere = plan.applied.filter((f) => remaining.has(baselineFingerprint(f)));
      const removed = before.findings.filter((f) => !remaining.has(baselineFingerprint(f))).length;
      say(`re-scan: ${removed} finding${removed === 1 ? '' : 's'} fewer (${before.findings.length} before, ${after.findings.length} after)`);
      for (const f of stillThere) say(`still reported after its fix: ${f.ruleId} at ${place(f)}: ${f.message}`);
      const left = after.findings.length;
      if (left) say(`${left} finding${left === 1 ? '' : 's'} remain${left === 1 ? 's' : ''} (without a safe fix, or skipped):`);
      for (const f of after.findings) say(`  ${f.ruleId} at ${place(f)}${f.fix ? ' (has a fix)' : ''}`);
      return unwritten ? EXIT.inputErrors : exitCodeFor(after, failOn);
    },
  });
}

function place(f: Finding): string {
  return f.location ? `${f.location.file}:${f.location.start.line}:${f.location.start.column}` : f.file;
}
