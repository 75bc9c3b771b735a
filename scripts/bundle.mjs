#!/usr/bin/env node
// Bundles the CLI into dist/bundle/ for start-up time: one module graph of a few files instead
// of ~250 ES modules that node resolves and links one by one. Parts the CLI imports with
// import() land in their own chunks, loaded only by the commands that use them. The unbundled
// build (tsc, dist/) stays: tests, the library exports and stack traces read it.
// ajv and yaml are not bundled: the code loads them with createRequire only when a config file,
// or a Bicep loadYamlContent(), needs them, and they stay package dependencies.
import { build } from 'esbuild';
import { chmodSync, rmSync } from 'node:fs';

const outdir = new URL('../dist/bundle/', import.meta.url).pathname;
rmSync(outdir, { recursive: true, force: true });
await build({
  // The scan worker (`--jobs N`) is an entry of its own: a worker thread starts from a file, which
  // main.ts finds beside itself (dist/bundle/scan-worker.mjs).
  entryPoints: {
    tollgate: new URL('../src/cli/main.ts', import.meta.url).pathname,
    'scan-worker': new URL('../src/cli/scan-worker.ts', import.meta.url).pathname,
  },
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outdir,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  // Bundled CommonJS dependencies (commander, picocolors) call require for node built-ins.
  banner: { js: "import { createRequire as __tollgateRequire } from 'node:module'; const require = __tollgateRequire(import.meta.url);" },
  legalComments: 'linked',
  logLevel: 'warning',
});
chmodSync(`${outdir}tollgate.mjs`, 0o755);
