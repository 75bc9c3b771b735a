import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs, { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadRuleSet, scan, type RuleSet, type ScanOptions } from '../../src/scan.js';
import { render } from '../../src/report/index.js';
import { FORMATS } from '../../src/report/formats.js';
import { parameterFile, template, tempTree } from '../helpers.js';

// `--cache DIR` keeps a record of the whole scan (src/pipeline/scan-record.ts): a re-scan where
// nothing changed takes its output without the per-unit entries. Each test deletes the pack of
// per-unit entries before a re-scan: a re-scan that still hits every unit took the record, one
// that misses did not.

const service = (name: string) => ({
  type: 'Microsoft.ApiManagement/service',
  apiVersion: '2023-05-01-preview',
  name,
  location: 'westeurope',
  sku: { name: 'Developer', capacity: 1 },
  properties: { publisherEmail: 'a@example.com', publisherName: 'x', apiVersionConstraint: { minApiVersion: '2019-12-01' } },
});

let rules: RuleSet | undefined;
const ruleSet = () => (rules ??= loadRuleSet());

function run(dir: string, cache: string, extra: Partial<ScanOptions> = {}) {
  return scan({ paths: ['.'], cwd: dir, ruleSet: ruleSet(), today: new Date('2026-01-01'), exclude: ['sub/nested/'], cache, ...extra });
}

/** Every report, the duration (which differs between runs) aside. */
function reports(result: ReturnType<typeof scan>): string {
  return FORMATS.map((f) => render(f, { ...result, durationMs: 0 }, { color: false })).join('\n');
}

/** Removes the per-unit entries: only the record can make a re-scan hit. */
function dropPack(cache: string): void {
  for (const f of readdirSync(cache)) if (f.endsWith('.pack')) rmSync(path.join(cache, f));
}

/** How many folders `body`'s scans list (readdirSync calls under `dir`). */
function listings(dir: string, body: () => void): number {
  let count = 0;
  const original = fs.readdirSync;
  (fs as { readdirSync: unknown }).readdirSync = (...args: Parameters<typeof fs.readdirSync>) => {
    if (typeof args[0] === 'string' && args[0].startsWith(dir)) count++;
    return original(...args);
  };
  syncBuiltinESMExports();
  try {
    body();
  } finally {
    (fs as { readdirSync: unknown }).readdirSync = original;
    syncBuiltinESMExports();
  }
  return count;
}

/** Sets every file's times a minute back, then waits out the racy window (setting the times changes the change time). */
async function age(dir: string): Promise<void> {
  const past = new Date(Date.now() - 60_000);
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else utimesSync(p, past, past);
    }
  };
  walk(dir);
  await new Promise((resolve) => setTimeout(resolve, 3_200));
}

