import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadRuleSet, scan } from '../../src/scan.js';
import { equivalentRules } from '../../src/findings/equivalents.js';
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
        assert.ok(
          result.results.some((r) => r.ruleId === ruleId && r.outcome === 'pass'),
          'the rule ran and passed',
        );
      } else {
        const marked = example.source.split('\n').findIndex((l) => l.includes('// fails here')) + 1;
        assert.ok(marked > 0, 'the failing example marks its line with // fails here');
        assert.equal(mine.length, 1);
        assert.equal(mine[0]!.location?.start.line, marked);
      }
    });
  });
}

// The page's header names what `rules show` names: every equivalent of the rule (with PSRule's AZR
// reference) and every shipped rule that checks the same thing.
const catalog = loadRuleSet({}, {}, { all: true }).rules.map((r) => r.meta);
// Equivalents are optional: a rule with none has nothing to list. A missing page is the meta-test's (test/rules/meta.test.ts) to report.
for (const meta of catalog.filter((m) => m.kind === 'native' && existsSync(path.join(rulesDir, `${m.id}.md`)))) {
  const named = [
    ...meta.equivalents.flatMap((e) => [e.id, ...(e.ref ? [e.ref] : [])]),
    ...catalog.filter((o) => o !== meta && equivalentRules(meta, o)).map((o) => o.id),
  ];
  if (!named.length) continue;
  test(`docs/rules/${meta.id}.md lists the rule's equivalents`, () => {
    const text = readFileSync(path.join(rulesDir, `${meta.id}.md`), 'utf8');
    const row = /^\| Equivalents \| (.*) \|$/m.exec(text)?.[1] ?? '';
    for (const id of named) assert.ok(row.includes(id), `the Equivalents row names ${id}`);
  });
}

test('PSRule references are well-formed and each names one rule', () => {
  const refs = catalog.filter((m) => m.kind === 'native').flatMap((m) => m.equivalents.filter((e) => e.tool === 'psrule'));
  assert.ok(refs.length >= 21);
  for (const e of refs) assert.match(e.ref ?? '', /^AZR-\d{6}$/, e.id);
  assert.equal(new Set(refs.map((e) => e.ref)).size, refs.length);
});
