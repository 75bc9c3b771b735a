import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { planOutputs } from '../../src/cli/output-plan.js';
import { repoRoot } from '../helpers.js';

const CLI = path.join(repoRoot(), 'dist/cli/main.js');
const run = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: repoRoot(), encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

test('several formats in one run, each to its own file, one to standard output', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tollgate-formats-'));
  const r = run(['scan', 'examples/', '--format', 'sarif,junit', '-f', 'pretty', '--output', `sarif=${dir}/a.sarif`, '--output', `junit=${dir}/b.xml`]);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /\d+ errors?, \d+ warnings?/);
  assert.equal(JSON.parse(readFileSync(`${dir}/a.sarif`, 'utf8')).version, '2.1.0');
  assert.match(readFileSync(`${dir}/b.xml`, 'utf8'), /^<\?xml/);
});

test('output plans and their usage errors', () => {
  assert.deepEqual(planOutputs(undefined, undefined), [{ format: 'pretty', file: undefined }]);
  assert.deepEqual(planOutputs(['json'], ['out.json']), [{ format: 'json', file: 'out.json' }]);
  assert.deepEqual(planOutputs(['csv,markdown'], ['csv=x.csv']), [
    { format: 'csv', file: 'x.csv' },
    { format: 'markdown', file: undefined },
  ]);
  assert.match(planOutputs(['sarif,junit'], undefined) as string, /would both go to standard output/);
  assert.match(planOutputs(['sarif,junit'], ['out.txt']) as string, /name each file as FORMAT=FILE/);
  assert.match(planOutputs(['yaml'], undefined) as string, /unknown format 'yaml'/);
  assert.match(planOutputs(['json'], ['sarif=x']) as string, /was not asked for/);
  const bad = run(['scan', 'examples/', '--format', 'sarif,junit']);
  assert.equal(bad.status, 2);
});
