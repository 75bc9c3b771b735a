import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../helpers.js';

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
}

const action = parse(readFileSync(path.join(repoRoot(), 'action.yml'), 'utf8')) as {
  inputs: Record<string, { default?: string }>;
  runs: { using: string; steps: Step[] };
};

/** `${{ inputs.x }}` -> the value given, else the input's default: what GitHub substitutes. */
function substitute(text: string, inputs: Record<string, string>): string {
  return text.replace(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g, (_m, name: string) => inputs[name] ?? action.inputs[name]?.default ?? '');
}

test('action.yml is a composite action whose inputs all have defaults', () => {
  assert.equal(action.runs.using, 'composite');
  for (const [name, input] of Object.entries(action.inputs)) assert.ok(input.default !== undefined, `input ${name} has a default`);
  assert.ok(action.runs.steps.some((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@')));
});

test("the action's scan step, run locally, writes SARIF and reports the exit code", () => {
  const step = action.runs.steps.find((s) => s.id === 'scan')!;
  const out = mkdtempSync(path.join(tmpdir(), 'tollgate-action-'));
  const githubOutput = path.join(out, 'github-output');
  const inputs = { path: 'examples/noncompliant', 'sarif-file': path.join(out, 'tollgate.sarif') };
  const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, substitute(v, inputs)]));
  const r = spawnSync('bash', ['-e', '-c', step.run!], {
    cwd: repoRoot(),
    encoding: 'utf8',
    env: { ...process.env, ...env, GITHUB_ACTION_PATH: repoRoot(), GITHUB_OUTPUT: githubOutput, NO_COLOR: '1' },
  });
  assert.equal(r.status, 0, r.stderr);
  // The non-compliant example has error-level findings: exit code 1, passed on for the fail step.
  assert.match(readFileSync(githubOutput, 'utf8'), /^exit-code=1$/m);
  const sarif = JSON.parse(readFileSync(inputs['sarif-file'], 'utf8'));
  assert.equal(sarif.version, '2.1.0');
  assert.ok(sarif.runs[0].results.length > 0);
  // The job log shows the findings in readable form too.
  assert.match(r.stdout, /APIM-HTTPBackend/);

  const fail = action.runs.steps.find((s) => s.name === 'Fail on findings')!;
  const failRun = spawnSync('bash', ['-e', '-c', fail.run!.replace(/\$\{\{\s*steps\.scan\.outputs\.exit-code\s*\}\}/g, '1')], { encoding: 'utf8' });
  assert.equal(failRun.status, 1);
});

test("the install step installs from the action's own folder", () => {
  const install = action.runs.steps.find((s) => s.name === 'Install Tollgate')!;
  assert.match(install.run!, /cd "\$GITHUB_ACTION_PATH" && npm ci/);
});

test('with changed-since, the action scans only what the changed files belong to', () => {
  const step = action.runs.steps.find((s) => s.id === 'scan')!;
  const dir = mkdtempSync(path.join(tmpdir(), 'tollgate-action-changed-'));
  cpSync(path.join(repoRoot(), 'test/fixtures/linked-repo'), dir, { recursive: true });
  const git = (...args: string[]) => assert.equal(spawnSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: dir }).status, 0);
  git('init', '-q');
  git('add', '.');
  git('commit', '-qm', 'base');
  // A pull request that changes one nested template: its root deployment is what gets scanned.
  const nested = path.join(dir, 'relative/modules/backend.json');
  writeFileSync(nested, readFileSync(nested, 'utf8').replace('http://relative', 'http://changed'));
  const sarifFile = path.join(dir, 'out.sarif');
  const inputs = { path: '.', 'sarif-file': sarifFile, 'changed-since': 'HEAD' };
  const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, substitute(v, inputs)]));
  const r = spawnSync('bash', ['-e', '-c', step.run!], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, ...env, GITHUB_ACTION_PATH: repoRoot(), GITHUB_OUTPUT: path.join(dir, 'gh-out'), NO_COLOR: '1' },
  });
  assert.equal(r.status, 0, r.stderr);
  const results = JSON.parse(readFileSync(sarifFile, 'utf8')).runs[0].results as { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[];
  const files = [...new Set(results.map((x) => x.locations[0]!.physicalLocation.artifactLocation.uri))];
  assert.deepEqual(files, ['relative/modules/backend.json']);
  assert.match(r.stdout, /http:\/\/changed\.contoso\.com/);
});
