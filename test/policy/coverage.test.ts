import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../helpers.js';
import { catalogCoverage, defaultSetCoverage, type Coverage } from '../../src/policy/coverage.js';
import { CATALOG_RELEASE, coverageMarkdown } from '../../src/policy/coverage-page.js';
import { POLICY_PAGES_DIR, policyRulePages } from '../../src/policy/rule-pages.js';

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
const run = (args: string[]) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: repoRoot(), encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

const STALE = 'stale: run `npm run build && node scripts/generate-policy-docs.mjs`';

let catalog: Coverage | undefined;
const whole = () => (catalog ??= catalogCoverage());

test('policy coverage classifies every built-in definition, with counts that add up', () => {
  const c = whole();
  assert.equal(c.rows.length, 3594);
  assert.equal(c.counts.fully + c.counts.runtime + c.counts['not-applicable'] + c.counts['not-evaluable'], 3594);
  const of = (id: string) => c.rows.find((r) => r.id === id)!;
  // Secure transfer: a property the template sets.
  assert.equal(of('404c3081-a854-4457-ae30-26a93ef643f9').decidability, 'fully');
  // Kubernetes pods: a Resource Provider mode.
  assert.equal(of('47a1ee2f-2a2a-4576-bf2a-e0e36709c2b8').decidability, 'not-applicable');
  assert.match(of('47a1ee2f-2a2a-4576-bf2a-e0e36709c2b8').reason!, /Microsoft\.Kubernetes\.Data/);
  // The MFA definition reads the caller's token.
  assert.equal(of('4e6c27d5-a6ee-49cf-b2b4-d8fe90fa2b8b').decidability, 'runtime');
  // API endpoints authenticated: auditIfNotExists over a related resource.
  assert.equal(of('8ac833bd-f505-48d5-887e-c993a1d3eea0').decidability, 'runtime');
  // AuditAction audits delete requests: never a template's create or update.
  assert.equal(of('db4a9d17-db75-4f46-9fcb-9f9526604417').decidability, 'not-applicable');
  assert.match(of('db4a9d17-db75-4f46-9fcb-9f9526604417').reason!, /auditAction/i);
  // Every class but fully says why.
  assert.ok(c.rows.every((r) => r.decidability === 'fully' || (r.reason && r.reason.length > 0)));
});

test('docs/policy-coverage.md is the generated table of the shipped catalog', () => {
  const expected = coverageMarkdown(whole(), defaultSetCoverage(), CATALOG_RELEASE);
  assert.ok(readFileSync(path.join(repoRoot(), 'docs', 'policy-coverage.md'), 'utf8') === expected, STALE);
});

test('docs/rules/policies/ holds exactly the generated pages of the default set beyond the API Management pack', () => {
  const pages = policyRulePages();
  const dir = path.join(repoRoot(), POLICY_PAGES_DIR);
  assert.deepEqual(
    readdirSync(dir)
      .filter((f) => f.endsWith('.md'))
      .sort(),
    [...pages.keys()].sort(),
    STALE,
  );
  for (const [name, text] of pages) assert.ok(readFileSync(path.join(dir, name), 'utf8') === text, `${name}: ${STALE}`);
  // 235 policies in the default set, 22 of them the pack (pages in docs/rules/): 213 and the index.
  assert.equal(pages.size, 214);
});

test('tollgate policy coverage: the catalog, one initiative, or the default set; json has the counts', () => {
  const mcsb = run(['policy', 'coverage', '--initiative', 'mcsb', '-f', 'json']);
  assert.equal(mcsb.status, 0, mcsb.stderr);
  const report = JSON.parse(mcsb.stdout) as { total: number; counts: Record<string, number>; definitions: { referenceId?: string }[] };
  assert.equal(report.total, 223);
  assert.equal(
    Object.values(report.counts).reduce((a, b) => a + b, 0),
    223,
  );
  assert.ok(report.definitions.every((d) => d.referenceId));
  const text = run(['policy', 'coverage', '--default']);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /^total +235$/m);
  assert.match(text.stdout, /^404c3081-a854-4457-ae30-26a93ef643f9 +fully +Secure transfer to storage accounts should be enabled$/m);
  assert.equal(run(['policy', 'coverage', '--initiative', 'nope nope']).status, 2);
  assert.equal(run(['policy', 'coverage', '--initiative', 'mcsb', '--default']).status, 2);
});
