#!/usr/bin/env node
// Writes two tables from the all-namespaces alias dump (CSV `alias,defaultPath`, gzip):
// - catalog/aliases/all-namespaces.json.gz: every resource provider outside Microsoft.ApiManagement
//   (whose own, newer table is microsoft.apimanagement.json). Tollgate reads it only when a
//   definition names an alias the always-loaded tables do not have.
// - catalog/aliases/related-types.json: the few types the shipped definitions read as related
//   resources of their auditIfNotExists / deployIfNotExists effects, always loaded so a default
//   scan never reads the big table. The types are named here, never inferred from alias names.
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
const RELATED = ['Microsoft.Insights/diagnosticSettings', 'Microsoft.Security/assessments'];
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const lines = gunzipSync(readFileSync(input)).toString('utf8').split(/\r?\n/).filter(Boolean);
const types = {};
const related = {};
let count = 0;
let relatedCount = 0;
let namespaceLevel = 0;
let apiManagement = 0;
for (const line of lines) {
  const fields = line.split(',');
  if (fields.length !== 2 || line.includes('"')) throw new Error(`unexpected line: ${line}`);
  const [alias, defaultPath] = fields;
  const relatedType = RELATED.find((t) => alias.toLowerCase().startsWith(`${t.toLowerCase()}/`));
  if (relatedType) {
    (related[relatedType] ??= {})[alias.slice(relatedType.length + 1)] = defaultPath;
    relatedCount++;
  }
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
const relatedOut = path.join(root, 'catalog/aliases/related-types.json');
writeFileSync(relatedOut, JSON.stringify({ source: path.basename(input), count: relatedCount, types: related }) + '\n');
console.log(`wrote ${relatedCount} aliases for ${Object.keys(related).length} related resource types to ${path.relative(root, relatedOut)}`);
console.log(`wrote ${count} aliases of ${Object.keys(types).length} resource types to ${path.relative(root, out)} (left out: ${namespaceLevel} namespace-level, ${apiManagement} API Management)`);
