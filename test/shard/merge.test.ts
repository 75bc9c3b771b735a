import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parameterFile, repoRoot, template, tempTree } from '../helpers.js';
import { parseShard, shardOf } from '../../src/shard.js';

const CLI = path.join(repoRoot(), 'dist/cli/main.js');
const run = (args: string[], cwd: string) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

const httpBackend = (name: string) => ({
  type: 'Microsoft.ApiManagement/service/backends',
  apiVersion: '2023-05-01-preview',
  name,
  properties: { url: 'http://partner.example.com', protocol: 'http' },
});

/**
 * A repository with many units of every kind: templates with one and with two parameter files,
 * Bicep with a .bicepparam, linked templates (by URL and relative), an export-free template with
 * an in-source suppression, a configuration with one suppression used and one unused, and a
 * file that does not parse (an input error every shard meets).
 */
function repository(): string {
  const dir = tempTree({
    'tollgate.yaml': [
      'links:',
      '  https://raw.githubusercontent.com/contoso/platform/main/: linked-repo',
      'suppressions:',
      '  - rule: APIM-HTTPBackend',
      '    reason: partner endpoint is HTTP-only until its migration',
      '    resourceName: apim/partner-*',
      '  - rule: APIM-HTTPBackend',
      '    reason: matches nothing anywhere',
      '    resourceName: nothing-*',
      '',
    ].join('\n'),
    'multi/main.json': template({ parameters: { name: { type: 'string' } }, resources: [httpBackend("[concat('apim/', parameters('name'))]")] }),
    'multi/main.parameters.dev.json': parameterFile({ name: 'dev-backend' }),
    'multi/main.parameters.prod.json': parameterFile({ name: 'prod-backend' }),
    'suppressed/partner.json': template({ resources: [httpBackend('apim/partner-one'), httpBackend('apim/other')] }),
    'many/.keep': '',
    'broken/bad.json': '{ "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "resources": [ }',
  });
  for (let i = 1; i <= 6; i++) writeFileSync(path.join(dir, `many/t${i}.json`), template({ resources: [httpBackend(`apim/b${i}`)] }), { flag: 'w' });
  const root = repoRoot();
  cpSync(path.join(root, 'test/fixtures/linked-repo'), path.join(dir, 'linked-repo'), { recursive: true, filter: (src) => !src.endsWith('tollgate.yaml') });
  cpSync(path.join(root, 'test/fixtures/coverage-repo'), path.join(dir, 'coverage-repo'), { recursive: true });
  for (const example of ['compliant', 'noncompliant', 'bicep'])
    cpSync(path.join(root, 'examples', example), path.join(dir, 'examples', example), { recursive: true });
  return dir;
}

/**
 * What differs between runs of the same scan, named here: the durations (the merge reports the
 * slowest shard's) and the shard section itself (present only in shard reports).
 */
function normalise(report: { summary: { durationMs: number }; shard?: unknown }): unknown {
  const { shard: _shard, ...rest } = report;
  void _shard;
  return { ...rest, summary: { ...rest.summary, durationMs: 0 } };
}
const normaliseText = (text: string) => text.replace(/"durationMs": \d+/g, '"durationMs": 0').replace(/time="[\d.]+"/g, 'time="0"');

