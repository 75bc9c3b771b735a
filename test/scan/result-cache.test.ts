import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs, { mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadRuleSet, scan, type RuleSet, type ScanOptions } from '../../src/scan.js';
import { render } from '../../src/report/index.js';
import { parameterFile, repoRoot, template, tempTree } from '../helpers.js';

// `--cache DIR`: a unit's results are reused while every file it read hashes the same, under the
// same rules, options and configuration; anything else is a miss that replaces the entry.

const service = (name: string, minApi: string) => ({
  type: 'Microsoft.ApiManagement/service',
  apiVersion: '2023-05-01-preview',
  name,
  location: 'westeurope',
  sku: { name: 'Developer', capacity: 1 },
  properties: { publisherEmail: 'a@example.com', publisherName: 'x', apiVersionConstraint: { minApiVersion: minApi } },
});

const MODULE = (minApi: string) => `param name string
resource svc 'Microsoft.ApiManagement/service@2023-05-01-preview' = {
  name: name
  location: 'westeurope'
  sku: { name: 'Developer', capacity: 1 }
  properties: {
    publisherEmail: 'a@example.com'
    publisherName: 'x'
    apiVersionConstraint: { minApiVersion: '${minApi}' }
  }
}
`;

function tree(): string {
  return tempTree({
    'api.json': template({ parameters: { minApi: { type: 'string' } }, resources: [service('svc1', "[parameters('minApi')]")] }),
    'api.parameters.json': parameterFile({ minApi: '2019-12-01' }),
    'main.bicep': "module m 'mod.bicep' = {\n  name: 'm'\n  params: { name: 'svc2' }\n}\n",
    'mod.bicep': MODULE('2019-12-01'),
  });
}

let rules: RuleSet | undefined;
const ruleSet = () => (rules ??= loadRuleSet());

function run(dir: string, cache: string | undefined, extra: Partial<ScanOptions> = {}) {
  return scan({ paths: ['.'], cwd: dir, ruleSet: ruleSet(), today: new Date('2026-01-01'), ...(cache !== undefined && { cache }), ...extra });
}

/** The reports, without the one thing that differs between runs (the duration). */
function reports(result: ReturnType<typeof scan>): string {
  return ['json', 'sarif'].map((f) => render(f as 'json', result, { color: false }).replace(/"durationMs": \d+/g, '"durationMs": 0')).join('\n');
}

const minApiFindings = (result: ReturnType<typeof scan>) =>
  result.findings
    .filter((f) => f.ruleId === 'APIM-MinAPIVersion')
    .map((f) => f.resource.name)
    .sort();

test('an unchanged tree is taken from the cache, unit by unit, with the same reports as a scan without it', () => {
  const dir = tree();
  const cache = mkdtempSync(path.join(tmpdir(), 'tollgate-cache-'));
  const uncached = run(dir, undefined);
  assert.deepEqual(minApiFindings(uncached), ['svc1', 'svc2']);
  const cold = run(dir, cache);
  assert.deepEqual(cold.cache, { hits: 0, misses: 2 });
  const warm = run(dir, cache);
  assert.deepEqual(warm.cache, { hits: 2, misses: 0 });
  assert.equal(reports(cold), reports(uncached));
  assert.equal(reports(warm), reports(uncached));
});

test('a pack holding text other than ASCII (a name in a template) reads back the same', () => {
  const dir = tempTree({ 'api.json': template({ resources: [service('svc-äöü-日本', '2019-12-01')] }) });
  const cache = mkdtempSync(path.join(tmpdir(), 'tollgate-cache-'));
  const cold = run(dir, cache);
  assert.deepEqual(minApiFindings(cold), ['svc-äöü-日本']);
  const warm = run(dir, cache);
  assert.deepEqual(warm.cache, { hits: 1, misses: 0 });
  assert.equal(reports(warm), reports(cold));
});

test('editing a parameter file or a Bicep module misses for the unit that read it only', () => {
  const dir = tree();
  const cache = mkdtempSync(path.join(tmpdir(), 'tollgate-cache-'));
  run(dir, cache);
  writeFileSync(path.join(dir, 'api.parameters.json'), parameterFile({ minApi: '2022-08-01' }));
  const afterParams = run(dir, cache);
  assert.deepEqual(afterParams.cache, { hits: 1, misses: 1 });
  assert.deepEqual(minApiFindings(afterParams), ['svc2']);
  // The module is not a unit of its own (main.bicep reads it): its edit reaches main.bicep's unit.
  writeFileSync(path.join(dir, 'mod.bicep'), MODULE('2022-08-01'));
  const afterModule = run(dir, cache);
  assert.deepEqual(afterModule.cache, { hits: 1, misses: 1 });
  assert.deepEqual(minApiFindings(afterModule), []);
  assert.equal(reports(afterModule), reports(run(dir, undefined)));
});

