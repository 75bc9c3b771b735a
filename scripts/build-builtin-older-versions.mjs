#!/usr/bin/env node
// Builds catalog/builtin/definitions-older{-default,}.ndjson.br: the older versions of built-in definitions
// that Azure still offers, taken from the git history of Azure/azure-policy (data, not code).
//
//   node scripts/build-builtin-older-versions.mjs <path/to/azure-policy git directory>
//
// Azure keeps every version a definition lists in `properties.versions`, and an initiative or
// assignment may pin an older major one (`definitionVersion: "7.*.*"` while the current file is
// 8.0.0). The release folder holds only the current file, so each older version listed there is
// looked up in the repository's history: the file as the newest commit that had that version
// wrote it (a version's file was sometimes corrected in a later release without a new number).
// Versions the history never held (released before the repository tracked the definition) stay
// missing, and Tollgate says so. The older versions of the default rule set's definitions (those
// in definitions-default) go in a small file of their own, so that a default scan, whose benchmark
// pins a few older versions, does not decompress the others. Records: `<name> TAB <upstream path>@<version> TAB <json>`, as in
// scripts/build-builtin-catalog.mjs; ordered by name and version, so a rebuild gives identical bytes.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { brotliDecompressSync } from 'node:zlib';
import { writeCatalogShelf } from './write-catalog-shelf.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const gitDir = process.argv[2];
if (!gitDir) {
  console.error('usage: node scripts/build-builtin-older-versions.mjs <path/to/azure-policy git directory>');
  process.exit(2);
}
const git = (args, input) => execFileSync('git', ['--git-dir', gitDir, ...args], { maxBuffer: 1 << 30, ...(input !== undefined && { input }) });
const FOLDER = 'built-in-policies/policyDefinitions/';

// The shipped (current) definitions: which versions Azure lists for each, and which one we have.
const current = new Map();
const inDefault = new Set();
for (const file of ['definitions-default.ndjson.br', 'definitions-other.ndjson.br']) {
  const text = brotliDecompressSync(readFileSync(path.join(root, 'catalog/builtin', file))).toString('utf8');
  for (const line of text.split('\n')) {
    const [name, , json] = line.split('\t');
    const props = JSON.parse(json).properties ?? {};
    current.set(name.toLowerCase(), { version: versionOf(props), versions: Array.isArray(props.versions) ? props.versions : [] });
    if (file === 'definitions-default.ndjson.br') inDefault.add(name.toLowerCase());
  }
}

function versionOf(props) {
  const v = props.version ?? props.metadata?.version;
  return typeof v === 'string' ? v : undefined;
}

// Newest commit first: the first blob seen for a (name, version) is the one kept.
const commits = git(['rev-list', 'HEAD']).toString().trim().split('\n');
const pathOfBlob = new Map();
const blobOrder = [];
for (const commit of commits) {
  const listing = git(['ls-tree', '-r', '-z', commit, FOLDER]).toString().split('\0');
  for (const entry of listing) {
    if (!entry) continue;
    const tab = entry.indexOf('\t');
    const [, type, blob] = entry.slice(0, tab).split(' ');
    const file = entry.slice(tab + 1);
    if (type !== 'blob' || !file.toLowerCase().endsWith('.json') || file.includes('/Azure Government/')) continue;
    if (!pathOfBlob.has(blob)) {
      pathOfBlob.set(blob, file.slice('built-in-policies/'.length));
      blobOrder.push(blob);
    }
  }
}

// Read every distinct blob in one `git cat-file --batch` (header line, content, newline).
const batch = git(['cat-file', '--batch'], blobOrder.join('\n') + '\n');
const kept = new Map();
let at = 0;
for (const blob of blobOrder) {
  const headerEnd = batch.indexOf(10, at);
  const size = Number(batch.toString('utf8', at, headerEnd).split(' ')[2]);
  const content = batch.toString('utf8', headerEnd + 1, headerEnd + 1 + size);
  at = headerEnd + 1 + size + 1;
  let json;
  try {
    json = JSON.parse(content.replace(/^\uFEFF/, ''));
  } catch {
    continue; // a file broken in some commit; another commit has that version
  }
  const name = typeof json?.name === 'string' ? json.name.toLowerCase() : undefined;
  const version = versionOf(json?.properties ?? {});
  const now = name && current.get(name);
  if (!now || !version || version === now.version || !now.versions.includes(version)) continue;
  const key = `${name}\t${version}`;
  if (!kept.has(key)) kept.set(key, { name: json.name, version, rel: pathOfBlob.get(blob), json });
}

const wantedCount = [...current.values()].reduce((n, c) => n + c.versions.filter((v) => v !== c.version).length, 0);
const records = [...kept.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : compareVersions(a.version, b.version)));
function compareVersions(a, b) {
  const pa = a.split(/[.-]/).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  const pb = b.split(/[.-]/).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    if (pa[i] === pb[i]) continue;
    if (pa[i] === undefined) return -1;
    if (pb[i] === undefined) return 1;
    return typeof pa[i] === 'number' && typeof pb[i] === 'number' ? pa[i] - pb[i] : String(pa[i]) < String(pb[i]) ? -1 : 1;
  }
  return 0;
}
function write(out, list) {
  const size = writeCatalogShelf(
    path.join(root, 'catalog/builtin', out),
    list.map((r) => `${r.name}\t${r.rel}@${r.version}\t${JSON.stringify(r.json)}`),
  );
  console.log(`${out}: ${list.length} versions, ${size.text} bytes -> ${size.packed} bytes`);
}
write(
  'definitions-older-default.ndjson.br',
  records.filter((r) => inDefault.has(r.name.toLowerCase())),
);
write(
  'definitions-older.ndjson.br',
  records.filter((r) => !inDefault.has(r.name.toLowerCase())),
);
console.log(`${records.length} of the ${wantedCount} older versions Azure lists (${commits.length} commits read)`);
