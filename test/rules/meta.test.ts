import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { NATIVE_RULE_MODULES } from '../../src/rules/registry.generated.js';
import { isDefinedRule } from '../../src/rules/define-rule.js';
import { repoRoot } from '../helpers.js';

// What every native rule needs besides its code, each with the exact thing to add when it is
// missing (docs/contributing.md walks through it). Equivalents in other tools are optional.
const root = repoRoot();
const rel = (...p: string[]) =>
  path
    .join(...p)
    .split(path.sep)
    .join('/');

function runScript(script: string): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', script), '--check'], { cwd: root, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

test('src/rules/registry.generated.ts lists every file of src/rules/native/', () => {
  const r = runScript('generate-rule-registry.mjs');
  assert.equal(
    r.status,
    0,
    `${r.output.trim()}\n(a rule file was added, renamed or removed: run \`npm run generate:rules\`, then commit src/rules/registry.generated.ts)`,
  );
});

test('the native rules tables in README.md and docs/rules.md match the rules metadata', () => {
  const r = runScript('generate-rule-tables.mjs');
  assert.equal(
    r.status,
    0,
    `${r.output.trim()}\n(a rule's id, title, severity, level or equivalents changed: run \`npm run generate:rules\`, then commit README.md and docs/rules.md)`,
  );
});

const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const docsTable = readFileSync(path.join(root, 'docs', 'rules.md'), 'utf8');
const testFiles = readdirSync(path.join(root, 'test', 'rules', 'native'));

for (const { file, rule } of NATIVE_RULE_MODULES) {
  const id = rule.meta.id;
  test(`native rule ${id}: file name, docs page, tester cases, table rows`, () => {
    // Every missing piece at once, so one run of the tests lists everything left to do.
    const missing: string[] = [];
    if (file !== `${id}.ts`)
      missing.push(
        `src/rules/native/${file} defines the rule '${id}': a rule file is named after its id ` +
          `(rename it to src/rules/native/${id}.ts and run \`npm run generate:rules\`)`,
      );
    if (!isDefinedRule(rule))
      missing.push(`src/rules/native/${file} must \`export default defineRule({ … })\` (import { defineRule } from '../define-rule.js')`);
    const page = rel('docs', 'rules', `${id}.md`);
    if (!existsSync(path.join(root, page))) {
      missing.push(
        `rule ${id} has no documentation page: create ${page} (copy docs/rules/APIM-HTTPEndpoint.md and change it). ` +
          'It needs a failing and a passing example, in ARM JSON and in Bicep, each after `<!-- example: fail -->` or `<!-- example: pass -->`, ' +
          'the failing ones marking the reported line with `// fails here`.',
      );
    }
    const testFile = rel('test', 'rules', 'native', `${id}.test.ts`);
    if (!testFiles.includes(`${id}.test.ts`)) {
      missing.push(
        `rule ${id} has no tester cases: create ${testFile} with \`new RuleTester().run('${id}', rule, { valid: […], invalid: […] })\` ` +
          "(import { RuleTester } from '../../../src/testing/index.js'; see docs/contributing.md#add-a-rule)",
      );
    } else {
      const tests = readFileSync(path.join(root, testFile), 'utf8');
      if (!new RegExp(`\\.run\\(\\s*'${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'`).test(tests))
        missing.push(`${testFile} must run the tester on the rule: \`new RuleTester().run('${id}', rule, { … })\``);
      if (!/\binvalid:\s*\[/.test(tests)) missing.push(`${testFile} needs at least one \`invalid\` case (a resource the rule reports)`);
      if (!/(^|[^A-Za-z])valid:\s*\[/m.test(tests)) missing.push(`${testFile} needs at least one \`valid\` case (a resource the rule passes)`);
    }
    if (!readme.includes(`[\`${id}\`](docs/rules/${id}.md)`)) missing.push(`README.md has no row for ${id}: run \`npm run generate:rules\``);
    if (!docsTable.includes(`[\`${id}\`](rules/${id}.md)`)) missing.push(`docs/rules.md has no row for ${id}: run \`npm run generate:rules\``);
    assert.deepEqual(missing, [], `rule ${id} is not complete:\n- ${missing.join('\n- ')}`);
  });
}

test('every tester file and docs page names a rule that exists (a renamed rule leaves none behind)', () => {
  const ids = new Set(NATIVE_RULE_MODULES.map((m) => m.rule.meta.id));
  for (const f of testFiles.filter((x) => x.endsWith('.test.ts')))
    assert.ok(ids.has(f.replace(/\.test\.ts$/, '')), `test/rules/native/${f} names no native rule: rename or remove it`);
});