test('a changed rule option or configuration is a new key: every unit is scanned again', () => {
  const dir = tree();
  const cache = mkdtempSync(path.join(tmpdir(), 'tollgate-cache-'));
  run(dir, cache);
  const relaxed = { ...ruleSet(), options: { 'APIM-MinAPIVersion': { minimum: '2019-01-01' } } };
  const withOption = run(dir, cache, { ruleSet: relaxed });
  assert.deepEqual(withOption.cache, { hits: 0, misses: 2 });
  assert.deepEqual(minApiFindings(withOption), []);
  assert.deepEqual(run(dir, cache, { ruleSet: relaxed }).cache, { hits: 2, misses: 0 });
  // What the CLI adds for the configuration file (its content), and a scan option.
  assert.deepEqual(run(dir, cache, { cacheIdentity: 'config: 2' }).cache, { hits: 0, misses: 2 });
  assert.deepEqual(run(dir, cache, { deployment: { resourceGroup: 'other' } }).cache, { hits: 0, misses: 2 });
});

/** The cache's pack file (one per identity) and its entry lines. */
function pack(cache: string): { file: string; header: string; lines: string[] } {
  const files = readdirSync(cache).filter((f) => f.endsWith('.pack'));
  assert.equal(files.length, 1, `one pack: ${files.join(', ')}`);
  const file = path.join(cache, files[0]!);
  const [header, ...lines] = readFileSync(file, 'utf8').split('\n');
  return { file, header: header!, lines: lines.filter((l) => l !== '') };
}
const isUnitLine = (line: string) => 'results' in JSON.parse(line.slice(line.indexOf('\t') + 1)).outcome;

test('the cache is one pack file: a corrupt or truncated entry is a miss, replaced, never an error', () => {
  const dir = tree();
  const cache = mkdtempSync(path.join(tmpdir(), 'tollgate-cache-'));
  const first = run(dir, cache);
  const { file, header, lines } = pack(cache);
  assert.match(header, /^tollgate result cache \d+$/);
  // The units' entries; the others are what discovery made of each file (4 files).
  const units = lines.filter(isUnitLine);
  assert.equal(units.length, 2);
  assert.equal(lines.length, 6);
  const others = lines.filter((l) => !units.includes(l));
  const keyOf = (l: string) => l.slice(0, l.indexOf('\t'));
  const corrupt = [
    ...others.map((l) => `${keyOf(l)}\tnot json`),
    `${keyOf(units[0]!)}\t{"dependencies": {}, "outcome": `,
    `${keyOf(units[1]!)}\t${JSON.stringify({ dependencies: {}, outcome: { results: 'no' } })}`,
  ];
  // The last line cut short, as by a scan stopped mid-write.
  writeFileSync(file, `${header}\n${corrupt.join('\n')}`);
  const again = run(dir, cache);
  assert.deepEqual(again.cache, { hits: 0, misses: 2 });
  assert.deepEqual(
    again.diagnostics.map((d) => d.code),
    first.diagnostics.map((d) => d.code),
  );
  assert.equal(reports(again), reports(first));
  // Appended after the cut line, on lines of their own.
  const after = pack(cache).lines;
  assert.equal(after.length, 12);
  assert.deepEqual(after.slice(6).filter(isUnitLine).length, 2);
  assert.deepEqual(run(dir, cache).cache, { hits: 2, misses: 0 });
});

