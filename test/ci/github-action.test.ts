import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../helpers.js';

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}

const action = parse(readFileSync(path.join(repoRoot(), 'action.yml'), 'utf8'), { strict: true, uniqueKeys: true }) as {
  inputs: Record<string, { default?: string }>;
  runs: { using: string; steps: Step[] };
};
const scanStep = action.runs.steps.find((s) => s.id === 'scan')!;
const BASH = spawnSync('bash', ['-c', 'command -v bash'], { encoding: 'utf8' }).stdout.trim();

/** `${{ inputs.x }}` -> the value given, else the input's default: what GitHub substitutes. */
function substitute(text: string, inputs: Record<string, string>): string {
  return text.replace(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g, (_m, name: string) => inputs[name] ?? action.inputs[name]?.default ?? '');
}

/** Runs the scan step as the runner would: its env with the inputs substituted, GitHub's files, the action's folder. */
function runScanStep(cwd: string, inputs: Record<string, string>, extraEnv: Record<string, string> = {}) {
  const out = mkdtempSync(path.join(tmpdir(), 'tollgate-action-'));
  const files = { GITHUB_OUTPUT: path.join(out, 'github-output'), GITHUB_STEP_SUMMARY: path.join(out, 'step-summary') };
  writeFileSync(files.GITHUB_OUTPUT, '');
  // Another command of the step wrote first: the summary is appended, never replaced.
  writeFileSync(files.GITHUB_STEP_SUMMARY, 'written before\n');
  const env = Object.fromEntries(Object.entries(scanStep.env ?? {}).map(([k, v]) => [k, substitute(v, inputs)]));
  const r = spawnSync(BASH, ['-e', '-c', scanStep.run!], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env, GITHUB_ACTION_PATH: repoRoot(), RUNNER_TEMP: out, NO_COLOR: '1', ...files, ...extraEnv },
  });
  const outputs = Object.fromEntries(
    readFileSync(files.GITHUB_OUTPUT, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('=') as [string, string]),
  );
  return { ...r, outputs, summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'), dir: out };
}

test('action.yml: a composite action whose inputs all have defaults, with no setup-node, install or compile at run time', () => {
  assert.equal(action.runs.using, 'composite');
  for (const [name, input] of Object.entries(action.inputs)) assert.ok(input.default !== undefined, `input ${name} has a default`);
  for (const step of action.runs.steps) {
    assert.ok(!step.uses?.startsWith('actions/setup-node'), 'the caller’s Node.js is not changed');
    assert.doesNotMatch(step.run ?? '', /\bnpm\b|\bnpx\b|\btsc\b|\byarn\b|\bpnpm\b/, step.run);
  }
  const script = readFileSync(path.join(repoRoot(), 'action/scan.sh'), 'utf8');
  assert.doesNotMatch(script.replace(/^\s*#.*$/gm, ''), /\bnpm\b|\bnpx\b|\btsc\b/);
  assert.match(scanStep.run!, /action\/scan\.sh/);
  // The current major of the upload action; it runs only when this run wrote a SARIF file.
  const upload = action.runs.steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'))!;
  assert.equal(upload.uses, 'github/codeql-action/upload-sarif@v4');
  assert.match(upload.if!, /steps\.scan\.outputs\.sarif-written == 'true'/);
  assert.equal(upload.with?.['sarif_file'], '${{ inputs.sarif-file }}');
});

test('the scan step, run locally with GitHub’s files, scans once and writes the log, the annotations, SARIF and the job summary', () => {
  // A node on the PATH that records each run, then runs the real one: the scan must run once.
  const shim = mkdtempSync(path.join(tmpdir(), 'tollgate-node-shim-'));
  const calls = path.join(shim, 'calls');
  writeFileSync(path.join(shim, 'node'), `#!/bin/sh\necho "$*" >> "${calls}"\nexec "${process.execPath}" "$@"\n`);
  chmodSync(path.join(shim, 'node'), 0o755);
  const reports = mkdtempSync(path.join(tmpdir(), 'tollgate-sarif-'));
  const sarifFile = path.join(reports, 'tollgate.sarif');
  const commentFile = path.join(reports, 'comment.md');
  const r = runScanStep(
    repoRoot(),
    { path: 'examples/noncompliant', 'sarif-file': sarifFile, 'pr-comment-file': commentFile },
    { PATH: `${shim}:${process.env['PATH']}`, GITHUB_ACTIONS: 'true', GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'o/r', GITHUB_RUN_ID: '7' },
  );
  assert.equal(r.status, 0, r.stderr);
  const scans = readFileSync(calls, 'utf8')
    .split('\n')
    .filter((l) => / scan /.test(l));
  assert.equal(scans.length, 1, scans.join('\n'));
  assert.match(scans[0]!, /action\/dist\/tollgate\.mjs scan /, 'the committed bundle runs');
  // The non-compliant example has error-level findings: exit code 1, passed on for the fail step.
  assert.equal(r.outputs['exit-code'], '1');
  assert.equal(r.outputs['sarif-written'], 'true');
  const sarif = JSON.parse(readFileSync(sarifFile, 'utf8'));
  assert.equal(sarif.version, '2.1.0');
  assert.ok(sarif.runs[0].results.length > 0);
  // The log: the readable report, then one workflow command per finding.
  assert.match(r.stdout, /APIM-HTTPBackend/);
  const annotations = r.stdout.split('\n').filter((l) => l.startsWith('::'));
  assert.ok(
    annotations.some((l) => /^::error file=examples\/noncompliant\/[^,]+,line=\d+/.test(l)),
    annotations.join('\n'),
  );
  assert.ok(r.stdout.indexOf('::error ') > r.stdout.indexOf('APIM-HTTPBackend'));
  // The job summary: appended after what was there.
  assert.ok(r.summary.startsWith('written before\n### Tollgate: ❌ fails\n'), r.summary.slice(0, 200));
  assert.match(r.summary, /\| 🔴 critical \| `APIM-HTTPBackend` \|/);
  // The pull-request comment, from the same scan.
  const comment = readFileSync(commentFile, 'utf8');
  assert.ok(comment.startsWith('### Tollgate: ❌ fails\n') && comment.length < 65_536);
  assert.match(comment, /`APIM-HTTPBackend`/);

  const fail = action.runs.steps.find((s) => s.name === 'Fail on findings')!;
  const failRun = spawnSync('bash', ['-e', '-c', fail.run!], { encoding: 'utf8', env: { ...process.env, TOLLGATE_EXIT_CODE: '1' } });
  assert.equal(failRun.status, 1);
  assert.match(failRun.stdout, /exited with code 1/);
});

test('a stale SARIF file is not uploaded when the scan cannot run (bad usage)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tollgate-action-usage-'));
  const sarifFile = path.join(dir, 'tollgate.sarif');
  writeFileSync(sarifFile, '{"stale": true}');
  writeFileSync(path.join(dir, 'bad.yaml'), 'failOn: sometimes\n');
  const r = runScanStep(dir, { path: '.', 'sarif-file': sarifFile, config: 'bad.yaml' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.outputs['exit-code'], '2');
  assert.equal(r.outputs['sarif-written'], undefined);
});

