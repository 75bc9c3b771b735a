import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { planOutputs } from '../../src/cli/output-plan.js';
import { fail, ok } from '../../src/result.js';
import { FORMATS } from '../../src/report/index.js';
import { repoRoot } from '../helpers.js';

// The CLI as compiled with the tests (like cli.test.ts), so that a stale dist/ cannot hide a change.
const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
const run = (args: string[], cwd = repoRoot()) =>
  spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
const tmp = () => mkdtempSync(path.join(tmpdir(), 'tollgate-formats-'));

test('several formats in one run: --format sarif,junit --output sarif=FILE --output junit=FILE', () => {
  const dir = tmp();
  const r = run(['scan', 'examples/', '--format', 'sarif,junit', '--output', `sarif=${dir}/a.sarif`, '--output', `junit=${dir}/b.xml`]);
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stdout, '');
  const sarif = JSON.parse(readFileSync(`${dir}/a.sarif`, 'utf8'));
  assert.equal(sarif.version, '2.1.0');
  const junit = readFileSync(`${dir}/b.xml`, 'utf8');
  assert.match(junit, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="tollgate" /);
  // The same findings in both: one SARIF result per failure (the examples have no suppressions).
  const failures = Number(/<testsuites [^>]*failures="(\d+)"/.exec(junit)![1]);
  assert.ok(failures > 0);
  assert.equal((junit.match(/<failure /g) ?? []).length, failures);
  // Written atomically: no temporary files left beside them.
  assert.deepEqual(readdirSync(dir).sort(), ['a.sarif', 'b.xml']);
});

test('one format to standard output and the others to files; -f repeatable; every format renders', () => {
  const dir = tmp();
  const r = run([
    'scan',
    'examples/',
    '-f',
    'csv,markdown',
    '-f',
    'github',
    '-f',
    'html,junit,json,sarif',
    '--output',
    `csv=${dir}/r.csv`,
    '-o',
    `markdown=${dir}/r.md`,
    '-o',
    `html=${dir}/r.html`,
    '-o',
    `junit=${dir}/r.xml`,
    '-o',
    `json=${dir}/r.json`,
    '-o',
    `sarif=${dir}/r.sarif`,
  ]);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /^::(error|warning|notice) file=/);
  assert.match(readFileSync(`${dir}/r.csv`, 'utf8'), /^level,severity,rule,/);
  assert.match(readFileSync(`${dir}/r.md`, 'utf8'), /^### Tollgate: ❌ fails/);
  assert.match(readFileSync(`${dir}/r.html`, 'utf8'), /^<!doctype html>/i);
  assert.equal(JSON.parse(readFileSync(`${dir}/r.json`, 'utf8')).version, 1);
  // pretty stays the default, to standard output.
  const pretty = run(['scan', 'examples/', '-o', `json=${dir}/only.json`, '-f', 'json,pretty']);
  assert.match(pretty.stdout, /\d+ errors?, \d+ warnings?/);
  assert.ok(existsSync(`${dir}/only.json`));
});

test("the configuration's output: formats and files (relative to it) when the command line names none; flags win", async () => {
  const { cpSync, writeFileSync } = await import('node:fs');
  const dir = tmp();
  cpSync(path.join(repoRoot(), 'examples', 'noncompliant'), path.join(dir, 'infra'), { recursive: true });
  writeFileSync(path.join(dir, 'tollgate.yaml'), 'output:\n  formats: [pretty, sarif]\n  files:\n    sarif: reports/tollgate.sarif\n');
  const r = run(['scan', 'infra'], dir);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /error/);
  assert.equal(JSON.parse(readFileSync(path.join(dir, 'reports', 'tollgate.sarif'), 'utf8')).version, '2.1.0');
  // A --format on the command line replaces the configured reports.
  const flags = run(['scan', 'infra', '--format', 'json'], dir);
  assert.equal(JSON.parse(flags.stdout).summary !== undefined, true);
  // A bad combination in the configuration is a usage error naming it.
  writeFileSync(path.join(dir, 'tollgate.yaml'), 'output:\n  formats: [pretty, json]\n');
  const bad = run(['scan', 'infra'], dir);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /output in the configuration: pretty and json would both go to standard output/);
  writeFileSync(path.join(dir, 'tollgate.yaml'), 'output:\n  formats: [pdf]\n');
  assert.match(
    run(['scan', 'infra'], dir).stderr,
    /tollgate\.yaml:2:13: output\.formats\.0 'pdf' is not one of pretty, json, sarif, html, junit, markdown, pr-comment, csv, github, gitlab/,
  );
});

