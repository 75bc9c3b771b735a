#!/usr/bin/env node
// Writes catalog/aliases/all-namespaces.json.gz: the aliases of every resource provider outside
// Microsoft.ApiManagement (whose own, newer table is microsoft.apimanagement.json), from the
// all-namespaces alias dump (CSV `alias,defaultPath`, gzip). Tollgate reads it only when a
// definition names an alias the API Management tables do not have.
// An alias is `<resource type>/<alias path>`: the type is everything before the last `/`.
// Namespace-level aliases (`Microsoft.Compute/imagePublisher`) name several resource types with
// a path each, which the dump does not say: they are left out and counted.
// Usage: node scripts/build-all-aliases.mjs <policy-aliases-all-namespaces.csv.gz>
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const input = process.argv[2];
if (!input) {
  console.error('usage: node scripts/build-all-aliases.mjs <aliases-all-namespaces.csv.gz>');
  process.exit(2);
}
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const lines = gunzipSync(readFileSync(input)).toString('utf8').split(/\r?\n/).filter(Boolean);
const types = {};
let count = 0;
let namespaceLevel = 0;
let apiManagement = 0;
for (const line of lines) {
  const fields = line.split(',');
  if (fields.length !== 2 || line.includes('"')) throw new Error(`unexpected line: ${line}`);
  const [alias, defaultPath] = fields;
  const cut = alias.lastIndexOf('/');
  const type = alias.slice(0, cut);
  if (!type.includes('/')) {
    namespaceLevel++;
    continue;
  }
  if (type.toLowerCase().startsWith('microsoft.apimanagement/')) {
    apiManagement++;
    continue;
  }
  (types[type] ??= {})[alias.slice(cut + 1)] = defaultPath;
  count++;
}
const out = path.join(root, 'catalog/aliases/all-namespaces.json.gz');
const body = { source: path.basename(input), count, left_out: { namespaceLevel, apiManagement }, types };
writeFileSync(out, gzipSync(JSON.stringify(body), { level: 9 }));
console.log(`wrote ${count} aliases of ${Object.keys(types).length} resource types to ${path.relative(root, out)} (left out: ${namespaceLevel} namespace-level, ${apiManagement} API Management)`);
