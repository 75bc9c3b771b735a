import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot, tempTree } from '../helpers.js';

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
const run = (args: string[], cwd = repoRoot()) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

interface Report {
  findings: { ruleId: string }[];
  coverage: { items: { rulesNotRun: { id: string; reason: string }[] } };
}
const json = (args: string[], cwd?: string): Report => {
  const r = run([...args, '-f', 'json'], cwd);
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  return JSON.parse(r.stdout) as Report;
};
const ruleIds = (r: Report) => [...new Set(r.findings.map((f) => f.ruleId))].sort();

const EXAMPLE = 'examples/noncompliant';

test('--rule runs only the rules named (by id, guid, guid prefix or display name, in any case); the others are reported as left out', () => {
  const whole = ruleIds(json(['scan', EXAMPLE]));
  assert.ok(whole.includes('APIM-HTTPBackend') && whole.length > 3, `the example has several rules failing: ${whole.join(', ')}`);
  const policy = whole.find((id) => /^[0-9a-f]{8}-/.test(id));
  assert.ok(policy, 'a policy fails on the example');

  const one = json(['scan', EXAMPLE, '--rule', 'apim-httpbackend']);
  assert.deepEqual(ruleIds(one), ['APIM-HTTPBackend']);
  const left = one.coverage.items.rulesNotRun.filter((r) => r.reason === 'not-selected');
  assert.ok(
    left.some((r) => r.id === policy),
    'the policy is listed as left out',
  );
  assert.ok(!left.some((r) => r.id === 'APIM-HTTPBackend'));

  assert.deepEqual(ruleIds(json(['scan', EXAMPLE, '--rule', policy!.toUpperCase(), '--rule', 'APIM-HTTPBackend'])), [policy, 'APIM-HTTPBackend'].sort());
  assert.deepEqual(ruleIds(json(['scan', EXAMPLE, '--rule', policy!.slice(0, 8)])), [policy]);

  const title = (JSON.parse(run(['rules', '-f', 'json']).stdout) as { id: string; title: string }[]).find((r) => r.id === policy)!.title;
  assert.deepEqual(ruleIds(json(['scan', EXAMPLE, '--rule', title.toLowerCase()])), [policy]);
});

test('--skip-rule leaves rules out (an equivalent id names the native rule); the rest still run', () => {
  const whole = ruleIds(json(['scan', EXAMPLE]));
  const skipped = ruleIds(json(['scan', EXAMPLE, '--skip-rule', 'APIM-HTTPBackend', '--skip-rule', 'Azure.APIM.HTTPBackend']));
  assert.ok(!skipped.includes('APIM-HTTPBackend'));
  assert.deepEqual(
    skipped,
    whole.filter((id) => id !== 'APIM-HTTPBackend'),
  );
  // Both flags: the rule asked for and also skipped does not run.
  assert.deepEqual(ruleIds(json(['scan', EXAMPLE, '--rule', 'APIM-HTTPBackend', '--skip-rule', 'apim-httpbackend'])), []);
});

test('--rule turns on a rule that ships off, and one turned off in the configuration', () => {
  const dir = tempTree({
    'main.bicep': [
      "resource product 'Microsoft.ApiManagement/service/products@2023-05-01-preview' = {",
      "  name: 'apim/gold'",
      "  properties: { displayName: 'Gold', description: 'Gold tier', subscriptionRequired: true, approvalRequired: true }",
      '}',
      '',
    ].join('\n'),
    'tollgate.yaml': 'rules:\n  APIM-ProductSubscription:\n    enabled: false\n',
  });
  assert.ok(!ruleIds(json(['scan', '.'], dir)).includes('APIM-ProductTerms'), 'ships off');
  assert.deepEqual(ruleIds(json(['scan', '.', '--rule', 'APIM-ProductTerms'], dir)), ['APIM-ProductTerms']);
});

test('a --rule or --skip-rule naming no rule is a usage error with the closest ids; nothing is scanned', () => {
  const typo = run(['scan', EXAMPLE, '--rule', 'APIM-HTTPBackendd']);
  assert.equal(typo.status, 2);
  assert.equal(typo.stdout, '');
  assert.match(typo.stderr, /--rule 'APIM-HTTPBackendd' names no rule; did you mean APIM-HTTPBackend\?/);
  const title = run(['scan', EXAMPLE, '--skip-rule', 'API Management service should use a SKU that supports virtual networkz']);
  assert.equal(title.status, 2);
  assert.match(title.stderr, /--skip-rule '.*' names no rule; did you mean 73ef9241-5d81-4cd4-b483-8443d1730fe5 \(API Management service should use a SKU/);
  const nothing = run(['scan', EXAMPLE, '--rule', 'zzzzzzzzzz']);
  assert.equal(nothing.status, 2);
  assert.doesNotMatch(nothing.stderr, /did you mean/);
  // A prefix shared by several guids is not guessed.
  const ids = (JSON.parse(run(['rules', '-f', 'json']).stdout) as { id: string }[]).map((r) => r.id);
  const shared = ids.map((id) => id.slice(0, 4)).find((p, i, all) => all.indexOf(p) !== i && /^[0-9a-f]{4}$/.test(p));
  assert.ok(shared, 'two default-set guids share their first 4 characters');
  assert.match(run(['scan', EXAMPLE, '--rule', shared!]).stderr, new RegExp(`--rule '${shared}' is the start of \\d+ rule ids`));
});

test('baseline write takes --rule too: the baseline records what such a scan reports', () => {
  const dir = tempTree({ 'x.txt': '' });
  const file = path.join(dir, 'b.json');
  const r = run(['baseline', 'write', file, EXAMPLE, '--rule', 'APIM-HTTPBackend']);
  assert.equal(r.status, 0, r.stderr);
  const written = JSON.parse(readFileSync(file, 'utf8')) as { findings: { ruleId: string }[] };
  assert.ok(written.findings.length > 0);
  assert.deepEqual([...new Set(written.findings.map((f) => f.ruleId))], ['APIM-HTTPBackend']);
  assert.equal(run(['baseline', 'write', file, EXAMPLE, '--skip-rule', 'nope-nope']).status, 2);
});
