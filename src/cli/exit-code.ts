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
 * else 1 when a finding is at error level (a Deny effect or an error-level rule), else 0.
 */
export function exitCodeFor(result: ScanResult): number {
  if (result.diagnostics.some((d) => d.severity === 'error')) return EXIT.inputErrors;
  if (result.findings.some((f) => f.level === 'error')) return EXIT.findings;
  return EXIT.ok;
}
