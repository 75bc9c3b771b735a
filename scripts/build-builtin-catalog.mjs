#!/usr/bin/env node
// Builds catalog/builtin/ from Azure/azure-policy's `built-in-policies/` folder (data, not code):
//
//   node scripts/build-builtin-catalog.mjs <path/to/built-in-policies>
//
// Public cloud only: the folder keeps the Azure Government variants under `Azure Government/`
// (its README: "built-in policy definitions that may have Azure Government specific versions");
// those subtrees are left out. Every other `.json` of `policyDefinitions/` and
// `policySetDefinitions/` is kept, minified but otherwise as written, one per line:
//
//   <name> TAB <path under built-in-policies/> TAB <json>
//
// so that a scan reads one definition by name without parsing the others. The definitions the
// default rule set uses are in definitions-default, the others in definitions-other; initiatives
// in initiatives. Each file is brotli
// compressed (about 24x: 8.4 MB of definitions become ~350 KB). Output is deterministic (files in
// byte order of their paths), so a rebuild of the same upstream commit gives identical bytes.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeCatalogShelf } from './write-catalog-shelf.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const source = process.argv[2];
if (!source) {
  console.error('usage: node scripts/build-builtin-catalog.mjs <path/to/azure-policy/built-in-policies>');
  process.exit(2);
}
const CLOUD_SPECIFIC = 'Azure Government';

function walk(dir) {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return entries.flatMap((e) => {
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === CLOUD_SPECIFIC ? [] : walk(abs);
    return e.name.toLowerCase().endsWith('.json') ? [abs] : [];
  });
}

// The definitions of the default rule set (Microsoft cloud security benchmark, see
// src/policy/default-set.ts) go in a file of their own: a default scan decompresses ~220
// definitions, not 3,600.
const DEFAULT_INITIATIVE = 'policySetDefinitions/Security Center/AzureSecurityCenter.json';
// DEFAULT_ADDITIONS of src/policy/default-set.ts (test/policy/builtin-catalog.test.ts checks they are in step).
const DEFAULT_ADDITIONS = ['fe83a0eb-a853-422d-aac2-1bffd182c5d0'];

function records(folder) {
  const lines = [];
  const names = new Set();
  for (const abs of walk(path.join(source, folder))) {
    const rel = path.relative(source, abs).split(path.sep).join('/');
    const json = JSON.parse(readFileSync(abs, 'utf8').replace(/^\uFEFF/, ''));
    const name = json.name;
    if (typeof name !== 'string' || !name) throw new Error(`${rel}: no name`);
    if (names.has(name.toLowerCase())) throw new Error(`${rel}: a second file named ${name}`);
    if (/[\t\n]/.test(rel)) throw new Error(`${rel}: tab or line break in the path`);
    names.add(name.toLowerCase());
    // JSON.stringify escapes every control character, so a record never holds a raw line break.
    lines.push({ name, rel, json, line: `${name}\t${rel}\t${JSON.stringify(json)}` });
  }
  return lines;
}

function write(out, lines) {
  const size = writeCatalogShelf(
    path.join(root, 'catalog', 'builtin', out),
    lines.map((l) => l.line),
  );
  console.log(`${out}: ${lines.length} files, ${size.text} bytes -> ${size.packed} bytes`);
}

const initiatives = records('policySetDefinitions');
const benchmark = initiatives.find((r) => r.rel === DEFAULT_INITIATIVE);
if (!benchmark) throw new Error(`${DEFAULT_INITIATIVE} is missing`);
const wanted = new Set(
  [...benchmark.json.properties.policyDefinitions.map((d) => d.policyDefinitionId.split('/').pop()), ...DEFAULT_ADDITIONS].map((n) => n.toLowerCase()),
);
const definitions = records('policyDefinitions');
write(
  'definitions-default.ndjson.br',
  definitions.filter((d) => wanted.has(d.name.toLowerCase())),
);
write(
  'definitions-other.ndjson.br',
  definitions.filter((d) => !wanted.has(d.name.toLowerCase())),
);
write('initiatives.ndjson.br', initiatives);