test('--shard 1/3, 2/3, 3/3 merged equals the single run: json, sarif, junit, markdown, pr-comment, gitlab', () => {
  const dir = repository();
  const single = run(['scan', '.', '-f', 'json', '-o', 'single.json'], dir);
  assert.equal(single.status, 3, `the broken file is an input error: ${single.stderr}`);
  const shardRuns = [1, 2, 3].map((i) => run(['scan', '.', '--shard', `${i}/3`, '-f', 'json', '-o', `shard-${i}.json`], dir));
  for (const r of shardRuns) assert.equal(r.status, 3, r.stderr);
  const read = (file: string) => JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
  const whole = read('single.json');
  const shards = [1, 2, 3].map((i) => read(`shard-${i}.json`));

  // The fixture is worth something only if it spreads: every shard scans units, and has findings.
  const unitKey = (u: { file: string; parameterFile?: string }) => `${u.file} | ${u.parameterFile ?? ''}`;
  const unitsOf = shards.map((s) => s.shard.scan.units.map(unitKey) as string[]);
  for (const [i, units] of unitsOf.entries()) assert.ok(units.length >= 2, `shard ${i + 1} scans ${units.length} units`);
  assert.ok(whole.findings.length >= 10, `${whole.findings.length} findings`);
  assert.ok(whole.suppressed?.length >= 1, 'a finding is suppressed by the configuration');
  // Each unit in exactly one shard, and together every unit of the single run.
  const all = unitsOf.flat();
  assert.equal(new Set(all).size, all.length, 'no unit is in two shards');
  const singleUnits = run(['scan', '.', '--shard', '1/1', '-f', 'json'], dir);
  assert.deepEqual([...all].sort(), (JSON.parse(singleUnits.stdout).shard.scan.units.map(unitKey) as string[]).sort());
  // The reports say which shard they are.
  assert.deepEqual(
    shards.map((s) => [s.shard.index, s.shard.count]),
    [
      [1, 3],
      [2, 3],
      [3, 3],
    ],
  );

  const merged = run(['merge', 'shard-1.json', 'shard-2.json', 'shard-3.json', '-f', 'json', '-o', 'merged.json'], dir);
  assert.equal(merged.status, 3, `merge exits as the single scan: ${merged.stderr}`);
  assert.deepEqual(normalise(read('merged.json')), normalise(whole));
  // The unused configuration suppression is reported once; the used one, used in one shard only, not at all.
  const unused = read('merged.json').diagnostics.filter((d: { code: string }) => d.code === 'suppression-unused');
  assert.equal(unused.length, 1, JSON.stringify(unused));
  assert.ok(
    shards.filter((s) => s.diagnostics.some((d: { code: string }) => d.code === 'suppression-unused')).length >= 2,
    'shards that did not use a suppression report it unused',
  );

  // Fingerprints and suppressions are kept: the SARIF of the merge is the single run's.
  for (const format of ['sarif', 'junit', 'markdown', 'pr-comment', 'gitlab']) {
    run(['scan', '.', '-f', format, '-o', `single.${format}`], dir);
    // Shard reports in another order: the merge does not depend on it.
    const m = run(['merge', 'shard-3.json', 'shard-1.json', 'shard-2.json', '-f', format, '-o', `merged.${format}`], dir);
    assert.equal(m.status, 3, m.stderr);
    assert.equal(
      normaliseText(readFileSync(path.join(dir, `merged.${format}`), 'utf8')),
      normaliseText(readFileSync(path.join(dir, `single.${format}`), 'utf8')),
      format,
    );
  }
  const sarif = JSON.parse(readFileSync(path.join(dir, 'merged.sarif'), 'utf8'));
  assert.ok(
    sarif.runs[0].results.every((r: { partialFingerprints?: object }) => r.partialFingerprints),
    'every result keeps its fingerprint',
  );
  assert.ok(
    sarif.runs[0].results.some((r: { suppressions?: unknown[] }) => r.suppressions?.length),
    'the suppressed finding stays, marked',
  );
});

test('the SARIF of a shard says which shard it is', () => {
  const dir = tempTree({ 'a.json': template({ resources: [httpBackend('apim/a')] }) });
  const r = run(['scan', '.', '--shard', '2/2', '-f', 'sarif'], dir);
  assert.equal(JSON.parse(r.stdout).runs[0].properties.shard.index, 2);
  assert.equal(JSON.parse(r.stdout).runs[0].properties.shard.count, 2);
});

test('--shard: bad values are usage errors (exit 2)', () => {
  const dir = tempTree({ 'a.json': template({ resources: [] }) });
  for (const bad of ['0/3', '4/3', 'x', '1/0', '1', '-1/3', '1.5/3']) {
    const r = run(['scan', '.', '--shard', bad], dir);
    assert.equal(r.status, 2, `${bad}: ${r.stderr}`);
    assert.match(r.stderr, /--shard must be I\/N/);
  }
  assert.deepEqual(parseShard('3/3'), { ok: true, value: { index: 3, count: 3 } });
});

test('shardOf: a function of the path alone, every value in 1..n, and it spreads', () => {
  const paths = Array.from({ length: 300 }, (_, i) => `infra/team-${i % 7}/main-${i}.json`);
  const counts = [0, 0, 0];
  for (const p of paths) {
    const s = shardOf(p, 3);
    assert.ok(s >= 1 && s <= 3);
    assert.equal(shardOf(p, 3), s);
    counts[s - 1]!++;
  }
  for (const c of counts) assert.ok(c > 60, `uneven: ${counts.join(', ')}`);
  assert.equal(shardOf('anything', 1), 1);
});

