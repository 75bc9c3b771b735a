import type { ScanResult } from '../../src/evaluate/scan-result.js';
import type { Finding } from '../../src/findings/finding.js';
import { httpBackendFinding, POLICY_ID, scanFixture } from './fixture.js';

export const NASTY = `Backend 'a|b' sets <tls> & "quotes", 100% = bad,\nsecond line`;

/** The shared fixture with the hard cases: special characters in a message, a suppressed finding. */
export function richFixture(): ScanResult {
  const result = scanFixture();
  const nasty = (f: Finding): Finding => (f.ruleId === POLICY_ID ? { ...f, message: NASTY } : f);
  const suppressed = { ...httpBackendFinding(), suppression: { kind: 'inSource' as const, justification: 'legacy partner', expires: '2099-01-01' } };
  return {
    ...result,
    findings: result.findings.map(nasty),
    results: result.results.map((r) => ({ ...r, findings: r.findings.map(nasty) })),
    suppressed: [suppressed],
  };
}
