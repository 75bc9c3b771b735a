import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parameterFile, repoRoot, template, tempTree } from '../helpers.js';

const CLI = path.join(repoRoot(), 'dist/cli/main.js');
const run = (args: string[], cwd: string) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};
const backend = (name: string, url = 'http://x.example.com') => ({ type: 'Microsoft.ApiManagement/service/backends', apiVersion: '2023-05-01-preview', name, properties: { url, protocol: 'http', credentials: { authorization: { scheme: 'Bearer', parameter: '{{token}}' } } } });

test('baseline: write, then only new findings are reported; moved lines stay known; fixed ones are counted', () => {
  const dir = tempTree({ 'main.json': template({ resources: [backend('svc/old-1'), backend('svc/old-2')] }) });
  const w = run(['baseline', 'write', 'tollgate-baseline.json', '.'], dir);
  assert.equal(w.status, 0, w.stderr);
  assert.match(w.stdout, /wrote 2 findings to tollgate-baseline\.json/);
  const recorded = JSON.parse(readFileSync(path.join(dir, 'tollgate-baseline.json'), 'utf8'));
  assert.equal(recorded.version, 1);
  assert.equal(recorded.findings.length, 2);

  assert.equal(run(['scan', '.', '--baseline', 'tollgate-baseline.json'], dir).status, 0);

  // A resource added above the old ones moves their lines; one old one is fixed; one new defect.
  writeFileSync(path.join(dir, 'main.json'), template({ resources: [backend('svc/new'), backend('svc/old-1'), backend('svc/old-2', 'https://fixed.example.com')] }));
  const r = run(['scan', '.', '--baseline', 'tollgate-baseline.json', '--format', 'json'], dir);
  assert.equal(r.status, 1);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.findings.filter((f: { ruleId: string }) => f.ruleId === 'APIM-HTTPBackend').map((f: { resource: { name: string } }) => f.resource.name), ['svc/new']);
  assert.deepEqual(out.summary.baseline, { known: 1, fixed: 1 });
  const pretty = run(['scan', '.', '--baseline', 'tollgate-baseline.json'], dir);
  assert.match(pretty.stdout, /1 in the baseline, 1 fixed since/);
});

test('a missing or foreign baseline file is a usage error', () => {
  const dir = tempTree({ 'main.json': template({ resources: [] }), 'other.json': '{"a": 1}' });
  const missing = run(['scan', '.', '--baseline', 'nope.json'], dir);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /no such baseline file/);
  assert.match(run(['scan', '.', '--baseline', 'other.json'], dir).stderr, /not a Tollgate baseline/);
});

test('a defect written in the template is reported once across parameter files, listing them', () => {
  const t = template({ parameters: { env: { type: 'string' } }, resources: [backend('svc/b'), backend("[concat('svc/', parameters('env'))]", "[concat('http://', parameters('env'), '.example.com')]")] });
  const dir = tempTree({ 'main.json': t, 'main.parameters.dev.json': parameterFile({ env: 'dev' }), 'main.parameters.prod.json': parameterFile({ env: 'prod' }) });
  const out = JSON.parse(run(['scan', '.', '--format', 'json'], dir).stdout);
  const http = out.findings.filter((f: { ruleId: string }) => f.ruleId === 'APIM-HTTPBackend');
  const shared = http.filter((f: { resource: { name: string } }) => f.resource.name === 'svc/b');
  assert.equal(shared.length, 1);
  assert.deepEqual(shared[0].parameterFiles, ['main.parameters.dev.json', 'main.parameters.prod.json']);
  // The per-environment resources differ by parameter file: one finding each.
  assert.deepEqual(http.filter((f: { resource: { name: string } }) => f.resource.name !== 'svc/b').map((f: { resource: { name: string } }) => f.resource.name).sort(), ['svc/dev', 'svc/prod']);
});
