#!/usr/bin/env node
// Writes catalog/resource-types/indexed.tsv.gz from resource-types.csv (built from
// Azure/bicep-types-az: `type,apiVersions,location,tags`; apiVersions space-separated; location
// and tags `all`, `none`, or the space-separated API versions whose resource body has it).
// Kept: one line per type, `<type>\t<support>`, sorted by the type in lower case, after a header
// line. The type keeps the casing of Azure's schemas, which is the casing the Bicep compiler writes
// (Bicep lowering takes it from here); support, for policy mode Indexed, is whether the type has
// both tags and location:
//   1                 in every API version
//   0                 in none
//   v1 v2 ...         in every version but these (space-separated), which lack one or both
// Text rather than JSON so that Tollgate can look a type up in the unzipped text without
// parsing the whole table.
// Usage: node scripts/build-resource-types.mjs <resource-types.csv>
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const input = process.argv[2];
if (!input) {
  console.error('usage: node scripts/build-resource-types.mjs <resource-types.csv>');
  process.exit(2);
}
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const lines = readFileSync(input, 'utf8').split(/\r?\n/).filter(Boolean);
if (lines.shift() !== 'type,apiVersions,location,tags') throw new Error('unexpected header');
const types = {};
const names = {};
const tally = { both: 0, neither: 0, perVersion: 0 };
// `all`, `none` or a list of versions -> does `version` have it.
const has = (spec, version) => spec === 'all' || (spec !== 'none' && spec.split(' ').includes(version));
for (const line of lines) {
  const fields = line.split(',');
  if (fields.length !== 4 || line.includes('"')) throw new Error(`unexpected line: ${line}`);
  const [type, versionList, location, tags] = fields;
  const key = type.toLowerCase();
  if (key in types) throw new Error(`type listed twice: ${type}`);
  names[key] = type;
  const versions = versionList.split(' ').filter(Boolean);
  const yes = versions.filter((v) => has(location, v) && has(tags, v));
  const no = versions.filter((v) => !yes.includes(v));
  if (no.length === 0) {
    types[key] = 1;
    tally.both++;
  } else if (yes.length === 0) {
    types[key] = 0;
    tally.neither++;
  } else {
    types[key] = no.join(' ');
    tally.perVersion++;
  }
}
const out = path.join(root, 'catalog/resource-types/indexed.tsv.gz');
const body = [`# ${path.basename(input)}: type, then 1 (tags and location in every API version), 0 (in none) or the versions that lack them`]
  .concat(Object.keys(types).sort().map((t) => `${names[t]}\t${types[t]}`))
  .join('\n');
writeFileSync(out, gzipSync(`${body}\n`, { level: 9 }));
console.log(`wrote ${Object.keys(types).length} resource types to ${path.relative(root, out)}: ${tally.both} support tags and location, ${tally.neither} do not, ${tally.perVersion} depend on the API version`);
