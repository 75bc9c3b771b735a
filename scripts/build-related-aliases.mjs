#!/usr/bin/env node
// Writes catalog/aliases/related-types.json: the aliases of resource types outside
// Microsoft.ApiManagement that the shipped definitions read (the related resources of their
// auditIfNotExists / deployIfNotExists effects), taken from the all-namespaces alias dump
// (alias,defaultPath; gzip). The types are named here, never inferred from alias names.
// Usage: node scripts/build-related-aliases.mjs <policy-aliases-all-namespaces.csv.gz>
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = ['Microsoft.Insights/diagnosticSettings', 'Microsoft.Security/assessments'];
const input = process.argv[2];
if (!input) {
  console.error('usage: node scripts/build-related-aliases.mjs <aliases-all-namespaces.csv.gz>');
  process.exit(2);
}
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const lines = gunzipSync(readFileSync(input)).toString('utf8').split(/\r?\n/).filter(Boolean);
const table = {};
let count = 0;
for (const line of lines) {
  const fields = line.split(',');
  if (fields.length !== 2 || line.includes('"')) throw new Error(`unexpected line: ${line}`);
  const [alias, defaultPath] = fields;
  const type = TYPES.find((t) => alias.toLowerCase().startsWith(`${t.toLowerCase()}/`));
  if (!type) continue;
  (table[type] ??= {})[alias.slice(type.length + 1)] = defaultPath;
  count++;
}
const out = path.join(root, 'catalog/aliases/related-types.json');
writeFileSync(out, JSON.stringify({ source: path.basename(input), count, types: table }) + '\n');
console.log(`wrote ${count} aliases for ${Object.keys(table).length} resource types to ${path.relative(root, out)}`);
