import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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

test('a corrupt or truncated cache entry is a miss, replaced, never an error', () => {
  const dir = tree();
  const cache = mkdtempSync(path.join(tmpdir(), 'tollgate-cache-'));
  const first = run(dir, cache);
  const all = readdirSync(cache, { recursive: true, encoding: 'utf8' })
    .map((e) => path.join(cache, e))
    .filter((e) => statSync(e).isFile());
  // The units' entries; the others are what discovery made of each file (4 files).
  const entries = all.filter((e) => 'results' in JSON.parse(readFileSync(e, 'utf8')).outcome);
  assert.equal(entries.length, 2);
  assert.equal(all.length, 6);
  for (const e of all) if (!entries.includes(e)) writeFileSync(e, 'not json');
  writeFileSync(entries[0]!, '{"format": 1, "dependencies": {}, "outcome": ');
  writeFileSync(entries[1]!, JSON.stringify({ format: 1, dependencies: {}, outcome: { results: 'no' } }));
  const again = run(dir, cache);
  assert.deepEqual(again.cache, { hits: 0, misses: 2 });
  assert.deepEqual(
    again.diagnostics.map((d) => d.code),
    first.diagnostics.map((d) => d.code),
  );
  assert.equal(reports(again), reports(first));
  assert.ok(JSON.parse(readFileSync(entries[0]!, 'utf8')).outcome, 'the entry is written again');
  assert.deepEqual(run(dir, cache).cache, { hits: 2, misses: 0 });
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