test('a pack of another format is started again; one mostly of replaced lines is rewritten at the end of a scan', () => {
  const dir = tree();
  const cache = mkdtempSync(path.join(tmpdir(), 'tollgate-cache-'));
  run(dir, cache);
  const { file, lines } = pack(cache);
  writeFileSync(file, `tollgate result cache 0\n${lines.join('\n')}\n`);
  assert.deepEqual(run(dir, cache).cache, { hits: 0, misses: 2 });
  assert.match(pack(cache).header, /^tollgate result cache [1-9]/);
  assert.equal(pack(cache).lines.length, 6);
  // Each edit replaces the entries of what changed; the pack keeps only the last line of each key
  // once most of its lines are replaced ones (here after a few dozen edits).
  let most = 0;
  for (let i = 0; i < 40; i++) {
    writeFileSync(path.join(dir, 'api.parameters.json'), parameterFile({ minApi: `2020-01-01-v${i}` }));
    assert.deepEqual(run(dir, cache).cache, { hits: 1, misses: 1 });
    most = Math.max(most, pack(cache).lines.length);
  }
  assert.ok(most >= 50, `the pack grew to ${most} lines`);
  assert.ok(pack(cache).lines.length < most, 'and was rewritten smaller');
  assert.deepEqual(run(dir, cache).cache, { hits: 2, misses: 0 });
  assert.equal(minApiFindings(run(dir, cache)).length, minApiFindings(run(dir, undefined)).length);
});

test('CLI: --cache with a changed configuration misses; --changed-since takes the results of a full scan', () => {
  const dir = tree();
  writeFileSync(path.join(dir, '.gitignore'), '.cache/\n');
  writeFileSync(path.join(dir, 'tollgate.yaml'), 'exclude: [".cache/"]\n');
  const git = (...args: string[]) => assert.equal(spawnSync('git', args, { cwd: dir, encoding: 'utf8' }).status, 0);
  git('init', '-q');
  git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'add', '.');
  git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'base');
  const cli = (...args: string[]) => {
    const r = spawnSync(process.execPath, [path.join(repoRoot(), 'dist/cli/main.js'), 'scan', '.', '--cache', '.cache', '-v', '-f', 'json', ...args], {
      cwd: dir,
      encoding: 'utf8',
    });
    return { stderr: r.stderr, json: r.stdout.replace(/"durationMs": \d+/g, '') };
  };
  const cold = cli();
  assert.match(cold.stderr, /result cache: 0 units reused, 2 scanned/);
  const warm = cli();
  assert.match(warm.stderr, /result cache: 2 units reused, 0 scanned/);
  assert.equal(warm.json, cold.json);
  writeFileSync(path.join(dir, 'tollgate.yaml'), 'exclude: [".cache/"]\nrules:\n  APIM-MinAPIVersion:\n    options:\n      minimum: "2019-01-01"\n');
  assert.match(cli().stderr, /result cache: 0 units reused, 2 scanned/);
  writeFileSync(path.join(dir, 'api.parameters.json'), parameterFile({ minApi: '2018-01-01' }));
  assert.match(cli().stderr, /result cache: 1 units reused, 1 scanned/);
  // The changed parameter file's unit, with the results the full scan just stored.
  const changed = cli('--changed-since', 'HEAD');
  assert.match(changed.stderr, /result cache: 1 units reused, 0 scanned/);
  assert.match(changed.json, /"parameterFile": "api.parameters.json"/);
});

/**
 * Runs `body` with `readFileSync` (what the cache hashes files with) spied on through the ESM
 * bindings: `hashed` lists the files of `dir` read while it runs.
 */
function withReadsOf(dir: string, body: (hashed: string[]) => void): void {
  const hashed: string[] = [];
  const original = fs.readFileSync;
  (fs as { readFileSync: unknown }).readFileSync = (...args: Parameters<typeof fs.readFileSync>) => {
    if (typeof args[0] === 'string' && args[0].startsWith(dir)) hashed.push(path.basename(args[0]));
    return original(...args);
  };
  syncBuiltinESMExports();
  try {
    body(hashed);
  } finally {
    (fs as { readFileSync: unknown }).readFileSync = original;
    syncBuiltinESMExports();
  }
}

test("a file whose size, times and inode are as when it was hashed is not read again (git's index rule); an edit is", () => {
  const dir = tree();
  const cache = mkdtempSync(path.join(tmpdir(), 'tollgate-cache-'));
  // Files modified long enough ago (a file modified within the last seconds is never recorded).
  const past = new Date(Date.now() - 60_000);
  for (const f of readdirSync(dir)) utimesSync(path.join(dir, f), past, past);
  run(dir, cache);
  // The first re-scan hashes each file and records its stat; the next ones compare stats.
  assert.deepEqual(run(dir, cache).cache, { hits: 2, misses: 0 });
  withReadsOf(dir, (hashed) => {
    assert.deepEqual(run(dir, cache).cache, { hits: 2, misses: 0 });
    assert.deepEqual(hashed, [], 'no file read to be hashed');
    // An edit of the same size, its modification time set back: the change time still differs.
    const params = path.join(dir, 'api.parameters.json');
    writeFileSync(params, readFileSync(params, 'utf8').replace('2019-12-01', '2019-12-02'));
    utimesSync(params, past, past);
    const edited = run(dir, cache);
    assert.deepEqual(edited.cache, { hits: 1, misses: 1 });
    // Only the edited file is read again (by the cache, and by the unit that now runs).
    assert.deepEqual([...new Set(hashed)], ['api.parameters.json']);
  });
});

