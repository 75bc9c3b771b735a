import { readFileSync } from 'node:fs';
import path from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { packageRoot } from '../package-root.js';
import type { Value } from '../resources/value.js';
import { readPolicyDefinition, type PolicyDefinition } from './definition.js';
import { pickVersion } from './definition-version.js';
import { readInitiative, type Initiative } from './initiative.js';

/**
 * Azure Policy's built-in catalog for the public cloud (catalog/builtin/, built by
 * scripts/build-builtin-catalog.mjs from Azure/azure-policy `built-in-policies/`): every
 * definition and initiative, one record per line (`name TAB upstream path TAB json`), brotli
 * compressed. Nothing is read until something asks: a scan that needs none of it pays nothing,
 * and one that needs a few hundred definitions parses only those.
 */
export interface BuiltInRecord {
  name: string;
  /** The upstream path, e.g. `policyDefinitions/Storage/StorageAccountMinimumTLSVersion_Audit.json`. */
  path: string;
  /** Shown as the definition's file in messages: `built-in-policies/<path>`. */
  shown: string;
}

interface ShelfEntry<T> {
  record: BuiltInRecord;
  bytes: Buffer;
  start: number;
  end: number;
  parsed?: T | Error;
}

interface Shelf<T> {
  records: BuiltInRecord[];
  /** Lower-case name -> where its JSON is in `bytes`, parsed on first use. */
  byName: Map<string, ShelfEntry<T>>;
}

let definitionShelf: Shelf<PolicyDefinition> | undefined;
let initiativeShelf: Shelf<Initiative> | undefined;

const TAB = 9;
const NEWLINE = 10;

/**
 * Decompresses a file and finds its records. Only the name and path of each record are decoded
 * here (decoding all 8 MB as UTF-8 costs more than decompressing them); the JSON of a record is
 * decoded and parsed when that record is asked for.
 */
function readEntries<T>(file: string): ShelfEntry<T>[] {
  const bytes = brotliDecompressSync(readFileSync(path.join(packageRoot(), 'catalog', 'builtin', file)));
  const entries: ShelfEntry<T>[] = [];
  let at = 0;
  while (at < bytes.length) {
    let end = bytes.indexOf(NEWLINE, at);
    if (end < 0) end = bytes.length;
    const tab1 = bytes.indexOf(TAB, at);
    const tab2 = tab1 < 0 ? -1 : bytes.indexOf(TAB, tab1 + 1);
    if (tab1 >= 0 && tab2 >= 0 && tab2 < end) {
      const upstream = bytes.toString('utf8', tab1 + 1, tab2);
      const record = { name: bytes.toString('utf8', at, tab1), path: upstream, shown: `built-in-policies/${upstream}` };
      entries.push({ record, bytes, start: tab2 + 1, end });
    }
    at = end + 1;
  }
  return entries;
}

function openShelf<T>(file: string): Shelf<T> {
  const shelf: Shelf<T> = { records: [], byName: new Map() };
  for (const entry of readEntries<T>(file)) {
    shelf.records.push(entry.record);
    shelf.byName.set(entry.record.name.toLowerCase(), entry);
  }
  return shelf;
}

let defaultShelf: Shelf<PolicyDefinition> | undefined;

/** The definitions the default rule set references, in a file of their own: a default scan opens only that one. */
function defaultDefinitions(): Shelf<PolicyDefinition> {
  return (defaultShelf ??= openShelf('definitions-default.ndjson.br'));
}

/** Every definition: the default file and the others, records in upstream path order. */
function definitions(): Shelf<PolicyDefinition> {
  if (definitionShelf) return definitionShelf;
  const hot = defaultDefinitions();
  const other = openShelf<PolicyDefinition>('definitions-other.ndjson.br');
  for (const [name, entry] of hot.byName) other.byName.set(name, entry);
  other.records.push(...hot.records);
  other.records.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return (definitionShelf = other);
}

