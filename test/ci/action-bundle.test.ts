import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../helpers.js';

const COMMITTED = path.join(repoRoot(), 'action/dist/tollgate.mjs');

test('the committed action bundle is what `npm run bundle:action` builds from the current source', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'tollgate-action-bundle-'));
  // From another folder: the output must not depend on where the build runs.
  const r = spawnSync(process.execPath, [path.join(repoRoot(), 'scripts/bundle-action.mjs'), out], { cwd: tmpdir(), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  for (const file of ['tollgate.mjs', 'scan-worker.mjs']) {
    const fresh = readFileSync(path.join(out, file), 'utf8');
    const committed = readFileSync(path.join(path.dirname(COMMITTED), file), 'utf8');
    assert.ok(fresh === committed, `action/dist/${file} is stale: run \`npm run bundle:action\` and commit action/dist/`);
  }
});

test('the action bundle runs on its own: no node_modules, the catalog found from the repository root, a YAML configuration read', () => {
  // The layout of the action's checkout, without the packages: what a runner has.
  const dir = mkdtempSync(path.join(tmpdir(), 'tollgate-action-alone-'));
  mkdirSync(path.join(dir, 'action/dist'), { recursive: true });
  cpSync(path.dirname(COMMITTED), path.join(dir, 'action/dist'), { recursive: true });
  for (const keep of ['catalog', 'schema', 'package.json', 'examples/noncompliant'])
    cpSync(path.join(repoRoot(), keep), path.join(dir, keep), { recursive: true });
  // ajv and yaml are only loaded for a configuration file: one with a suppression and a rule setting.
  writeFileSync(
    path.join(dir, 'tollgate.yaml'),
    'rules:\n  APIM-ManagedIdentity: { enabled: false }\nsuppressions:\n  - rule: APIM-HTTPBackend\n    reason: accepted for the test\n',
  );
  const r = spawnSync(process.execPath, ['action/dist/tollgate.mjs', 'scan', 'examples/noncompliant', '-c', 'tollgate.yaml', '-f', 'json'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NODE_PATH: '' },
  });
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  const report = JSON.parse(r.stdout) as { summary: { files: number; suppressed: number }; findings: { ruleId: string }[] };
  assert.equal(report.summary.files, 2);
  assert.ok(report.summary.suppressed > 0, 'the configuration was read');
  assert.ok(!report.findings.some((f) => f.ruleId === 'APIM-ManagedIdentity' || f.ruleId === 'APIM-HTTPBackend'));
  assert.ok(report.findings.length > 0);
});

test('the action bundle scans in worker threads: its scan worker is beside it and gives the same report', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tollgate-action-workers-'));
  cpSync(path.dirname(COMMITTED), path.join(dir, 'action/dist'), { recursive: true });
  for (const keep of ['catalog', 'schema', 'package.json', 'examples']) cpSync(path.join(repoRoot(), keep), path.join(dir, keep), { recursive: true });
  const run = (...extra: string[]) =>
    spawnSync(process.execPath, ['action/dist/tollgate.mjs', 'scan', 'examples', '--no-config', '-f', 'json', '--verbose', ...extra], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, NODE_PATH: '' },
    });
  const one = run('--jobs', '1');
  const two = run('--jobs', '2', '--no-worker-threshold');
  assert.ok(one.status === 0 || one.status === 1, one.stderr);
  assert.equal(two.status, one.status, two.stderr);
  assert.match(two.stderr, /scanned in 2 threads \(1 worker and the main thread\)/);
  const strip = (text: string) => text.replace(/"durationMs": \d+/g, '"durationMs": 0');
  const a = JSON.parse(one.stdout) as { findings: unknown[] };
  assert.ok(a.findings.length > 0);
  assert.equal(strip(two.stdout), strip(one.stdout));
});