test('the scan that stores an entry records the stats of the files its unit read, when they were last changed before it started', async () => {
  const dir = tree();
  const cache = mkdtempSync(path.join(tmpdir(), 'tollgate-cache-'));
  const past = new Date(Date.now() - 60_000);
  for (const f of readdirSync(dir)) utimesSync(path.join(dir, f), past, past);
  // Setting the times is itself a change (of the change time): let it age past the racy window.
  await new Promise((resolve) => setTimeout(resolve, 3_200));
  assert.deepEqual(run(dir, cache).cache, { hits: 0, misses: 2 });
  withReadsOf(dir, (hashed) => {
    assert.deepEqual(run(dir, cache).cache, { hits: 2, misses: 0 });
    assert.deepEqual(hashed, [], 'the first re-scan reads no file to hash it');
  });
});

test("a unit whose rules read the clock (a certificate's days left) is taken from the cache on the day it ran only", () => {
  const withCertificate = {
    ...service('svc-cert', '2019-12-01'),
    properties: {
      ...service('svc-cert', '2019-12-01').properties,
      hostnameConfigurations: [{ type: 'Proxy', hostName: 'api.example.com', certificate: { expiry: '2999-01-01T00:00:00Z' } }],
    },
  };
  const dir = tempTree({
    'cert.json': template({ resources: [withCertificate] }),
    'plain.json': template({ resources: [service('svc-plain', '2019-12-01')] }),
  });
  const cache = mkdtempSync(path.join(tmpdir(), 'tollgate-cache-'));
  assert.deepEqual(run(dir, cache).cache, { hits: 0, misses: 2 });
  assert.deepEqual(run(dir, cache).cache, { hits: 2, misses: 0 });
  // Only the certificate's unit read the clock: its entry says for which day.
  const { file, header, lines } = pack(cache);
  const today = new Date().toISOString().slice(0, 10);
  const dated = lines.filter((l) => l.includes(`"clock":"${today}"`));
  assert.equal(dated.length, 1);
  assert.ok(dated[0]!.includes('cert.json'));
  // The same entry from another day is scanned again; the other unit is still taken.
  writeFileSync(file, [header, ...lines.map((l) => l.replace(`"clock":"${today}"`, '"clock":"2000-01-01"'))].join('\n') + '\n');
  assert.deepEqual(run(dir, cache).cache, { hits: 1, misses: 1 });
  // With a fixed clock (--now, deployment.now) nothing reads the live one: no day on the entry.
  const fixed = mkdtempSync(path.join(tmpdir(), 'tollgate-cache-'));
  run(dir, fixed, { deployment: { now: '2026-01-01T00:00:00Z' } });
  assert.ok(!pack(fixed).lines.some((l) => l.includes('"clock"')));
});

test('a registry module that appears after a scan (restored, vendored) is a change: the unit that looked for it is scanned again', () => {
  const dir = tempTree({
    'infra/main.bicep': "module m 'br/public:avm/res/foo/bar:1.0.0' = {\n  name: 'm'\n  params: { name: 'svc3' }\n}\n",
  });
  const cache = mkdtempSync(path.join(tmpdir(), 'tollgate-cache-'));
  const before = run(dir, cache);
  assert.ok(
    before.diagnostics.some((d) => /bicep-module/.test(d.code)),
    JSON.stringify(before.diagnostics.map((d) => d.code)),
  );
  assert.deepEqual(minApiFindings(before), []);
  assert.deepEqual(run(dir, cache).cache, { hits: 1, misses: 0 });
  // Vendored next to the files (`_external/<name>/main.bicep`), as Bicep's tooling does.
  fs.mkdirSync(path.join(dir, '_external', 'bar'), { recursive: true });
  writeFileSync(path.join(dir, '_external', 'bar', 'main.bicep'), MODULE('2019-12-01'));
  const after = run(dir, cache);
  // infra/main.bicep is scanned again (and the module, now a file of the tree, on its own).
  assert.deepEqual(after.cache, { hits: 0, misses: 2 });
  assert.ok(minApiFindings(after).includes('svc3'));
});