test('merge: incomplete, repeated or mismatched shard sets are usage errors naming the files', () => {
  const dir = tempTree({ 'a.json': template({ resources: [httpBackend('apim/a')] }), 'b.json': template({ resources: [httpBackend('apim/b')] }) });
  for (const i of [1, 2]) run(['scan', '.', '--shard', `${i}/2`, '-f', 'json', '-o', `s${i}.json`], dir);
  run(['scan', '.', '-f', 'json', '-o', 'plain.json'], dir);
  run(['scan', '.', '--shard', '1/3', '-f', 'json', '-o', 'other.json'], dir);
  writeFileSync(path.join(dir, 'bad.json'), '{\n  "tool": ,\n}');
  const s2 = JSON.parse(readFileSync(path.join(dir, 's2.json'), 'utf8'));
  delete s2.shard.scan.results;
  writeFileSync(path.join(dir, 'cut.json'), JSON.stringify(s2));
  const cases: [string[], RegExp][] = [
    [['s1.json'], /shard 2\/2 missing/],
    [['s1.json', 's1.json', 's2.json'], /s1\.json and s1\.json are both shard 1\/2/],
    [['s1.json', 's2.json', 'other.json'], /other\.json is shard 1\/3/],
    [['s1.json', 'plain.json'], /plain\.json: a Tollgate JSON report without a shard section/],
    [['s1.json', 'bad.json'], /bad\.json:2:11: not valid JSON \(/],
    [['s1.json', 'missing.json'], /cannot read missing\.json: ENOENT/],
    [['s1.json', 'cut.json'], /cut\.json: shard\.scan is incomplete \(results\)/],
  ];
  for (const [files, message] of cases) {
    const r = run(['merge', ...files], dir);
    assert.equal(r.status, 2, `${files.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
  const ok = run(['merge', 's2.json', 's1.json', '-f', 'json'], dir);
  assert.equal(ok.status, 1, ok.stderr);
  const plain = JSON.parse(readFileSync(path.join(dir, 'plain.json'), 'utf8'));
  assert.ok(plain.findings.length >= 2);
  assert.equal(JSON.parse(ok.stdout).findings.length, plain.findings.length);
});

test('real corpora (test/fixtures/upstream/corpora: AVM and quickstart API Management): shards 1..3 merged equal the single run in json and junit', () => {
  const dir = tempTree({});
  cpSync(path.join(repoRoot(), 'test/fixtures/upstream/corpora'), path.join(dir, 'corpora'), { recursive: true });
  const single = run(['scan', 'corpora', '-f', 'json', '-o', 'json=single.json', '-f', 'junit', '-o', 'junit=single.junit.xml'], dir);
  assert.ok(single.status === 1 || single.status === 3, single.stderr);
  for (const i of [1, 2, 3]) run(['scan', 'corpora', '--shard', `${i}/3`, '-f', 'json', '-o', `shard-${i}.json`], dir);
  const read = (file: string) => readFileSync(path.join(dir, file), 'utf8');
  const units = [1, 2, 3].map((i) => JSON.parse(read(`shard-${i}.json`)).shard.scan.units.length as number);
  for (const n of units) assert.ok(n >= 10, `units per shard: ${units.join('/')}`);
  // To files: the reports are larger than spawnSync's buffer for standard output.
  const merged = run(['merge', 'shard-1.json', 'shard-2.json', 'shard-3.json', '-f', 'json', '-o', 'merged.json'], dir);
  assert.equal(merged.status, single.status, merged.stderr);
  const whole = JSON.parse(read('single.json'));
  assert.ok(whole.findings.length >= 100, `${whole.findings.length} findings`);
  assert.deepEqual(normalise(JSON.parse(read('merged.json'))), normalise(whole));
  run(['merge', 'shard-2.json', 'shard-3.json', 'shard-1.json', '-f', 'junit', '-o', 'merged.junit.xml'], dir);
  assert.equal(normaliseText(read('merged.junit.xml')), normaliseText(read('single.junit.xml')));
});
