#!/usr/bin/env node
// Writes two tables from the all-namespaces alias dump (CSV `type,alias,defaultPath`, gzip):
// - catalog/aliases/all-namespaces.index.json + all-namespaces.types.gz: every resource provider
//   outside Microsoft.ApiManagement (whose own, newer table is microsoft.apimanagement.json).
//   Tollgate reads them only when a definition names an alias the always-loaded tables do not
//   have, and then only the asked-for type: types.gz is one gzip member per resource type (its
//   spellings together), and the index says where each starts and how long it is, so a lookup
//   decompresses a few KB instead of the whole 9 MB table.
// - catalog/aliases/related-types.json: the few types the shipped definitions read as related
//   resources of their auditIfNotExists / deployIfNotExists effects, always loaded so a default
//   scan never reads the big table. The types are named here, never inferred from alias names.
// Most aliases are `<resource type>/<alias path>` (output: types[<type as the alias spells it>][<alias path>]).
// Namespace-level aliases (`Microsoft.Compute/imagePublisher`) are defined for several resource
// types, with a path each: the dump's type column says which (output: namespaceLevel[<alias>][<type>]).
// Usage: node scripts/build-all-aliases.mjs <aliases-all-YYYY-MM.csv.gz>
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
const header = lines.shift();
if (header !== 'type,alias,defaultPath') throw new Error(`unexpected header: ${header}`);
const types = {};
const namespaceLevel = {};
const related = {};
let count = 0;
let relatedCount = 0;
let namespaceCount = 0;
let apiManagement = 0;
for (const line of lines) {
  // No field in the dump contains a comma or a quote; fail loudly if that ever changes.
  const fields = line.split(',');
  if (fields.length !== 3 || line.includes('"')) throw new Error(`unexpected line: ${line}`);
  const [type, alias, defaultPath] = fields;
  if (type.toLowerCase().startsWith('microsoft.apimanagement/')) {
    apiManagement++;
    continue;
  }
  if (!alias.toLowerCase().startsWith(`${type.toLowerCase()}/`)) {
    (namespaceLevel[alias] ??= {})[type] = defaultPath;
    namespaceCount++;
    continue;
  }
  // The alias's own spelling of the type (the type column may differ in case), so that
  // `<type>/<path>` gives back the alias as Azure writes it.
  const spelled = alias.slice(0, type.length);
  const suffix = alias.slice(type.length + 1);
  if (suffix.includes('/')) throw new Error(`alias path with a slash: ${alias}`);
  const relatedType = RELATED.find((t) => t.toLowerCase() === type.toLowerCase());
  if (relatedType) {
    // One spelling per related type (aliases spell `Microsoft.Insights` and `microsoft.insights`): names ignore case.
    (related[relatedType] ??= {})[suffix] = defaultPath;
    relatedCount++;
  }
  (types[spelled] ??= {})[suffix] = defaultPath;
  count++;
}
// One member per type ignoring case, its spellings in the order the dump gives them (a later
// spelling's alias replaces an earlier one's when both define it).
const byType = new Map();
for (const [type, aliases] of Object.entries(types)) {
  const key = type.toLowerCase();
  if (!byType.has(key)) byType.set(key, {});
  byType.get(key)[type] = aliases;
}
const members = [];
const offsets = {};
let offset = 0;
for (const [key, spellings] of byType) {
  const member = gzipSync(JSON.stringify(spellings), { level: 9 });
  offsets[key] = [offset, member.length];
  offset += member.length;
  members.push(member);
}
// What the table holds, counted as the loader counts it: one per type and alias path, one per
// type of each namespace-level alias.
let size = 0;
for (const aliases of Object.values(types)) size += Object.keys(aliases).length;
for (const perType of Object.values(namespaceLevel)) size += Object.keys(perType).length;
const out = path.join(root, 'catalog/aliases/all-namespaces.index.json');
const body = { source: path.basename(input), count: count + namespaceCount, size, left_out: { apiManagement }, namespaceLevel, types: offsets };
writeFileSync(out, JSON.stringify(body) + '\n');
writeFileSync(path.join(root, 'catalog/aliases/all-namespaces.types.gz'), Buffer.concat(members));
const relatedOut = path.join(root, 'catalog/aliases/related-types.json');
writeFileSync(relatedOut, JSON.stringify({ source: path.basename(input), count: relatedCount, types: related }) + '\n');
console.log(`wrote ${relatedCount} aliases for ${Object.keys(related).length} related resource types to ${path.relative(root, relatedOut)}`);
console.log(
  `wrote ${count + namespaceCount} aliases (${namespaceCount} namespace-level: ${Object.keys(namespaceLevel).length} names) of ${Object.keys(types).length} resource types to ${path.relative(root, out)} (left out: ${apiManagement} API Management)`,
);
