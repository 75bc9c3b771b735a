#!/usr/bin/env node
// Packs the Azure Verified Modules the conformance test reads (test/bicep/avm-conformance.test.ts)
// into one Brotli-compressed JSON file { "<path>": "<text>" }: every file of avm/res and avm/utl
// except documentation (README.md), which the comparison never reads (scripts stay: loadTextContent reads them).
// 15.7 MB of text packs to about 0.7 MB: the many main.json files repeat one another, and a
// 16 MB Brotli window finds the repeats across files (gzip's 32 KB window does not).
//
//   node scripts/pack-avm-fixture.mjs ../shared/upstream/bicep/avm/avm test/fixtures/upstream/bicep/avm/avm.json.br
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const [source = '../shared/upstream/bicep/avm/avm', target = 'test/fixtures/upstream/bicep/avm/avm.json.br'] = process.argv.slice(2);
const files = {};
function walk(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (!/\.md$/i.test(e.name)) files[path.relative(source, p).split(path.sep).join('/')] = readFileSync(p, 'utf8');
  }
}
for (const top of ['res', 'utl']) walk(path.join(source, top));
const json = Buffer.from(JSON.stringify(files));
const packed = zlib.brotliCompressSync(json, {
  params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 9, [zlib.constants.BROTLI_PARAM_LGWIN]: 24, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: json.length },
});
mkdirSync(path.dirname(target), { recursive: true });
writeFileSync(target, packed);
console.log(`${Object.keys(files).length} files, ${json.length} bytes -> ${target} ${packed.length} bytes`);
