import type { ScanResult } from '../../src/evaluate/scan-result.js';
import type { Finding, ResourceRef } from '../../src/findings/finding.js';
import { at, httpBackendFinding, NATIVE_ID, PARAMETERS, PAYMENTS, POLICY_ID, scanFixture, TEMPLATE } from './fixture.js';

/** Every character the formats must escape, a backtick and a line break. */
export const NASTY = `Backend 'a|b' sets <tls> & "quotes", 100% = \`bad\`,\nsecond line`;

/** A resource of the same type and name as PAYMENTS, deployed to another resource group by a nested deployment. */
export const PAYMENTS_ELSEWHERE: ResourceRef = { ...PAYMENTS, id: PAYMENTS.id.replace('tollgate-rg', 'other-rg') };

/**
 * The shared fixture with the hard cases: special characters in a message, a suppressed finding,
 * a skipped check, a rule that crashed (with special characters in its reason), and two
 * resources with the same type and name.
 */
export function richFixture(): ScanResult {
  const result = scanFixture();
  const nasty = (f: Finding): Finding => (f.ruleId === POLICY_ID ? { ...f, message: NASTY } : f);
  const suppressed = { ...httpBackendFinding(), suppression: { kind: 'inSource' as const, justification: 'legacy partner', expires: '2099-01-01' } };
  return {
    ...result,
    // A suppressed finding is listed under `suppressed`, not `findings`; its rule result still fails.
    findings: result.findings.filter((f) => !(f.ruleId === NATIVE_ID && f.resource === PAYMENTS)).map(nasty),
    results: [
      ...result.results.map((r) => ({ ...r, findings: r.findings.map(nasty) })),
      { ruleId: NATIVE_ID, resource: PAYMENTS_ELSEWHERE, file: TEMPLATE, parameterFile: PARAMETERS, outcome: 'pass', findings: [] },
      {
        ruleId: POLICY_ID,
        resource: PAYMENTS_ELSEWHERE,
        file: TEMPLATE,
        parameterFile: PARAMETERS,
        outcome: 'skip',
        reason: 'the backend has no tls block',
        findings: [],
      },
      {
        ruleId: 'APIM-Ciphers',
        resource: PAYMENTS,
        file: TEMPLATE,
        parameterFile: PARAMETERS,
        outcome: 'error',
        reason: `rule crashed on <customProperties> & "keys"`,
        findings: [],
      },
    ],
    suppressed: [suppressed],
    // Not evaluated: a definition that needs a parameter, one whose effect is Disabled, and a linked template not followed.
    notRun: [
      {
        id: '567c93f7-3661-494f-a30f-0a94d9bfebf8',
        title: 'Enable logging <to> Log Analytics',
        kind: 'policy',
        reason: 'needs-parameters',
        detail: "needs parameter 'logAnalytics' (no default)",
      },
      { id: '549814b6-3212-4203-bdc8-1548d342fb67', title: 'Disabled one', kind: 'policy', reason: 'effect-disabled', detail: 'effect Disabled' },
    ],
    units: result.units.map((u, i) =>
      i === 0
        ? {
            ...u,
            notFollowed: [
              {
                kind: 'remote-link' as const,
                deployment: 'links|<b>',
                file: TEMPLATE,
                location: at(TEMPLATE, 70, 9, 30),
                detail: 'the linked template https://example.com/a|b.json is remote and is not fetched',
              },
            ],
          }
        : u,
    ),
  };
}
