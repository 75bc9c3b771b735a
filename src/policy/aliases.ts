import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import { packageRoot } from '../package-root.js';
import { getProperty, isObject, type Value } from '../resources/value.js';

export interface AliasEntry {
  /** The alias as written in the table, e.g. `Microsoft.ApiManagement/service/backends/tls.validateCertificateChain`. */
  name: string;
  resourceType: string;
  /** Where the value lives in the resource body, e.g. `properties.tls.validateCertificateChain`. */
  defaultPath: string;
  /**
   * Paths that hold for given API versions only (Azure's `paths[]`). Absent in Tollgate's shipped
   * table, which records default paths only.
   */
  paths?: AliasVersionedPath[];
  /** The alias carries the `Modifiable` attribute (usable by the modify effect); absent = not recorded. */
  modifiable?: boolean;
}

export interface AliasVersionedPath {
  path: string;
  apiVersions: string[];
}

/** A set of aliases to resolve `field` names against. */
export interface AliasTable {
  /** Alias names are case-insensitive, as in Azure Policy. The first entry when several types define the name. */
  resolve(name: string): AliasEntry | undefined;
  /**
   * Every entry of the name: some aliases (`Microsoft.Compute/imagePublisher`) are defined for
   * several resource types, each with its own path. The entry of the evaluated resource's type
   * applies.
   */
  entries(name: string): readonly AliasEntry[];
  /**
   * The resource type's capabilities as Azure's provider data spells them
   * (`SupportsTags, SupportsLocation`), or undefined where the table does not record them.
   */
  capabilities(resourceType: string): string | undefined;
  readonly size: number;
}

interface AliasFile {
  source: string;
  count: number;
  types: Record<string, Record<string, string>>;
  /**
   * Aliases that are not `<type>/<path>` (`Microsoft.Compute/imagePublisher`): alias -> type ->
   * path, one path for each resource type the alias is defined for.
   */
  namespaceLevel?: Record<string, Record<string, string>>;
}

let builtIn: AliasTable | undefined;
let everyNamespace: AliasTable | undefined;

/**
 * The alias registry, from Azure's own alias dumps (catalog/aliases/). Aliases are resolved
 * from data only: an alias that is not in the tables is unknown, never derived from its name.
 * API Management's aliases (2026) and those of the related types the shipped definitions read
 * are always loaded; every other provider's (the 2026-08 all-namespaces dump, 74,835 aliases) is
 * read the first time a definition names one of them.
 */
export function builtInAliases(): AliasTable {
  if (builtIn) return builtIn;
  const index = new Map<string, AliasEntry[]>();
  for (const table of ['microsoft.apimanagement.json', 'related-types.json']) {
    addFile(index, JSON.parse(readFileSync(path.join(packageRoot(), 'catalog', 'aliases', table), 'utf8')) as AliasFile);
  }
  const primary = tableOf(index, new Map());
  builtIn = {
    resolve: (name) => primary.resolve(name) ?? allNamespaceAliases().resolve(name),
    entries: (name) => {
      const mine = primary.entries(name);
      return mine.length ? mine : allNamespaceAliases().entries(name);
    },
    capabilities: (type) => primary.capabilities(type),
    // The always-loaded tables; allNamespaceAliases().size counts the rest.
    size: primary.size,
  };
  return builtIn;
}

/** catalog/aliases/all-namespaces.index.json: where each type's aliases are in all-namespaces.types.gz. */
interface NamespacesIndex {
  size: number;
  namespaceLevel?: Record<string, Record<string, string>>;
  /** Resource type in lower case -> [offset, length] of its gzip member (its spellings -> alias path -> default path). */
  types: Record<string, [number, number]>;
}

/**
 * Every provider's aliases but API Management's, from the all-namespaces table (scripts/
 * build-all-aliases.mjs). An alias is `<type>/<path>`, so only the asked-for type's aliases are
 * read: its own gzip member of all-namespaces.types.gz, found through the index, decompressed and
 * indexed on first ask (decompressing and parsing the whole 9 MB table took a quarter of a small
 * scan's time). The few namespace-level aliases (one name, a path per type) are in the index.
 */
export function allNamespaceAliases(): AliasTable {
  if (everyNamespace) return everyNamespace;
  const folder = path.join(packageRoot(), 'catalog', 'aliases');
  const file = JSON.parse(readFileSync(path.join(folder, 'all-namespaces.index.json'), 'utf8')) as NamespacesIndex;
  const members = new Map(Object.entries(file.types));
  const indexed = new Map<string, Map<string, AliasEntry[]>>();
  const typeIndex = (aliasName: string) => {
    // The dump spells some types two ways (`Microsoft.CDN/profiles`, `Microsoft.Cdn/profiles`): one type, ignoring case.
    const key = aliasName.slice(0, Math.max(0, aliasName.lastIndexOf('/'))).toLowerCase();
    let index = indexed.get(key);
    if (index) return index;
    // Only types the table has are remembered: alias names come from policy files, so a miss must not grow the map.
    const at = members.get(key);
    if (!at) return undefined;
    index = new Map();
    const types = JSON.parse(gunzipSync(readSlice(path.join(folder, 'all-namespaces.types.gz'), at[0], at[1])).toString('utf8')) as AliasFile['types'];
    addFile(index, { source: '', count: 0, types });
    indexed.set(key, index);
    return index;
  };
  // Namespace-level aliases name no type: few (30 in 2026), indexed whole.
  const namespaceLevel = new Map<string, AliasEntry[]>();
  for (const [name, byType] of Object.entries(file.namespaceLevel ?? {})) {
    for (const [resourceType, defaultPath] of Object.entries(byType)) add(namespaceLevel, { name, resourceType, defaultPath });
  }
  const lookup = (name: string) => namespaceLevel.get(name.toLowerCase()) ?? typeIndex(name)?.get(name.toLowerCase());
  everyNamespace = {
    resolve: (name) => lookup(name)?.[0],
    entries: (name) => lookup(name) ?? [],
    capabilities: () => undefined,
    size: file.size,
  };
  return everyNamespace;
}