test('without node 20 or later on the PATH, the step fails with a message that says so', () => {
  // No node at all: a PATH with bash alone (the script needs only its builtins until the message).
  const bashOnly = mkdtempSync(path.join(tmpdir(), 'tollgate-no-node-'));
  symlinkSync(BASH, path.join(bashOnly, 'bash'));
  const none = runScanStep(repoRoot(), { path: 'examples/noncompliant', 'sarif-file': path.join(bashOnly, 'x.sarif') }, { PATH: bashOnly });
  assert.equal(none.status, 1);
  assert.match(none.stdout, /^::error title=Tollgate::Node\.js is not on the PATH: Tollgate needs Node\.js 20 or later/m);
  // An old node: a stand-in that answers as Node 18 would.
  const old = mkdtempSync(path.join(tmpdir(), 'tollgate-old-node-'));
  writeFileSync(path.join(old, 'node'), '#!/bin/sh\ncase "$*" in *process.versions*) echo 18 ;; --version) echo v18.20.4 ;; *) exit 99 ;; esac\n');
  chmodSync(path.join(old, 'node'), 0o755);
  const r = runScanStep(repoRoot(), { path: 'examples/noncompliant', 'sarif-file': path.join(old, 'x.sarif') }, { PATH: `${old}:${process.env['PATH']}` });
  assert.equal(r.status, 1);
  assert.match(r.stdout, /^::error title=Tollgate::Node\.js v18\.20\.4 is too old: Tollgate needs Node\.js 20 or later/m);
  assert.equal(r.outputs['exit-code'], undefined, 'no scan ran');
});

test('with changed-since, the action scans only what the changed files belong to', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tollgate-action-changed-'));
  cpSync(path.join(repoRoot(), 'test/fixtures/linked-repo'), dir, { recursive: true });
  const git = (...args: string[]) => assert.equal(spawnSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: dir }).status, 0);
  git('init', '-q');
  git('add', '.');
  git('commit', '-qm', 'base');
  // A pull request that changes one nested template: its root deployment is what gets scanned.
  const nested = path.join(dir, 'relative/modules/backend.json');
  writeFileSync(nested, readFileSync(nested, 'utf8').replace('http://relative', 'http://changed'));
  mkdirSync(path.join(dir, 'out'));
  const sarifFile = path.join(dir, 'out/out.sarif');
  const r = runScanStep(dir, { path: '.', 'sarif-file': sarifFile, 'changed-since': 'HEAD' });
  assert.equal(r.status, 0, r.stderr);
  const results = JSON.parse(readFileSync(sarifFile, 'utf8')).runs[0].results as { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[];
  const files = [...new Set(results.map((x) => x.locations[0]!.physicalLocation.artifactLocation.uri))];
  assert.deepEqual(files, ['relative/modules/backend.json']);
  assert.match(r.stdout, /http:\/\/changed\.contoso\.com/);
});
