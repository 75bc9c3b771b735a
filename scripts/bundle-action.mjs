#!/usr/bin/env node
// Bundles the CLI for the GitHub Action and the Azure DevOps task into ONE committed file,
// action/dist/tollgate.mjs (and its scan worker, scan-worker.mjs): an action runs from the repository at its tag, with no install and
// no build, so everything the CLI loads must be in the file. Unlike dist/bundle/ (scripts/bundle.mjs),
// ajv and yaml are bundled too: the source loads them lazily with createRequire, which a bundler
// cannot follow, so those calls are rewritten here to plain require() calls esbuild can (it keeps
// them lazy: a bundled CommonJS module runs on its first require). The catalog is not bundled:
// package-root.ts finds it from action/dist/ by walking up to the repository root.
//
// `node scripts/bundle-action.mjs [OUTDIR]` (default action/dist). test/ci/action-bundle.test.ts
// builds into a temporary folder and fails when the committed file differs: run
// `npm run bundle:action` and commit action/dist/ after changing the source.
import { build } from 'esbuild';
import { chmodSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const outdir = path.resolve(process.argv[2] ?? path.join(root, 'action/dist'));
/** The lazily loaded packages, and the calls that load them (see src/config/config.ts, src/rules/rule-options.ts, ...). */
const LAZY = /\b(?:load|createRequire\(import\.meta\.url\))\('(yaml|ajv)'\)/g;

const lazyRequires = {
  name: 'lazy-requires',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!LAZY.test(text)) return undefined;
      LAZY.lastIndex = 0;
      return { contents: text.replace(LAZY, "require('$1')"), loader: 'ts' };
    });
  },
};

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  // The scan worker beside the CLI: main.ts starts worker threads from ./scan-worker.mjs (--jobs).
  entryPoints: { tollgate: path.join(root, 'src/cli/main.ts'), 'scan-worker': path.join(root, 'src/cli/scan-worker.ts') },
  bundle: true,
  // The output names each module by its path: relative to the repository, whatever the working
  // directory, and through node_modules as written (a linked node_modules must not change the file).
  absWorkingDir: root,
  preserveSymlinks: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outdir,
  outExtension: { '.js': '.mjs' },
  // Bundled CommonJS dependencies call require for node built-ins.
  banner: { js: "import { createRequire as __tollgateRequire } from 'node:module'; const require = __tollgateRequire(import.meta.url);" },
  legalComments: 'linked',
  plugins: [lazyRequires],
  metafile: true,
  logLevel: 'warning',
});
// A renamed loader in the source would silently leave yaml or ajv outside the file (and the
// action without them): fail the build instead.
const inputs = Object.keys(result.metafile.inputs);
for (const dependency of ['yaml', 'ajv']) {
  if (!inputs.some((i) => i.includes(`node_modules/${dependency}/`)))
    throw new Error(`bundle-action: ${dependency} is not in the bundle; update LAZY in scripts/bundle-action.mjs to the call that loads it`);
}
chmodSync(path.join(outdir, 'tollgate.mjs'), 0o755);
