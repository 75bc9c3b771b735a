#!/usr/bin/env node
// Writes catalog/resource-types/indexed.tsv.gz from resource-types.csv (built from
// Azure/bicep-types-az: `type,apiVersions,location,tags`; apiVersions space-separated; location
// and tags `all`, `none`, or the space-separated API versions whose resource body has it).
// Kept: one line per type, `<type>\t<support>[\t<casings>]`, sorted by the type in lower case, after
// a header line. The type keeps the casing of Azure's schemas, which is the casing the Bicep
// compiler writes (Bicep lowering takes it from here). Some types are spelt differently in some API
// versions (`microsoft.insights/diagnosticSettings@2016-09-01`, `Microsoft.Insights/…@2021-05-01-preview`):
// the first column has the newest version's casing and <casings> lists the other versions'
// (`<version>=<type>`, space-separated). The casings come from the schema headings, a list of
// `<type>@<version>` lines taken from a bicep-types-az checkout at the same commit:
//   git grep -h '^## Resource ' HEAD -- 'generated/*types.md' | sed 's/^## Resource //' > headings.txt
// Support, for policy mode Indexed, is whether the type has both tags and location:
//   1                 in every API version
//   0                 in none
//   v1 v2 ...         in every version but these (space-separated), which lack one or both
// Text rather than JSON so that Tollgate can look a type up in the unzipped text without
// parsing the whole table.
// Usage: node scripts/build-resource-types.mjs <resource-types.csv> <headings.txt>
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const input = process.argv[2];
const headingsFile = process.argv[3];
if (!input || !headingsFile) {
  console.error('usage: node scripts/build-resource-types.mjs <resource-types.csv> <headings.txt>');
  process.exit(2);
}
// type in lower case -> version -> the type as that version's schema spells it
const casings = {};
for (const line of readFileSync(headingsFile, 'utf8').split(/\r?\n/)) {
  const m = /^(\S+)@(\S+)/.exec(line);
  if (!m) continue;
  (casings[m[1].toLowerCase()] ??= {})[m[2]] = m[1];
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
  const spelt = casings[key] ?? {};
  const newest = Object.keys(spelt).sort().pop();
  const name = newest ? spelt[newest] : type;
  const others = Object.keys(spelt)
    .sort()
    .filter((v) => spelt[v] !== name)
    .map((v) => `${v}=${spelt[v]}`);
  names[key] = others.length ? `${name}\t%\t${others.join(' ')}` : `${name}\t%`;
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
  .concat(
    Object.keys(types)
      .sort()
      .map((t) => names[t].replace('%', String(types[t]))),
  )
  .join('\n');
writeFileSync(out, gzipSync(`${body}\n`, { level: 9 }));
console.log(
  `wrote ${Object.keys(types).length} resource types to ${path.relative(root, out)}: ${tally.both} support tags and location, ${tally.neither} do not, ${tally.perVersion} depend on the API version`,
);
