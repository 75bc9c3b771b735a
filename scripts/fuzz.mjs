#!/usr/bin/env node
// Launcher for the fuzzer, whose sources are TypeScript under test/fuzz/ (compiled with the tests
// into .test-build/ by `npm run fuzz`, which runs tsc first). Arguments pass through.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.join(root, '.test-build/test/fuzz/fuzz.js');
if (!existsSync(entry)) {
  console.error('fuzzer not compiled: run `npm run fuzz`, which compiles it first (tsc -p tsconfig.test.json)');
  process.exit(2);
}
await import(pathToFileURL(entry).href);
