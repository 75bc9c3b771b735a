import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { scan } from '../../src/scan.js';
import { repoRoot } from '../helpers.js';

// Every .bicep file of the fixtures (PSRule's Bicep expansion cases, the compiler baselines,
// the APIM corpora with the Azure Verified Module) parses, lowers and expands. The errors
// that remain are listed with the reason each is right.
const UPSTREAM = path.join(repoRoot(), 'test/fixtures/upstream');
const NO_RULES = { rules: [], diagnostics: [], effectErrors: [] };

const EXPECTED: Record<string, { file: string; code: string; why: string }[]> = {
  // Bicep/SymbolicNameTestCases/Tests.Bicep.2.bicep (PSRule issue 2917) has no error: its `existing`
  // resources named split(identityId, '/')[8] are only used by a module whose condition is false
  // with the default '', and ARM reads an existing resource only where it is used (issue 17).
  'psrule/expansion': [],
  'bicep/baselines': [
    { file: 'InvalidLambdas_LF/main.bicep', code: 'bicep-syntax', why: 'invalid on purpose' },
    { file: 'InvalidLambdas_LF/main.bicep', code: 'bicep-lowering', why: 'invalid on purpose (lambda variables used outside their lambda)' },
    { file: 'Modules_CRLF/main.bicep', code: 'evaluation', why: 'a compiler test, never deployed: divides by zero (its compiled JSON fails the same way)' },
  ],
  corpora: [],
};

for (const [corpus, expected] of Object.entries(EXPECTED)) {
  test(`${corpus}: every .bicep file parses, lowers and expands; only the known invalid inputs have errors`, () => {
    const dir = path.join(UPSTREAM, corpus);
    const out = scan({ paths: [dir], cwd: dir, include: ['**/*.bicep'], ruleSet: NO_RULES });
    assert.ok(out.units.length > 0);
    const errors = out.diagnostics.filter((d) => d.severity === 'error');
    const unexpected = errors.filter((d) => !expected.some((e) => e.file === (d.location?.file ?? d.file) && e.code === d.code));
    assert.deepEqual(
      unexpected.map((d) => `${d.location?.file ?? d.file}:${d.location?.start.line}: [${d.code}] ${d.message}`),
      [],
    );
    for (const e of expected)
      assert.ok(
        errors.some((d) => (d.location?.file ?? d.file) === e.file && d.code === e.code),
        `still invalid: ${e.file} (${e.why})`,
      );
  });
}
