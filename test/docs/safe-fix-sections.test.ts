import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { NATIVE_RULES } from '../../src/rules/index.js';
import { isDefinedRule } from '../../src/rules/define-rule.js';
import { repoRoot } from '../helpers.js';

// Each native rule's page says whether `tollgate fix` can fix its findings, and agrees with the rule's `fix`.
for (const rule of NATIVE_RULES) {
  test(`docs/rules/${rule.meta.id}.md has a Safe fix section that matches the rule`, () => {
    const text = readFileSync(path.join(repoRoot(), 'docs', 'rules', `${rule.meta.id}.md`), 'utf8');
    const section = /^## Safe fix\n\n(.+)$/m.exec(text)?.[1];
    assert.ok(section, 'add a "## Safe fix" section after "## Recommendation": "Yes. …" or "None: why"');
    const declared = isDefinedRule(rule) && rule.definition.fix !== undefined;
    assert.equal(
      section.startsWith('Yes'),
      declared,
      `the page says ${JSON.stringify(section.slice(0, 40))}, the rule ${declared ? 'declares' : 'declares no'} fix`,
    );
    if (!declared) assert.match(section, /^None: /);
  });
}
