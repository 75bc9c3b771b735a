import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot, tempTree } from '../helpers.js';

// `tollgate policy test --suite DIR` on the example suite (examples/policy-tests, documented in
// docs/policy.md), copied so that a case can be broken.
const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');

function run(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function suite(): string {
  const dir = tempTree({});
  cpSync(path.join(repoRoot(), 'examples', 'policy-tests'), path.join(dir, 'policy-tests'), { recursive: true });
  return dir;
}

test('a passing suite: every case listed, a summary, exit 0', () => {
  const dir = suite();
  const r = run(['policy', 'test', '--suite', 'policy-tests'], dir);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(
    r.stdout,
    [
      'policy-tests/storage-https-only',
      '  ✓ plain HTTP allowed: non-compliant (effect Audit)',
      '  ✓ HTTPS only: compliant',
      'policy-tests/storage-no-public-blobs',
      '  ✓ public blob access is denied: non-compliant (effect Deny)',
      '  ✓ the effect parameter makes it an audit: non-compliant (effect Audit)',
      '  ✓ public blob access off: compliant',
      '  ✓ another resource type: not-applicable',
      '  ✓ a Bicep file that allows it: non-compliant (effect Deny)',
      '  ✓ a template whose value comes from a parameter without a value: undecided',
      '',
      '8 cases in 2 definitions: 8 passed, 0 failed',
      '',
    ].join('\n'),
  );
});

test('-f json: a summary and each case with its expected and actual outcome', () => {
  const dir = suite();
  const r = run(['policy', 'test', '--suite', 'policy-tests', '-f', 'json'], dir);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as {
    summary: object;
    cases: { name: string; status: string; expected: string; actual: { outcome: string; effect?: string } }[];
  };
  assert.deepEqual(report.summary, { passed: 8, failed: 0, notRun: 0 });
  const audit = report.cases.find((c) => c.name === 'the effect parameter makes it an audit')!;
  assert.deepEqual([audit.status, audit.expected, audit.actual.outcome, audit.actual.effect], ['passed', 'non-compliant', 'non-compliant', 'Audit']);
});

test('a failing suite: each failure with expected and actual, exit 1', () => {
  const dir = suite();
  const cases = path.join(dir, 'policy-tests', 'storage-no-public-blobs', 'cases.yaml');
  const text = readFileSync(cases, 'utf8');
  // Two wrong expectations: an outcome and an effect.
  writeFileSync(
    cases,
    text
      .replace('- name: public blob access off\n    expect: compliant', '- name: public blob access off\n    expect: non-compliant')
      .replace('effect: Audit\n    parameters', 'effect: Deny\n    parameters'),
  );
  const r = run(['policy', 'test', '--suite', 'policy-tests'], dir);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(
    r.stdout,
    / {2}✗ the effect parameter makes it an audit\n {6}expected: non-compliant \(effect Deny\)\n {6}actual: {3}non-compliant \(effect Audit\): /,
  );
  assert.match(r.stdout, / {2}✗ public blob access off\n {6}expected: non-compliant\n {6}actual: {3}compliant: the if condition is false\n/);
  assert.match(r.stdout, /\n8 cases in 2 definitions: 6 passed, 2 failed\n$/);
});

test('a suite that cannot run says why: a bad cases file, a definition that does not compile (exit 3); bad usage (exit 2)', () => {
  const dir = suite();
  writeFileSync(path.join(dir, 'policy-tests', 'storage-https-only', 'cases.json'), JSON.stringify([{ name: 'x', expect: 'fine', resource: {} }]));
  const r = run(['policy', 'test', '--suite', 'policy-tests'], dir);
  assert.equal(r.code, 3);
  assert.match(
    r.stdout,
    /✗ policy-tests\/storage-https-only\/cases\.json: cases\[0\] \(x\): 'expect' must be one of compliant, non-compliant, undecided, not-applicable/,
  );
  assert.match(r.stdout, /7 cases in 2 definitions: 6 passed, 0 failed, 1 could not run/);

  const broken = tempTree({
    's/p/policy.json': '{ "properties": { "policyRule": { "if": { "field": "type", "equalz": "x" }, "then": { "effect": "Audit" } } } }',
    's/p/cases.yaml': '- name: a\n  expect: compliant\n  resource: { type: x }\n',
  });
  const b = run(['policy', 'test', '--suite', 's'], broken);
  assert.equal(b.code, 3);
  assert.match(b.stderr, /s\/p\/policy\.json/);
  assert.match(b.stdout, /✗ a: the definition cannot be evaluated/);

  assert.equal(run(['policy', 'test', '--suite', 'policy-tests', 'x.json'], dir).code, 2);
  assert.equal(run(['policy', 'test', '--suite', 'nowhere'], dir).code, 2);
  assert.equal(run(['policy', 'test', 'x.json'], dir).code, 2);
});
