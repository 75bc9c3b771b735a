#!/usr/bin/env node
// Runs the compiled test files with node's test runner. Node 20 treats every .js file under a
// folder named test/ as a test file when given a directory, which would count helpers and
// fixtures as (empty) tests; naming the *.test.js files keeps the count honest.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const root = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '.test-build', 'test');
const files = readdirSync(root, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.test.js'))
  .sort()
  .map((f) => path.join(root, f));
if (files.length === 0) {
  console.error('no compiled tests found under .test-build/test: run `npm test`, which compiles them first');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...process.argv.slice(2), ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
