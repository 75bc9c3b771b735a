import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config/config.js';
import { createProgress } from '../../src/cli/progress.js';
import { repoRoot, template, tempTree } from '../helpers.js';

const CLI = path.join(repoRoot(), 'dist/cli/main.js');
const run = (args: string[], cwd: string) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};
const warningOnly = {
  type: 'Microsoft.ApiManagement/service/backends',
  apiVersion: '2023-05-01-preview',
  name: 'svc/b',
  properties: { url: 'https://x.example.com', protocol: 'http', tls: { validateCertificateChain: false } },
};

test('init writes a starter configuration that validates and scans; it never overwrites without --force', () => {
  const dir = tempTree({ 'main.json': template({ resources: [] }) });
  const r = run(['init'], dir);
  assert.equal(r.status, 0, r.stderr);
  const file = path.join(dir, 'tollgate.yaml');
  assert.deepEqual(loadConfig(file).failOn, 'error');
  assert.equal(run(['scan', '.'], dir).status, 0);
  const again = run(['init'], dir);
  assert.equal(again.status, 2);
  assert.match(again.stderr, /already exists/);
  const before = readFileSync(file, 'utf8');
  assert.equal(run(['init', '--force'], dir).status, 0);
  assert.equal(readFileSync(file, 'utf8'), before);
});

test('--quiet prints nothing for a run without errors, and only errors otherwise', () => {
  const clean = tempTree({ 'main.json': template({ resources: [warningOnly] }) });
  const quiet = run(['scan', '.', '--quiet'], clean);
  assert.equal(quiet.status, 0);
  assert.equal(quiet.stdout, '');
  const loud = run(['scan', '.'], clean);
  assert.notEqual(loud.stdout, '');
  const failing = tempTree({
    'main.json': template({
      resources: [{ ...warningOnly, properties: { url: 'http://x.example.com', protocol: 'http', tls: { validateCertificateChain: false } } }],
    }),
  });
  const q = run(['scan', '.', '--quiet'], failing);
  assert.equal(q.status, 1);
  assert.match(q.stdout, /APIM-HTTPBackend/);
  assert.doesNotMatch(q.stdout, /92bb331d/);
});

test('progress: only on a terminal, not in CI, only after a second, erased at the end', () => {
  const writes: string[] = [];
  let t = 0;
  const tty = { isTTY: true, write: (s: string) => writes.push(s) };
  const p = createProgress(tty, {}, () => t);
  p.update(1, 10);
  assert.deepEqual(writes, []);
  t = 1500;
  p.update(5, 10);
  assert.match(writes.join(''), /scanning: 5\/10/);
  p.finish();
  assert.equal(writes[writes.length - 1], '\r\x1b[2K');

  const piped: string[] = [];
  const q = createProgress({ isTTY: false, write: (s: string) => piped.push(s) }, {}, () => 5000);
  q.update(1, 2);
  q.finish();
  assert.deepEqual(piped, []);
  const ci: string[] = [];
  const c = createProgress({ isTTY: true, write: (s: string) => ci.push(s) }, { CI: 'true' }, () => 5000);
  c.update(1, 2);
  assert.deepEqual(ci, []);
});
