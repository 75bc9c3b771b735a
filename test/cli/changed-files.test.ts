import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../helpers.js';

// Changed-file scans (pre-commit, CI) end to end through the CLI, on a git copy of
// test/fixtures/linked-repo: naming a file scans what it belongs to.
const CLI = path.join(repoRoot(), 'dist/cli/main.js');

function gitRepo(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tollgate-changed-'));
  cpSync(path.join(repoRoot(), 'test/fixtures/linked-repo'), dir, { recursive: true });
  const git = (...args: string[]) => {
    const r = spawnSync('git', args, { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  };
  git('init', '-q');
  git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'add', '.');
  git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'base');
  return dir;
}

type Report = {
  summary: { resources: number };
  findings: { ruleId: string; file: string; parameterFile?: string; location?: { file: string } }[];
  diagnostics: { code: string; severity: string; file?: string; message: string }[];
};
function scan(dir: string, args: string[]): { status: number | null; report: Report; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'scan', ...args, '--format', 'json'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
}
// Which deployments (template, parameter file) produced findings.
const scanned = (r: Report) => [...new Set(r.findings.map((f) => `${f.file}${f.parameterFile ? ` + ${f.parameterFile}` : ''}`))].sort();

test('a parameter file named alone is scanned with its template', () => {
  const dir = gitRepo();
  const r = scan(dir, ['quickstart/azuredeploy.parameters.json']);
  assert.equal(r.status, 1, r.stderr);
  assert.deepEqual(scanned(r.report), ['quickstart/azuredeploy.json + quickstart/azuredeploy.parameters.json']);
  assert.equal(r.report.summary.resources, 7);
  assert.deepEqual(
    r.report.diagnostics.filter((d) => d.code === 'parameters-unpaired'),
    [],
  );
  rmSync(dir, { recursive: true, force: true });
});

test('a template named alone picks up its parameter files', () => {
  const dir = gitRepo();
  writeFileSync(
    path.join(dir, 'quickstart/azuredeploy.parameters.dev.json'),
    readFileSync(path.join(dir, 'quickstart/azuredeploy.parameters.json'), 'utf8').replace('apim-quickstart', 'apim-dev'),
  );
  const r = scan(dir, ['quickstart/azuredeploy.json']);
  assert.deepEqual(scanned(r.report), [
    'quickstart/azuredeploy.json + quickstart/azuredeploy.parameters.dev.json',
    'quickstart/azuredeploy.json + quickstart/azuredeploy.parameters.json',
  ]);
  rmSync(dir, { recursive: true, force: true });
});

test('a .bicepparam named alone compiles its using file', () => {
  const dir = gitRepo();
  const r = scan(dir, ['bicep/main.bicepparam']);
  assert.equal(r.report.summary.resources, 2);
  assert.deepEqual(scanned(r.report), ['bicep/main.bicep + bicep/main.bicepparam']);
  rmSync(dir, { recursive: true, force: true });
});

test('a Bicep module, a loaded file or a linked template named alone scans the entry points that reach it', () => {
  const dir = gitRepo();
  for (const [named, entry] of [
    ['bicep/modules/api.bicep', 'bicep/main.bicep + bicep/main.bicepparam'],
    ['bicep/policies/api-policy.xml', 'bicep/main.bicep + bicep/main.bicepparam'],
    ['quickstart/nested/backend-pool.json', 'quickstart/azuredeploy.json + quickstart/azuredeploy.parameters.json'],
    ['relative/modules/backend.json', 'relative/main.json'],
    ['shared/tags.json', 'legacy/azuredeploy.json'],
  ] as const) {
    const r = scan(dir, [named]);
    assert.deepEqual(scanned(r.report), [entry], named);
    const note = r.report.diagnostics.find((d) => d.code === 'related-files');
    assert.match(note?.message ?? '', /scanned through the deployment that reaches it/, named);
  }
  // --standalone: the named file on its own, as before.
  const alone = scan(dir, ['relative/modules/backend.json', '--standalone']);
  assert.deepEqual(scanned(alone.report), ['relative/modules/backend.json']);
  rmSync(dir, { recursive: true, force: true });
});

