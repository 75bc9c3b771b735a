import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../helpers.js';

// The bin compiles the CLI script with the V8 code cache the build made (scripts/bundle.mjs). A
// cache V8 rejects costs nothing in results but loses the start-up it is for: check that the
// build made one for this node and that a fresh process, as a user starts it, accepts it.
test('the bundle has a code cache for this node, and V8 accepts it', () => {
  const dir = path.join(repoRoot(), 'dist/bundle');
  const caches = readdirSync(dir).filter((f) => f.startsWith('tollgate-cli.') && f.endsWith(`.${process.versions.v8}-${process.arch}.cache`));
  assert.equal(caches.length, 1, readdirSync(dir).join(', '));
  const check = [
    "const vm = require('node:vm'), fs = require('node:fs');",
    `const script = new vm.Script(fs.readFileSync(${JSON.stringify(path.join(dir, 'tollgate-cli.js'))}, 'utf8'), { filename: ${JSON.stringify(path.join(dir, 'tollgate-cli.js'))}, cachedData: fs.readFileSync(${JSON.stringify(path.join(dir, caches[0]!))}) });`,
    'process.stdout.write(String(script.cachedDataRejected));',
  ].join('\n');
  const run = spawnSync(process.execPath, ['-e', check], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout, 'false');
});
