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
  const fresh = readFileSync(path.join(out, 'tollgate.mjs'), 'utf8');
  const committed = readFileSync(COMMITTED, 'utf8');
  assert.ok(fresh === committed, 'action/dist/tollgate.mjs is stale: run `npm run bundle:action` and commit action/dist/');
});

test('the action bundle runs on its own: no node_modules, the catalog found from the repository root, a YAML configuration read', () => {
  // The layout of the action's checkout, without the packages: what a runner has.
  const dir = mkdtempSync(path.join(tmpdir(), 'tollgate-action-alone-'));
  mkdirSync(path.join(dir, 'action/dist'), { recursive: true });
  cpSync(COMMITTED, path.join(dir, 'action/dist/tollgate.mjs'));
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