/** `length` bytes of a file from `offset`. */
function readSlice(file: string, offset: number, length: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const out = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const n = readSync(fd, out, done, length - done, offset + done);
      if (n === 0) throw new Error(`${file} ends before byte ${offset + length}`);
      done += n;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

function addFile(index: Map<string, AliasEntry[]>, file: AliasFile): void {
  for (const [resourceType, entries] of Object.entries(file.types)) {
    for (const [suffix, defaultPath] of Object.entries(entries)) add(index, { name: `${resourceType}/${suffix}`, resourceType, defaultPath });
  }
}

/** Alias names are case-insensitive, as in Azure Policy. */
export function resolveAlias(name: string): AliasEntry | undefined {
  return builtInAliases().resolve(name);
}

export function aliasCount(): number {
  return builtInAliases().size;
}

/**
 * A table from Azure's provider metadata, the shape `az provider list --expand
 * resourceTypes/aliases` and `Get-AzPolicyAlias` return: an array of
 * `{ namespace, resourceTypes: [{ resourceType, capabilities?, aliases: [{ name, defaultPath,
 * paths: [{ path, apiVersions }], defaultMetadata: { attributes } }] }] }`.
 */
export function aliasTableFromProviders(json: unknown): AliasTable {
  const index = new Map<string, AliasEntry[]>();
  const capabilities = new Map<string, string>();
  const providers = Array.isArray(json) ? json : [json];
  for (const provider of providers) {
    const namespace = str(getProperty(provider, 'namespace'));
    const types = getProperty(provider, 'resourceTypes');
    if (!namespace || !Array.isArray(types)) throw new Error('an alias file lists providers with a namespace and resourceTypes');
    for (const type of types) {
      const resourceType = `${namespace}/${str(getProperty(type, 'resourceType')) ?? ''}`;
      const caps = str(getProperty(type, 'capabilities'));
      if (caps !== undefined) capabilities.set(resourceType.toLowerCase(), caps);
      const aliases = getProperty(type, 'aliases');
      for (const alias of Array.isArray(aliases) ? aliases : []) {
        const name = str(getProperty(alias, 'name'));
        const defaultPath = str(getProperty(alias, 'defaultPath'));
        if (!name || !defaultPath) continue;
        const entry: AliasEntry = { name, resourceType, defaultPath };
        const paths = versionedPaths(getProperty(alias, 'paths'));
        if (paths.length) entry.paths = paths;
        const attributes = str(getProperty(getProperty(alias, 'defaultMetadata'), 'attributes'));
        entry.modifiable = attributes !== undefined && /\bmodifiable\b/i.test(attributes);
        add(index, entry);
      }
    }
  }
  return tableOf(index, capabilities);
}

/** Several tables as one: the first that knows a name answers. */
export function combineAliasTables(...tables: AliasTable[]): AliasTable {
  return {
    resolve: (name) => {
      for (const t of tables) {
        const hit = t.resolve(name);
        if (hit) return hit;
      }
      return undefined;
    },
    entries: (name) => tables.flatMap((t) => t.entries(name)),
    capabilities: (type) => {
      for (const t of tables) {
        const hit = t.capabilities(type);
        if (hit !== undefined) return hit;
      }
      return undefined;
    },
    size: tables.reduce((n, t) => n + t.size, 0),
  };
}

/**
 * The path an alias reads for a request of `apiVersion`: the versioned path that lists it,
 * else the default path (as Azure does for versions the alias does not list, or no version).
 */
export function aliasPath(alias: AliasEntry, apiVersion: string | undefined): string {
  if (apiVersion && alias.paths) {
    const v = apiVersion.toLowerCase();
    const hit = alias.paths.find((p) => p.apiVersions.some((a) => a.toLowerCase() === v));
    if (hit) return hit.path;
  }
  return alias.defaultPath;
}

function add(index: Map<string, AliasEntry[]>, entry: AliasEntry): void {
  const key = entry.name.toLowerCase();
  const list = index.get(key);
  if (!list) index.set(key, [entry]);
  else {
    // A later definition for the same type replaces the earlier one.
    const same = list.findIndex((e) => e.resourceType.toLowerCase() === entry.resourceType.toLowerCase());
    if (same >= 0) list[same] = entry;
    else list.push(entry);
  }
}

function tableOf(index: Map<string, AliasEntry[]>, capabilities: Map<string, string>): AliasTable {
  let size = 0;
  for (const list of index.values()) size += list.length;
  return {
    resolve: (name) => index.get(name.toLowerCase())?.[0],
    entries: (name) => index.get(name.toLowerCase()) ?? [],
    capabilities: (type) => capabilities.get(type.toLowerCase()),
    size,
  };
}

function versionedPaths(v: Value | undefined): AliasVersionedPath[] {
  if (!Array.isArray(v)) return [];
  const out: AliasVersionedPath[] = [];
  for (const p of v) {
    if (!isObject(p)) continue;
    const path = str(getProperty(p, 'path'));
    const versions = getProperty(p, 'apiVersions');
    if (path && Array.isArray(versions)) out.push({ path, apiVersions: versions.filter((x): x is string => typeof x === 'string') });
  }
  return out;
}

function str(v: Value | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
