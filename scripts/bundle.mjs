#!/usr/bin/env node
// Bundles the CLI into dist/bundle/ for start-up time. The unbundled build (tsc, dist/) stays:
// tests, the library exports and stack traces read it.
//
// - tollgate-cli.js: the whole CLI (src/cli/main.ts and every command) as one script, wrapped in a
//   function, with a V8 code cache beside it (tollgate-cli.<hash>.<v8>-<arch>.cache) that a
//   training run of `tollgate scan examples/` writes (scripts/train-code-cache.mjs). The bin,
//   tollgate.mjs, compiles the script with that cache: V8 then neither parses the code nor compiles
//   the functions the training ran, which was most of what a small scan spent before its first
//   file (`scan examples/`: ~240 ms -> ~180 ms, node -e 0 ~65 ms). Node 20 has no compile cache of
//   its own for ES modules (module.enableCompileCache is Node 22), hence a script. A node whose V8
//   differs (version, flags such as NODE_OPTIONS=--max-old-space-size) finds no cache file or has
//   it rejected by V8, and compiles from source as before; nothing but the speed changes.
// - lsp-server.mjs and scan-worker.mjs: ES modules with shared chunks (chunks/). The language
//   server is imported only by `tollgate lsp`; a scan worker (`--jobs N`) starts from a file, which
//   main.ts finds beside the bin (dist/bundle/scan-worker.mjs). Neither is in tollgate-cli.js.
//
// ajv is not bundled: the code loads it with createRequire only when a rule's options are checked,
// or a configuration schema was not compiled at build time (dist/config-validator.cjs). yaml is
// bundled into tollgate-cli.js (see IMPORTS) and stays a package dependency of the unbundled build.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const root = new URL('../', import.meta.url).pathname;
const outdir = `${root}dist/bundle/`;
// Bundled CommonJS dependencies (commander, picocolors) call require for node built-ins.
const REQUIRE = "import { createRequire as __tollgateRequire } from 'node:module'; const require = __tollgateRequire(import.meta.url);";
rmSync(outdir, { recursive: true, force: true });

await build({
  entryPoints: {
    'scan-worker': `${root}src/cli/scan-worker.ts`,
    'lsp-server': `${root}src/lsp/server.ts`,
  },
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outdir,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  banner: { js: REQUIRE },
  legalComments: 'linked',
  logLevel: 'warning',
});

// import() does not work in a vm script on Node 20 (it needs --experimental-vm-modules): the
// CLI's imports of what is not in the script (the language server, a configuration's plugins)
// call the bin's import instead, passed in as __tollgateImport. Each rewrite must match once.
// The yaml package is bundled into the script (a plain require, which esbuild follows; it runs on
// first use), so that the code cache covers it: loading it from node_modules (dozens of CommonJS
// files resolved and compiled) cost ~33 ms of every scan with a configuration file.
const IMPORTS = [
  { file: 'src/cli/main.ts', from: "await import('../lsp/server.js')", to: "await __tollgateImport('./lsp-server.mjs')" },
  { file: 'src/config/plugins.ts', from: 'await import(pathToFileURL(abs).href)', to: 'await __tollgateImport(pathToFileURL(abs).href)' },
  { file: 'src/config/config.ts', from: "load('yaml')", to: "require('yaml')" },
  { file: 'src/cli/commands/policy-suite.ts', from: "createRequire(import.meta.url)('yaml')", to: "require('yaml')" },
  { file: 'src/bicep/lower/lower-program.ts', from: "createRequire(import.meta.url)('yaml')", to: "require('yaml')" },
];
const importsOutside = {
  name: 'imports-outside',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, (args) => {
      const rewrites = IMPORTS.filter((r) => args.path.endsWith(r.file));
      if (!rewrites.length) return undefined;
      let text = readFileSync(args.path, 'utf8');
      for (const r of rewrites) {
        if (text.split(r.from).length !== 2) throw new Error(`${r.file}: expected ${r.from} once`);
        text = text.replace(r.from, r.to);
      }
      return { contents: text, loader: 'ts' };
    });
  },
};
await build({
  entryPoints: [`${root}src/cli/main.ts`],
  bundle: true,
  platform: 'node',
  // A function expression (see tollgate.mjs below): CommonJS's parameters, then import.meta.url,
  // which a script has not (the bin's URL: packageRoot and the worker's file are found from it),
  // and the bin's import().
  format: 'cjs',
  target: 'node20',
  outfile: `${outdir}tollgate-cli.js`,
  define: { 'import.meta.url': '__tollgateUrl' },
  banner: { js: '(function (exports, require, module, __filename, __dirname, __tollgateUrl, __tollgateImport) {' },
  footer: { js: '})' },
  plugins: [importsOutside],
  legalComments: 'linked',
  logLevel: 'warning',
});

const source = readFileSync(`${outdir}tollgate-cli.js`, 'utf8');
// Any other import() left in the script (a new one in the source, or in a dependency) would fail at run time.
const stray = source.split('\n').filter((line) => /(?<![\w.])import\(/.test(line) && !/^\s*(\*|\/\/)/.test(line));
if (stray.length) throw new Error(`import() in tollgate-cli.js, which a vm script cannot run (add it to IMPORTS):\n${stray.join('\n')}`);
// V8 checks a cache against the source's length only: the name ties the cache to this exact script.
const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
writeFileSync(
  `${outdir}tollgate.mjs`,
  `#!/usr/bin/env node
// Written by scripts/bundle.mjs: runs tollgate-cli.js with its V8 code cache (see there).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const file = fileURLToPath(new URL('./tollgate-cli.js', import.meta.url));
let cachedData;
try {
  cachedData = readFileSync(new URL(\`./tollgate-cli.${hash}.\${process.versions.v8}-\${process.arch}.cache\`, import.meta.url));
} catch {
  // none for this node: compiled from source
}
const script = new vm.Script(readFileSync(file, 'utf8'), {
  filename: file,
  cachedData,
});
const module = { exports: {} };
// The script's import(): lsp-server.mjs relative to this file, a plugin by its file URL.
const importHere = (specifier) => import(new URL(specifier, import.meta.url).href);
script.runInThisContext()(module.exports, createRequire(file), module, file, fileURLToPath(new URL('.', import.meta.url)), import.meta.url, importHere);
`,
);
chmodSync(`${outdir}tollgate.mjs`, 0o755);

// The training run writes the cache; a build whose cache cannot be made fails.
const cache = `${outdir}tollgate-cli.${hash}.${process.versions.v8}-${process.arch}.cache`;
const trained = spawnSync(process.execPath, [`${root}scripts/train-code-cache.mjs`, `${outdir}tollgate-cli.js`, cache], { cwd: root, encoding: 'utf8' });
if (trained.status !== 0) throw new Error(`the code cache training run failed (exit ${trained.status}): ${trained.stderr}`);
