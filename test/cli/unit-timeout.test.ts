import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot, template, tempTree } from '../helpers.js';

const CLI = path.join(repoRoot(), 'dist/cli/main.js');
const run = (args: string[], cwd: string) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

// User functions calling the next twice, 31 deep: 2^31 calls, so only a limit ends the expansion.
function endless(): string {
  const members: Record<string, object> = {};
  for (let i = 0; i < 31; i++)
    members[`f${i}`] = {
      parameters: [{ name: 'x', type: 'int' }],
      output: { type: 'int', value: `[add(u.f${i + 1}(parameters('x')), u.f${i + 1}(parameters('x')))]` },
    };
  members['f31'] = { parameters: [{ name: 'x', type: 'int' }], output: { type: 'int', value: "[parameters('x')]" } };
  return template({
    functions: [{ namespace: 'u', members }],
    resources: [{ type: 'Microsoft.Storage/storageAccounts', apiVersion: '2022-09-01', name: 'st', location: 'eastus', tags: { n: '[string(u.f0(1))]' } }],
  });
}

test('scan --unit-timeout stops a template that runs too long with a limit-time input error', () => {
  const dir = tempTree({ 'main.json': endless() });
  const r = run(['scan', 'main.json', '--unit-timeout', '0.01', '--format', 'json'], dir);
  assert.equal(r.status, 3, r.stderr);
  const out = JSON.parse(r.stdout) as { diagnostics: { code: string; message: string }[] };
  const hit = out.diagnostics.filter((d) => d.code === 'limit-time');
  assert.equal(hit.length, 1, JSON.stringify(out.diagnostics));
  assert.match(hit[0]!.message, /longer than 0.01 seconds/);
});

test('scan --unit-timeout takes a number of seconds', () => {
  const dir = tempTree({ 'main.json': template({ resources: [] }) });
  for (const bad of ['abc', '-1', '']) {
    const r = run(['scan', 'main.json', '--unit-timeout', bad], dir);
    assert.equal(r.status, 2, `${bad}: ${r.stderr}`);
    assert.match(r.stderr, /--unit-timeout must be a number of seconds/);
  }
});