test('--changed-since scans what every changed file belongs to; deleted files are ignored; a bad ref is bad usage', () => {
  const dir = gitRepo();
  const edit = (rel: string) => writeFileSync(path.join(dir, rel), readFileSync(path.join(dir, rel), 'utf8') + '\n');
  const clean = scan(dir, ['--changed-since', 'HEAD']);
  assert.equal(clean.status, 0, clean.stderr);
  assert.deepEqual(scanned(clean.report), []);

  edit('quickstart/nested/backend-pool.json'); // unstaged change of a linked template
  writeFileSync(path.join(dir, 'notes.md'), 'untracked, not a template\n');
  rmSync(path.join(dir, 'relative/modules/backend.json')); // deleted
  edit('bicep/modules/api.bicep');
  const r = scan(dir, ['--changed-since', 'HEAD']);
  assert.deepEqual(scanned(r.report), ['bicep/main.bicep + bicep/main.bicepparam', 'quickstart/azuredeploy.json + quickstart/azuredeploy.parameters.json']);
  assert.equal(r.report.diagnostics.filter((d) => d.severity === 'error').length, 0, JSON.stringify(r.report.diagnostics));

  // Limited to the paths given.
  const within = scan(dir, ['bicep', '--changed-since', 'HEAD']);
  assert.deepEqual(scanned(within.report), ['bicep/main.bicep + bicep/main.bicepparam']);

  const bad = spawnSync(process.execPath, [CLI, 'scan', '--changed-since', 'no-such-ref'], { cwd: dir, encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--changed-since no-such-ref: /);
  rmSync(dir, { recursive: true, force: true });
});

test('the pre-commit hook, run as pre-commit runs it (its entry plus the changed file names), scans what they belong to', () => {
  const hooks = parse(readFileSync(path.join(repoRoot(), '.pre-commit-hooks.yaml'), 'utf8')) as {
    id: string;
    entry: string;
    pass_filenames: boolean;
    files?: string;
    language: string;
  }[];
  const hook = hooks.find((h) => h.id === 'tollgate');
  assert.ok(hook, 'a hook with id tollgate');
  assert.equal(hook.pass_filenames, true);
  const [command, ...args] = hook.entry.split(/\s+/);
  assert.equal(command, 'tollgate');
  const dir = gitRepo();
  // pre-commit passes the staged files its `files` pattern matches (all files when it has none).
  const changed = ['quickstart/azuredeploy.parameters.json', 'bicep/policies/api-policy.xml', 'README.md'];
  writeFileSync(path.join(dir, 'README.md'), '# infra\n');
  const matching = changed.filter((f) => !hook.files || new RegExp(hook.files).test(f));
  assert.deepEqual(matching, changed, 'a loaded file (.xml) and any other file reach the hook');
  const r = spawnSync(process.execPath, [CLI, ...args, ...matching, '--format', 'json'], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 1, r.stderr);
  const report = JSON.parse(r.stdout) as Report;
  assert.deepEqual(scanned(report), ['bicep/main.bicep + bicep/main.bicepparam', 'quickstart/azuredeploy.json + quickstart/azuredeploy.parameters.json']);
  assert.deepEqual(
    report.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  rmSync(dir, { recursive: true, force: true });
});

test("scan of the whole tree through the CLI: the fixture's tollgate.yaml links: is applied and no link is left unfollowed", () => {
  const dir = gitRepo();
  const r = scan(dir, ['.']);
  assert.equal(r.status, 1, r.stderr);
  const links = r.report.diagnostics.filter((d) => d.code === 'linked-template' || d.code === 'scanned-standalone');
  assert.equal(links.length, 2);
  for (const d of links)
    assert.match(
      d.message,
      /is read from (legacy\/linked\/gateway|shared\/tags)\.json \(configuration links: 'https:\/\/raw\.githubusercontent\.com\/contoso\/platform\/main\/'\)$/,
    );
  assert.equal(r.report.summary.resources, 16);
  rmSync(dir, { recursive: true, force: true });
});