test('a re-scan of an unchanged tree takes the whole scan from its record, with the same reports; a new day, a link target appearing, a new file or an edit does not', async () => {
  // sub/main.json names nested/x.json in an expression: discovery takes it for a link to the
  // nearest existing one, ./nested/x.json, until sub/nested/x.json appears (excluded from the walk,
  // so the walk finds the same files; and no unit reads it). Until then ./nested/x.json is scanned
  // as a template linked from sub/main.json that did not read it.
  const link = {
    type: 'Microsoft.Resources/deployments',
    apiVersion: '2022-09-01',
    name: 'n',
    tags: { doc: "[string('nested/x.json')]" },
    properties: { mode: 'Incremental', templateLink: { uri: 'https://example.com/t.json' } },
  };
  const standalone = (r: ReturnType<typeof scan>) => r.diagnostics.some((d) => d.code === 'scanned-standalone');
  const dir = tempTree({
    'api.json': template({ parameters: { name: { type: 'string' } }, resources: [service("[parameters('name')]")] }),
    'api.parameters.json': parameterFile({ name: 'svc1' }),
    'nested/x.json': template({ resources: [service('svc2')] }),
    'sub/main.json': template({ resources: [link] }),
  });
  const cache = mkdtempSync(path.join(tmpdir(), 'tollgate-cache-'));
  await age(dir);

  const cold = run(dir, cache);
  assert.ok(standalone(cold));
  const units = cold.cache!.hits + cold.cache!.misses;
  assert.ok(units >= 2);
  assert.ok(
    readdirSync(cache).some((f) => f.endsWith('.scan')),
    'the scan left a record',
  );
  dropPack(cache);
  let warm: ReturnType<typeof scan> | undefined;
  // No folder changed since the record: not even the walk runs.
  assert.equal(
    listings(dir, () => (warm = run(dir, cache))),
    0,
  );
  assert.deepEqual(warm!.cache, { hits: units, misses: 0 }, 'taken from the record');
  assert.equal(reports(warm!), reports(cold));

  // What the rule set says beyond its rules (here `--rules all`, which stops merging equivalent
  // findings; exemptions and assignments likewise) is part of the record's key.
  dropPack(cache);
  assert.equal(run(dir, cache, { ruleSet: { ...ruleSet(), all: true } }).cache?.misses, units);
  // Each has a record of its own.
  dropPack(cache);
  assert.deepEqual(run(dir, cache).cache, { hits: units, misses: 0 });

  // Another day: suppressions may have expired. Scanned (every unit a miss: the pack is gone).
  dropPack(cache);
  assert.equal(run(dir, cache, { today: new Date('2026-01-02') }).cache?.misses, units);
  // That scan's record replaced the first (one per options); back on the first day, a new one.
  dropPack(cache);
  assert.equal(run(dir, cache).cache?.misses, units);
  dropPack(cache);
  assert.deepEqual(run(dir, cache).cache, { hits: units, misses: 0 });

  // The link would now resolve to sub/nested/x.json: the walk finds the same files (it is
  // excluded) and no file read changed, but which paths exist did.
  mkdirSync(path.join(dir, 'sub', 'nested'));
  writeFileSync(path.join(dir, 'sub', 'nested', 'x.json'), template({ resources: [] }));
  dropPack(cache);
  const relinked = run(dir, cache);
  assert.equal(relinked.cache?.misses, units);
  assert.ok(!standalone(relinked));
  // That scan recorded the link as it is now (no unit reads the new file, so none is too young).
  dropPack(cache);
  assert.deepEqual(run(dir, cache).cache, { hits: units, misses: 0 });
  // Gone again: scanned, then recorded.
  rmSync(path.join(dir, 'sub', 'nested', 'x.json'));
  dropPack(cache);
  const unlinked = run(dir, cache);
  assert.equal(unlinked.cache?.misses, units);
  assert.ok(standalone(unlinked));
  dropPack(cache);
  assert.deepEqual(run(dir, cache).cache, { hits: units, misses: 0 });

  // A new file: its folder changed, so the walk runs and finds it: not taken. Once it is gone, the record is good again.
  writeFileSync(path.join(dir, 'other.json'), template({ resources: [] }));
  dropPack(cache);
  let added: ReturnType<typeof scan> | undefined;
  assert.ok(listings(dir, () => (added = run(dir, cache))) > 0);
  assert.ok(added!.cache!.misses > 0);
  assert.ok(added!.files.includes('other.json'));
  rmSync(path.join(dir, 'other.json'));
  dropPack(cache);
  assert.deepEqual(run(dir, cache).cache, { hits: units, misses: 0 });

  // An edit of the same size with the modification time set back: the change time differs.
  const params = path.join(dir, 'api.parameters.json');
  const before = statSync(params);
  writeFileSync(params, parameterFile({ name: 'svc9' }));
  utimesSync(params, before.atime, before.mtime);
  dropPack(cache);
  const edited = run(dir, cache);
  assert.equal(edited.cache?.misses, units);
  assert.ok(edited.findings.some((f) => f.resource.name === 'svc9'));
  assert.ok(!edited.findings.some((f) => f.resource.name === 'svc1'));
});

test('a scan that read a file changed within the racy window leaves no record; a named file is never recorded', () => {
  const dir = tempTree({ 'api.json': template({ resources: [service('svc1')] }) });
  const cache = mkdtempSync(path.join(tmpdir(), 'tollgate-cache-'));
  run(dir, cache);
  assert.ok(!readdirSync(cache).some((f) => f.endsWith('.scan')), 'api.json was written just now');
  run(dir, cache, { paths: ['api.json'] });
  assert.ok(!readdirSync(cache).some((f) => f.endsWith('.scan')));
});

test('a cache folder inside the scanned one is not walked: every scan writes it, and the re-scan still skips the walk', async () => {
  const dir = tempTree({ 'api.json': template({ resources: [service('svc1')] }) });
  const cache = path.join(dir, '.tollgate-cache');
  mkdirSync(cache);
  await age(dir);
  const cold = run(dir, cache);
  assert.ok(readdirSync(cache).some((f) => f.endsWith('.scan')));
  dropPack(cache);
  let warm: ReturnType<typeof scan> | undefined;
  assert.equal(
    listings(dir, () => (warm = run(dir, cache))),
    0,
  );
  assert.deepEqual(warm!.cache, { hits: 1, misses: 0 });
  assert.equal(reports(warm!), reports(cold));
});
