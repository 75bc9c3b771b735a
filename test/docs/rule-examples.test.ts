import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadRuleSet, scan } from '../../src/scan.js';
import { repoRoot, tempTree } from '../helpers.js';

// Every rule page's examples (ARM and Bicep) are real: the failing one must fail at the line marked
// `// fails here`, the passing one must pass. Pages are docs/rules/<rule id>.md.
const rulesDir = path.join(repoRoot(), 'docs', 'rules');
const EXAMPLE = /<!-- example: (pass|fail) -->\s*```(json|bicep)\n([\s\S]*?)```/g;

for (const page of readdirSync(rulesDir).filter((f) => f.endsWith('.md'))) {
  const ruleId = page.replace(/\.md$/, '');
  const text = readFileSync(path.join(rulesDir, page), 'utf8');
  const examples = [...text.matchAll(EXAMPLE)].map((m) => ({ kind: m[1] as 'pass' | 'fail', language: m[2] as 'json' | 'bicep', source: m[3]! }));

  for (const language of ['json', 'bicep'] as const) {
    test(`${page} has a passing and a failing ${language === 'json' ? 'ARM' : 'Bicep'} example`, () => {
      assert.ok(examples.some((e) => e.language === language && e.kind === 'pass'));
      assert.ok(examples.some((e) => e.language === language && e.kind === 'fail'));
    });
  }

  examples.forEach((example, i) => {
    test(`${page} example ${i + 1} (${example.language}) ${example.kind}s`, () => {
      const file = `example.${example.language}`;
      const dir = tempTree({ [file]: example.source });
      // Rules that ship off (e.g. APIM-ProductTerms) are turned on for their own page.
      const result = scan({ paths: [file], cwd: dir, ruleSet: loadRuleSet({}, { [ruleId]: { enabled: true } }) });
      assert.deepEqual(result.diagnostics, []);
      const mine = result.findings.filter((f) => f.ruleId === ruleId);
      if (example.kind === 'pass') {
        assert.deepEqual(mine, []);
        assert.ok(result.results.some((r) => r.ruleId === ruleId && r.outcome === 'pass'), 'the rule ran and passed');
      } else {
        const marked = example.source.split('\n').findIndex((l) => l.includes('// fails here')) + 1;
        assert.ok(marked > 0, 'the failing example marks its line with // fails here');
        assert.equal(mine.length, 1);
        assert.equal(mine[0]!.location?.start.line, marked);
      }
    });
  });
}