test('a single --output FILE with a single format works as before', () => {
  const dir = tmp();
  const r = run(['scan', 'examples/', '--format', 'junit', '--output', `${dir}/junit.xml`]);
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(readFileSync(`${dir}/junit.xml`, 'utf8'), /<testsuites /);
  // A file name with '=' that is not FORMAT=FILE is a file name.
  const odd = run(['scan', 'examples/', '--format', 'csv', '--output', `${dir}/a=b.csv`]);
  assert.equal(odd.status, 1, odd.stderr);
  assert.ok(existsSync(`${dir}/a=b.csv`));
});

test('bad combinations are usage errors (exit 2) that say what to do, and write nothing', () => {
  const dir = tmp();
  const cases: [string[], RegExp][] = [
    [['--format', 'sarif,junit'], /sarif and junit would both go to standard output: give all but one a file with --output FORMAT=FILE/],
    [['-f', 'sarif', '-f', 'junit,csv'], /sarif, junit and csv would all go to standard output/],
    [['--format', 'sarif,junit', '--output', `${dir}/out.txt`], /with several formats, name each file as FORMAT=FILE/],
    [['--format', 'yaml'], /unknown format 'yaml' \(one of pretty, json, sarif, html, junit, markdown, pr-comment, csv, github, gitlab\)/],
    [['--format', 'json', '--output', `sarif=${dir}/x`], /the format 'sarif' was not asked for with --format/],
    [['--format', 'sarif,junit', '--output', 'sarif='], /--output sarif=: no file name/],
    [['--format', 'sarif', '--output', `=${dir}/x`], /name the format before '='/],
    [['--format', 'sarif,junit', '-o', `sarif=${dir}/a`, '-o', `sarif=${dir}/b`], /sarif is written to one file, got both/],
    [['--format', 'json', '-o', `${dir}/a`, '-o', `${dir}/b`], /json is written to one file, got both/],
    [['--format', 'sarif,junit', '-o', `sarif=${dir}/same`, '-o', `junit=${dir}/./same`], /sarif and junit would both be written to/],
  ];
  for (const [args, message] of cases) {
    const r = run(['scan', 'examples/', ...args]);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, new RegExp(`^tollgate: .*${message.source}`), args.join(' '));
    assert.equal(r.stdout, '', args.join(' '));
  }
  assert.deepEqual(readdirSync(dir), []);
});

test('output plans', () => {
  assert.deepEqual(planOutputs(undefined, undefined), ok([{ format: 'pretty', file: undefined }]));
  assert.deepEqual(planOutputs(['json'], ['out.json']), ok([{ format: 'json', file: 'out.json' }]));
  assert.deepEqual(planOutputs(['JSON'], 'out.json'), ok([{ format: 'json', file: 'out.json' }]));
  assert.deepEqual(
    planOutputs(['csv, markdown', 'csv'], ['csv=x.csv']),
    ok([
      { format: 'csv', file: 'x.csv' },
      { format: 'markdown', file: undefined },
    ]),
  );
  // A single format may be named too.
  assert.deepEqual(planOutputs(['sarif'], ['sarif=a.sarif']), ok([{ format: 'sarif', file: 'a.sarif' }]));
  assert.deepEqual(planOutputs(['xml'], undefined), fail(`unknown format 'xml' (one of ${FORMATS.join(', ')})`));
});
