import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../helpers.js';

const TASK = path.join(repoRoot(), 'azure-pipelines/task');

interface TaskJson {
  id: string;
  name: string;
  friendlyName: string;
  description: string;
  category: string;
  version: { Major: number; Minor: number; Patch: number };
  instanceNameFormat: string;
  inputs: { name: string; type: string; label: string; defaultValue?: string; required?: boolean }[];
  execution: Record<string, { target: string }>;
}

const task = JSON.parse(readFileSync(path.join(TASK, 'task.json'), 'utf8')) as TaskJson;
const version = (JSON.parse(readFileSync(path.join(repoRoot(), 'package.json'), 'utf8')) as { version: string }).version;

/** Runs the task's script as the agent would: each input as INPUT_<NAME>, the Node 20 handler's node. */
function runTask(script: string, inputs: Record<string, string>, cwd: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, SYSTEM_DEFAULTWORKINGDIRECTORY: cwd, NO_COLOR: '1' };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  return spawnSync(process.execPath, [script], { cwd: tmpdir(), env, encoding: 'utf8' });
}

test('task.json: the fields the task schema requires, a fixed id, inputs for paths, config, SARIF and failing, a Node 20 handler whose target exists', () => {
  assert.match(task.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.equal(task.id, 'de1f01dc-a529-4808-9ee4-9d1da36626a7', 'the id never changes: pipelines find the task by it');
  assert.match(task.name, /^[A-Za-z0-9-]+$/);
  assert.ok(task.friendlyName.length > 0 && task.friendlyName.length <= 40, 'the schema limits friendlyName to 40 characters');
  assert.ok(task.description && task.category && task.instanceNameFormat);
  assert.equal(`${task.version.Major}.${task.version.Minor}.${task.version.Patch}`, version, 'the task version is Tollgate’s');
  const taskPackage = JSON.parse(readFileSync(path.join(TASK, 'package.json'), 'utf8')) as { version: string; type: string };
  assert.equal(taskPackage.version, version);
  assert.equal(taskPackage.type, 'commonjs');
  const names = task.inputs.map((i) => i.name);
  for (const name of ['paths', 'config', 'sarifFile', 'fail']) assert.ok(names.includes(name), `input ${name}`);
  for (const i of task.inputs) {
    assert.ok(i.label, `input ${i.name} has a label`);
    assert.ok(['string', 'multiLine', 'filePath', 'boolean', 'pickList'].includes(i.type), `input ${i.name}: ${i.type}`);
  }
  assert.deepEqual(Object.keys(task.execution), ['Node20_1']);
  assert.ok(existsSync(path.join(TASK, task.execution['Node20_1']!.target)));
});

test('the task script, run with the inputs as the agent sets them, scans, writes SARIF, publishes it as CodeAnalysisLogs and fails on findings', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'tollgate-azure-'));
  const sarifFile = path.join(out, 'CodeAnalysisLogs/tollgate.sarif');
  const r = runTask(path.join(TASK, 'index.js'), { paths: 'examples/noncompliant\nexamples/compliant', sarifFile, config: repoRoot() }, repoRoot());
  assert.equal(r.status, 1, r.stderr);
  const sarif = JSON.parse(readFileSync(sarifFile, 'utf8'));
  assert.equal(sarif.version, '2.1.0');
  const uris = new Set(
    sarif.runs[0].results.map(
      (x: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) => x.locations[0]!.physicalLocation.artifactLocation.uri,
    ),
  );
  assert.ok(
    [...uris].some((u) => String(u).startsWith('examples/noncompliant/')),
    [...uris].join(' '),
  );
  // The readable report in the log, then the logging commands.
  assert.match(r.stdout, /APIM-HTTPBackend/);
  assert.match(r.stdout, /^##vso\[task\.setvariable variable=exitCode;isOutput=true\]1$/m);
  assert.ok(r.stdout.includes(`##vso[artifact.upload containerfolder=CodeAnalysisLogs;artifactname=CodeAnalysisLogs]${sarifFile}\n`));
  assert.match(r.stdout, /^##vso\[task\.complete result=Failed;\]Tollgate exited with code 1 \(error-level findings\)$/m);

  const lenient = runTask(path.join(TASK, 'index.js'), { paths: 'examples/noncompliant', sarifFile, fail: 'false', publishSarif: 'false' }, repoRoot());
  assert.equal(lenient.status, 0, lenient.stderr);
  assert.match(lenient.stdout, /exitCode;isOutput=true\]1$/m);
  assert.doesNotMatch(lenient.stdout, /task\.complete|artifact\.upload/);
});

test('the packaged task folder works alone: its CLI bundle finds the catalog beside it', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tollgate-azure-package-'));
  const packaged = path.join(dir, 'Tollgate');
  const built = spawnSync(process.execPath, [path.join(repoRoot(), 'scripts/package-azure-task.mjs'), packaged], { encoding: 'utf8' });
  assert.equal(built.status, 0, built.stderr);
  const work = path.join(dir, 'repo');
  cpSync(path.join(repoRoot(), 'examples/compliant'), path.join(work, 'infra'), { recursive: true });
  const sarifFile = path.join(dir, 'staging/tollgate.sarif');
  const r = runTask(path.join(packaged, 'index.js'), { paths: 'infra', sarifFile }, work);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const sarif = JSON.parse(readFileSync(sarifFile, 'utf8'));
  assert.equal(sarif.runs[0].tool.driver.version, version);
  assert.ok(sarif.runs[0].tool.driver.rules.length > 100, 'the shipped rules and catalog were loaded');
  assert.match(r.stdout, /exitCode;isOutput=true\]0$/m);
});
