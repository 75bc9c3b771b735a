import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../helpers.js';

// The CLI as compiled with the tests (like formats.test.ts).
const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
/** The environment of a run outside GitHub Actions: none of the variables the CLI would act on. */
const plainEnv = () => {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const k of ['GITHUB_STEP_SUMMARY', 'GITHUB_ACTIONS', 'GITHUB_SERVER_URL', 'GITHUB_REPOSITORY', 'GITHUB_RUN_ID']) delete env[k];
  return env;
};
const run = (args: string[], env: NodeJS.ProcessEnv = plainEnv()) => spawnSync(process.execPath, [CLI, ...args], { cwd: repoRoot(), encoding: 'utf8', env });
const tmp = () => mkdtempSync(path.join(tmpdir(), 'tollgate-ci-formats-'));

test('-f codequality is GitLab’s name for -f gitlab, also in --output FORMAT=FILE', () => {
  const dir = tmp();
  const a = run(['scan', 'examples/noncompliant', '-f', 'gitlab']);
  const b = run(['scan', 'examples/noncompliant', '-f', 'codequality,sarif', '-o', `codequality=${dir}/gl.json`, '-o', `sarif=${dir}/x.sarif`]);
  assert.equal(a.status, 1, a.stderr);
  assert.equal(b.status, 1, b.stderr);
  assert.equal(readFileSync(`${dir}/gl.json`, 'utf8'), a.stdout);
  assert.ok((JSON.parse(a.stdout) as unknown[]).length > 0);
});

test('--max-chars: a whole number of at least 5,000, else a usage error', () => {
  for (const bad of ['12', 'abc', '6000.5', '-7000']) {
    const r = run(['scan', 'examples/noncompliant', '-f', 'pr-comment', '--max-chars', bad]);
    assert.equal(r.status, 2, bad);
    assert.match(r.stderr, /--max-chars must be a whole number of at least 5000/);
  }
  const r = run(['scan', 'examples/noncompliant', '-f', 'pr-comment', '--max-chars', '5000', '--report-url', 'https://ci.example/1']);
  assert.equal(r.status, 1, r.stderr);
  assert.ok(r.stdout.length <= 5000, `${r.stdout.length}`);
});

test('-f github on GitHub Actions appends the Markdown summary to GITHUB_STEP_SUMMARY; other formats do not', () => {
  const dir = tmp();
  const summary = path.join(dir, 'summary.md');
  writeFileSync(summary, 'before\n');
  const env = {
    ...plainEnv(),
    GITHUB_STEP_SUMMARY: summary,
    GITHUB_ACTIONS: 'true',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'o/r',
    GITHUB_RUN_ID: '42',
  };
  const json = run(['scan', 'examples/noncompliant', '-f', 'json'], env);
  assert.equal(json.status, 1, json.stderr);
  assert.equal(readFileSync(summary, 'utf8'), 'before\n');
  const gh = run(['scan', 'examples/noncompliant', '-f', 'github'], env);
  assert.equal(gh.status, 1, gh.stderr);
  assert.match(gh.stdout, /^::error /m);
  const text = readFileSync(summary, 'utf8');
  assert.ok(text.startsWith('before\n### Tollgate: ❌ fails\n'), text.slice(0, 100));
  assert.match(text, /#### Coverage/);
  // An unwritable summary is said and does not change the exit code.
  const broken = run(['scan', 'examples/noncompliant', '-f', 'github'], { ...env, GITHUB_STEP_SUMMARY: dir });
  assert.equal(broken.status, 1);
  assert.match(broken.stderr, /cannot append the job summary to /);
});
