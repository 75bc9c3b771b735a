import type { ScanResult } from '../evaluate/scan-result.js';

/** The documented exit codes; scripts and CI systems depend on them. */
export const EXIT = {
  ok: 0,
  findings: 1,
  usage: 2,
  inputErrors: 3,
} as const;

/**
 * 3 when some input could not be analysed (the result is incomplete, whatever it found),
 * else 1 when a finding is at the fail-on level or above (by default error: a Deny effect or
 * an error-level rule), else 0. Suppressed findings never count.
 */
export function exitCodeFor(result: ScanResult, failOn: FailOn = 'error'): number {
  if (result.diagnostics.some((d) => d.severity === 'error')) return EXIT.inputErrors;
  if (failOn !== 'never' && result.findings.some((f) => LEVEL_RANK[f.level] >= LEVEL_RANK[failOn])) return EXIT.findings;
  return EXIT.ok;
}

/** The lowest finding level that fails the run (`--fail-on`, config `failOn`). */
export type FailOn = 'error' | 'warning' | 'note' | 'never';
export const FAIL_ON: readonly FailOn[] = ['error', 'warning', 'note', 'never'];

const LEVEL_RANK: Record<Exclude<FailOn, 'never'>, number> = { note: 0, warning: 1, error: 2 };
