#!/usr/bin/env node
// Assembles the Azure Pipelines task folder as an extension publishes it (tfx extension create
// packages each task folder alone): task.json, index.js and its package.json, the committed CLI
// bundle as cli/tollgate.mjs, and what the CLI reads at run time (catalog/, schema/). The task's
// package.json sits beside catalog/, so the bundle's package-root walk stops there and reads its
// version, which is Tollgate's (test/ci/azure-task.test.ts checks they agree).
//
// `node scripts/package-azure-task.mjs OUTDIR` (run `npm run bundle:action` first if the source changed).
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const out = process.argv[2];
if (!out) {
  console.error('usage: node scripts/package-azure-task.mjs OUTDIR');
  process.exit(2);
}
const bundle = path.join(root, 'action/dist/tollgate.mjs');
if (!existsSync(bundle)) {
  console.error('action/dist/tollgate.mjs is missing: run npm run bundle:action');
  process.exit(1);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(path.join(out, 'cli'), { recursive: true });
for (const file of ['task.json', 'index.js', 'package.json']) cpSync(path.join(root, 'azure-pipelines/task', file), path.join(out, file));
cpSync(bundle, path.join(out, 'cli/tollgate.mjs'));
cpSync(path.join(root, 'action/dist/scan-worker.mjs'), path.join(out, 'cli/scan-worker.mjs'));
for (const folder of ['catalog', 'schema']) cpSync(path.join(root, folder), path.join(out, folder), { recursive: true });
