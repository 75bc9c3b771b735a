import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../helpers.js';

// `--jobs N`: worker threads scan the units, and the reports are the same, byte for byte, as one
// thread's (outcomes are merged in the units' order). Run from the bundle users run (the worker is
// its own bundle entry) and from the unbundled build. `--no-worker-threshold` makes even these
// small trees use the workers.

const CORPORA = path.join(repoRoot(), 'test/fixtures/upstream/corpora');

function reports(bin: string, target: string, jobs: string[]): { json: string; sarif: string; status: number | null; stderr: string } {
  const out = mkdtempSync(path.join(tmpdir(), 'tollgate-jobs-'));
  const json = path.join(out, 'r.json');
  const sarif = path.join(out, 'r.sarif');
  const r = spawnSync(
    process.execPath,
    [path.join(repoRoot(), bin), 'scan', target, '--no-config', '-f', 'json,sarif', '-o', `json=${json}`, '-o', `sarif=${sarif}`, '-v', ...jobs],
    {
      cwd: repoRoot(),
      encoding: 'utf8',
    },
  );
  assert.equal(r.stderr.includes('internal error'), false, r.stderr);
  const strip = (text: string) => text.replace(/"durationMs": \d+/g, '"durationMs": 0');
  return { json: strip(readFileSync(json, 'utf8')), sarif: strip(readFileSync(sarif, 'utf8')), status: r.status, stderr: r.stderr };
}

test('the bundled corpora: --jobs 2 (worker threads, from the bundle) reports what --jobs 1 reports, json and sarif', () => {
  const one = reports('dist/bundle/tollgate.mjs', CORPORA, ['--jobs', '1']);
  const two = reports('dist/bundle/tollgate.mjs', CORPORA, ['--jobs', '2', '--no-worker-threshold']);
  const units = (JSON.parse(one.json) as { summary: { units?: number; findings?: number } }).summary;
  assert.ok(JSON.parse(one.json).findings.length > 100, `the corpora have findings: ${JSON.stringify(units)}`);
  assert.doesNotMatch(one.stderr, /scanned in/);
  assert.match(two.stderr, /scanned in 2 threads \(1 worker and the main thread\)/);
  assert.equal(two.status, one.status);
  assert.equal(two.json, one.json);
  assert.equal(two.sarif, one.sarif);
});

test('the unbundled build starts its workers too (examples/, three threads)', () => {
  const examples = path.join(repoRoot(), 'examples');
  const one = reports('dist/cli/main.js', examples, ['--jobs', '1']);
  const three = reports('dist/cli/main.js', examples, ['--jobs', '3', '--no-worker-threshold']);
  assert.match(three.stderr, /scanned in 3 threads \(2 workers and the main thread\)/);
  assert.equal(three.json, one.json);
  assert.equal(three.sarif, one.sarif);
});
