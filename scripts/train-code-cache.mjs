#!/usr/bin/env node
// `node scripts/train-code-cache.mjs SCRIPT CACHE` (run by scripts/bundle.mjs): runs the bundled CLI
// script as dist/bundle/tollgate.mjs does, on `tollgate scan examples/ --format json -c CONFIG`, and at exit
// writes V8's code cache of the script to CACHE: the code, and the functions that scan compiled.
// The output goes nowhere; the exit code of the scan (1: the examples have error-level findings)
// is not this run's.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';

const [file, cacheFile] = process.argv.slice(2);
const bin = new URL('./tollgate.mjs', pathToFileURL(file));
const script = new vm.Script(readFileSync(file, 'utf8'), { filename: file });
// V8 accepts a cache only under the flags it was made with. The scan sets one
// (--heap-growing-percent) after the code is compiled; the bin compiles before it, so the cache
// must be made under none: here the scan's setFlagsFromString does nothing.
const requireCli = createRequire(file);
const cliRequire = (id) => (id === 'node:v8' || id === 'v8' ? { ...v8, setFlagsFromString: () => {} } : requireCli(id));
// With a configuration file (one that leaves the rule set as it is), so that reading one (the yaml
// package, bundled) is in the cache too: most repositories have one.
const config = path.join(mkdtempSync(path.join(tmpdir(), 'tollgate-train-')), 'tollgate.yaml');
writeFileSync(config, "exclude:\n  - '**/no-such-folder/**'\n");
process.argv = [process.argv[0], bin.pathname, 'scan', 'examples/', '--format', 'json', '-c', config];
process.stdout.write = () => true;
process.on('exit', () => {
  rmSync(path.dirname(config), { recursive: true, force: true });
  writeFileSync(cacheFile, script.createCachedData());
  process.exitCode = 0;
});
const module = { exports: {} };
script.runInThisContext()(module.exports, cliRequire, module, file, new URL('.', bin).pathname, bin.href, (specifier) => import(new URL(specifier, bin).href));
