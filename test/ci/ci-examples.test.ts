import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../helpers.js';

/*
 * The CI examples of docs/ci.md: every YAML block parses (strictly), each names only inputs the
 * action or task has, and the GitLab, Azure script and Bitbucket commands run as written against
 * the examples, with the repository's bundle where the clone would be.
 */

const DOC = readFileSync(path.join(repoRoot(), 'docs/ci.md'), 'utf8');
const strict = (text: string) => parse(text, { strict: true, uniqueKeys: true, prettyErrors: true }) as unknown;

function example(name: string): unknown {
  const m = new RegExp(`<!-- ci-example: ${name} -->\\n\`\`\`yaml\\n([\\s\\S]*?)\\n\`\`\`\\n`).exec(DOC);
  assert.ok(m, `docs/ci.md has the ${name} example`);
  return strict(m[1]!);
}

const actionInputs = Object.keys((parse(readFileSync(path.join(repoRoot(), 'action.yml'), 'utf8')) as { inputs: object }).inputs);
const task = JSON.parse(readFileSync(path.join(repoRoot(), 'azure-pipelines/task/task.json'), 'utf8')) as {
  name: string;
  version: { Major: number };
  inputs: { name: string }[];
};

/** A folder like a repository with templates under infra/ (the examples' path). */
function repository(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tollgate-ci-example-'));
  cpSync(path.join(repoRoot(), 'examples/noncompliant'), path.join(dir, 'infra'), { recursive: true });
  return dir;
}

/** Runs a documented command with bash, the clone's path replaced by this repository. */
function runDocumented(command: string, cwd: string, replacements: [string, string][]) {
  let text = command;
  for (const [from, to] of replacements) text = text.split(from).join(to);
  assert.notEqual(text, command, 'the command names the clone');
  return spawnSync('bash', ['-c', text], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
}

test('docs/ci.md: every YAML example parses', () => {
  const blocks = [...DOC.matchAll(/```yaml\n([\s\S]*?)\n```\n/g)].map((m) => m[1]!);
  assert.ok(blocks.length >= 9, `${blocks.length} blocks`);
  for (const block of blocks) assert.doesNotThrow(() => strict(block), block);
});

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
  run?: string;
  if?: string;
}

test('docs/ci.md: the GitHub examples use the action with its own inputs, and post the comment file it writes', () => {
  const { steps } = example('github') as { steps: { uses?: string; with?: Record<string, unknown> }[] };
  const action = steps.find((s) => s.uses?.startsWith('tollgate-dev/tollgate@'))!;
  for (const key of Object.keys(action.with ?? {})) assert.ok(actionInputs.includes(key), key);

  const { jobs } = example('github-pr-comment') as { jobs: Record<string, { steps: Step[] }> };
  const all = Object.values(jobs).flatMap((j) => j.steps);
  const tollgate = all.find((s) => s.uses?.startsWith('tollgate-dev/tollgate@'))!;
  for (const key of Object.keys(tollgate.with ?? {})) assert.ok(actionInputs.includes(key), key);
  const file = tollgate.with?.['pr-comment-file'] as string;
  assert.ok(file);
  const comment = all.find((s) => s.run?.includes('gh pr comment'))!;
  assert.ok(comment.run!.includes(`--body-file ${file}`));
  assert.ok(!all.some((s) => s.uses?.startsWith('actions/setup-node')));
});

test('docs/ci.md: the GitLab job writes the Code Quality report it publishes (run as written)', () => {
  const { tollgate } = example('gitlab') as { tollgate: { script: string[]; artifacts: { when: string; reports: Record<string, string> } } };
  assert.equal(tollgate.artifacts.when, 'always', 'a failing scan still publishes its report');
  const scan = tollgate.script.find((l) => l.includes(' scan '))!;
  const codequality = tollgate.artifacts.reports['codequality']!;
  assert.ok(scan.includes(`-o gitlab=${codequality}`), scan);
  const dir = repository();
  const r = runDocumented(scan, dir, [['/tmp/tollgate/', `${repoRoot()}/`]]);
  assert.equal(r.status, 1, r.stderr);
  const issues = JSON.parse(readFileSync(path.join(dir, codequality), 'utf8')) as { location: { path: string } }[];
  assert.ok(issues.length > 0);
  assert.ok(issues.every((i) => i.location.path.startsWith('infra/')));
  assert.ok(existsSync(path.join(dir, tollgate.artifacts.reports['junit']!)));
  assert.match(r.stdout, /APIM-HTTPBackend/, 'the readable report in the job log');
});

test('docs/ci.md: the Azure Pipelines task example names the task and its inputs; the script example writes what it publishes (run as written)', () => {
  const { steps } = example('azure-task') as { steps: { task?: string; inputs?: Record<string, string> }[] };
  const step = steps.find((s) => s.task?.startsWith('Tollgate@'))!;
  assert.equal(step.task, `${task.name}@${task.version.Major}`);
  for (const key of Object.keys(step.inputs ?? {}))
    assert.ok(
      task.inputs.some((i) => i.name === key),
      key,
    );

  const script = (example('azure-script') as { steps: { script?: string; task?: string; inputs?: Record<string, string> }[] }).steps;
  const scan = script.find((s) => s.script?.includes(' scan '))!.script!;
  const dir = repository();
  const staging = path.join(dir, 'staging');
  const macros: [string, string][] = [
    ['$(Agent.TempDirectory)/tollgate', repoRoot()],
    ['$(Build.ArtifactStagingDirectory)', staging],
  ];
  const r = runDocumented(scan, dir, macros);
  assert.equal(r.status, 1, r.stderr);
  const publish = script.find((s) => s.task === 'PublishBuildArtifacts@1')!;
  assert.equal(publish.inputs?.['ArtifactName'], 'CodeAnalysisLogs');
  const published = macros.reduce((t, [from, to]) => t.split(from).join(to), publish.inputs!['PathtoPublish']!);
  assert.equal(JSON.parse(readFileSync(path.join(published, 'tollgate.sarif'), 'utf8')).version, '2.1.0');
  const tests = script.find((s) => s.task === 'PublishTestResults@2')!;
  assert.ok(existsSync(macros.reduce((t, [from, to]) => t.split(from).join(to), tests.inputs!['testResultsFiles']!)));
});

test('docs/ci.md: the Bitbucket step writes JUnit into test-results/ (run as written)', () => {
  const doc = example('bitbucket') as { pipelines: { 'pull-requests': Record<string, { step: { script: string[] } }[]> } };
  const step = doc.pipelines['pull-requests']['**']![0]!.step;
  const scan = step.script.find((l) => l.includes(' scan '))!;
  const dir = repository();
  const r = runDocumented(scan, dir, [['/tmp/tollgate/', `${repoRoot()}/`]]);
  assert.equal(r.status, 1, r.stderr);
  assert.match(readFileSync(path.join(dir, 'test-results/tollgate.xml'), 'utf8'), /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites /);
});