function initiatives(): Shelf<Initiative> {
  return (initiativeShelf ??= openShelf('initiatives.ndjson.br'));
}

function read<T>(shelf: Shelf<T>, name: string, parse: (json: Value, shown: string) => T): T | undefined {
  const entry = shelf.byName.get(name.toLowerCase());
  return entry && parsed(entry, parse);
}

function parsed<T>(entry: ShelfEntry<T>, parse: (json: Value, shown: string) => T): T {
  if (entry.parsed === undefined) {
    try {
      entry.parsed = parse(JSON.parse(entry.bytes.toString('utf8', entry.start, entry.end)) as Value, entry.record.shown);
    } catch (err) {
      entry.parsed = err as Error;
    }
  }
  if (entry.parsed instanceof Error) throw entry.parsed;
  return entry.parsed;
}

/** Every built-in definition's record, in upstream path order. */
export function builtInDefinitionRecords(): readonly BuiltInRecord[] {
  return definitions().records;
}

/** The built-in definition with this name (its guid), read on first ask; undefined when there is none. Throws when its JSON is not a definition. */
export function builtInDefinition(name: string): PolicyDefinition | undefined {
  const parse = (json: Value, shown: string) => readPolicyDefinition(json, shown);
  // The parsed entry is shared: the merged shelf holds the default file's entries themselves.
  const shelf = !definitionShelf && defaultDefinitions().byName.has(name.toLowerCase()) ? defaultDefinitions() : definitions();
  return read(shelf, name, parse);
}

const olderShelves = new Map<string, Map<string, ShelfEntry<PolicyDefinition>[]>>();

/**
 * Older versions Azure still offers (a definition's `versions` other than the current one), from
 * the history of Azure/azure-policy (scripts/build-builtin-older-versions.mjs): an initiative or
 * assignment may pin an older major version. Opened only when a pin asks for one; those of the
 * default set's definitions sit in a small file of their own, as their current versions do.
 */
function olderVersions(name: string): ShelfEntry<PolicyDefinition>[] {
  const file = defaultDefinitions().byName.has(name.toLowerCase()) ? 'definitions-older-default.ndjson.br' : 'definitions-older.ndjson.br';
  let shelf = olderShelves.get(file);
  if (!shelf) {
    shelf = new Map();
    for (const entry of readEntries<PolicyDefinition>(file)) {
      const key = entry.record.name.toLowerCase();
      const list = shelf.get(key);
      if (list) list.push(entry);
      else shelf.set(key, [entry]);
    }
    olderShelves.set(file, shelf);
  }
  return shelf.get(name.toLowerCase()) ?? [];
}

/** Every version of a built-in definition Tollgate has: the older ones (oldest first), then the current one. */
export function builtInDefinitionVersions(name: string): PolicyDefinition[] {
  const current = builtInDefinition(name);
  if (!current) return [];
  const older = olderVersions(name).map((entry) => parsed(entry, (json, shown) => readPolicyDefinition(json, shown)));
  return [...older, current];
}

/**
 * The version of a built-in definition a `definitionVersion` pin picks (none: the current one):
 * the current file when it matches, else the newest matching older version; otherwise a problem
 * naming the versions Tollgate has and those Azure lists.
 */
export function pickBuiltInVersion(current: PolicyDefinition, pattern: string | undefined): { picked?: PolicyDefinition; problem?: string } {
  const first = pickVersion([current], (d) => d.version, pattern, current.versions);
  if (first.picked || pattern === undefined) return first;
  return pickVersion(builtInDefinitionVersions(current.name), (d) => d.version, pattern, current.versions);
}

/** Every built-in initiative's record, in upstream path order. */
export function builtInInitiativeRecords(): readonly BuiltInRecord[] {
  return initiatives().records;
}

/** The built-in initiative with this name (its guid). */
export function builtInInitiative(name: string): Initiative | undefined {
  return read(initiatives(), name, (json, shown) => readInitiative(json, shown));
}
