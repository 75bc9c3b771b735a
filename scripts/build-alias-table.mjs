#!/usr/bin/env node
// Regenerates catalog/aliases/microsoft.apimanagement.json from the alias dump CSV
// (resourceType,alias,defaultPath). Usage:
//   node scripts/build-alias-table.mjs ../shared/upstream/azure-policy/aliases/apim-aliases-defaultpath-2026-08-21.csv
// The output maps each resource type to { alias suffix after "<type>/": default path }, which
// is all the policy engine needs and about half the size of the CSV.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const input = process.argv[2];
if (!input) {
  console.error('usage: node scripts/build-alias-table.mjs <aliases.csv>');
  process.exit(2);
}
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const lines = readFileSync(input, 'utf8').split(/\r?\n/).filter(Boolean);
const header = lines.shift();
if (header !== 'resourceType,alias,defaultPath') throw new Error(`unexpected header: ${header}`);
const table = {};
let count = 0;
for (const line of lines) {
  // No field in the dump contains a comma or a quote; fail loudly if that ever changes.
  const fields = line.split(',');
  if (fields.length !== 3 || line.includes('"')) throw new Error(`unexpected line: ${line}`);
  const [type, alias, defaultPath] = fields;
  if (!alias.toLowerCase().startsWith(type.toLowerCase() + '/')) throw new Error(`alias ${alias} is not under ${type}`);
  (table[type] ??= {})[alias.slice(type.length + 1)] = defaultPath;
  count++;
}
const out = path.join(root, 'catalog/aliases/microsoft.apimanagement.json');
writeFileSync(out, JSON.stringify({ source: path.basename(input), count, types: table }) + '\n');
console.log(`wrote ${count} aliases for ${Object.keys(table).length} resource types to ${path.relative(root, out)}`);
