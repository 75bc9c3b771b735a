import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { nodeValue } from '../load/json-document.js';
import { parseJson } from '../load/json-parser.js';
import type { Sandbox } from '../load/sandbox.js';

/**
 * Registry (`br:`) and template-spec (`ts:`) modules, offline. A scan never downloads: it reads
 * the files `bicep restore` already put in Bicep's module cache, or a local mirror folder the
 * user names (`bicep.moduleCache` in tollgate.yaml), or a vendored `_external/<name>/` copy.
 *
 * Bicep's cache layout (cache root `~/.bicep`, or bicepconfig.json's `cacheRootDirectory`):
 * - `br:<registry>/<repository>:<tag>` -> `<root>/br/<registry>/<repository, / as $>/<tag>$/main.json`
 *   (`@sha256:<hex>` digests -> `sha256#<hex>`); e.g. `~/.bicep/br/mcr.microsoft.com/bicep$avm$res$x$y/0.1.3$/main.json`
 *   as Bicep itself names it in error messages (Azure/bicep issue 14946; the cache root in issue 10335);
 * - `ts:<subscription>/<group>/<name>:<version>` -> `<root>/ts/<subscription>/<group>/<name>/<version>/main.json`, lower case.
 * Aliases (`br/<alias>:…`, `ts/<alias>:…`) come from the nearest bicepconfig.json's `moduleAliases`,
 * on top of Bicep's built-in `br/public` (registry `mcr.microsoft.com`, module path `bicep`).
 */

/** Where a registry module is, or why it is not found (with the fix). */
export type RegistryResolution = { ok: true; path: string } | { ok: false; reason: string };

/** A parsed module reference: an OCI artifact or a template spec. */
type Reference =
  | { kind: 'br'; registry: string; repository: string; tag?: string; digest?: string }
  | { kind: 'ts'; subscription: string; resourceGroup: string; name: string; version: string };

interface BicepConfig {
  /** The file it came from, for messages. */
  file?: string;
  cacheRoot?: string;
  br: Record<string, { registry?: string; modulePath?: string }>;
  ts: Record<string, { subscription?: string; resourceGroup?: string }>;
}

const BUILT_IN_BR = { public: { registry: 'mcr.microsoft.com', modulePath: 'bicep' } };

/** bicepconfig.json per folder, and resolutions per folder and reference, per sandbox (one scan). */
const configsBySandbox = new WeakMap<Sandbox, Map<string, BicepConfig>>();
const resolutionsBySandbox = new WeakMap<Sandbox, Map<string, RegistryResolution>>();

export function isRegistryReference(spec: string): boolean {
  return /^(br[:/]|ts[:/])/.test(spec);
}

/** Finds a registry or template-spec module used by the Bicep file `fromAbsPath`. */
export function resolveRegistryModule(spec: string, fromAbsPath: string, sandbox: Sandbox): RegistryResolution {
  let cache = resolutionsBySandbox.get(sandbox);
  if (!cache) resolutionsBySandbox.set(sandbox, (cache = new Map()));
  const key = `${path.dirname(fromAbsPath)}\0${spec}`;
  let result = cache.get(key);
  if (!result) cache.set(key, (result = resolve(spec, fromAbsPath, sandbox)));
  return result;
}

function resolve(spec: string, fromAbsPath: string, sandbox: Sandbox): RegistryResolution {
  const config = bicepConfig(path.dirname(fromAbsPath), sandbox);
  const ref = parseReference(spec, config);
  if (typeof ref === 'string') return { ok: false, reason: ref };
  // A place looked at and found empty is a dependency too: a module restored later resolves there.
  const found = (p: string) => {
    if (existsSync(p)) return sandbox.check(p).ok;
    sandbox.noteAbsent(p);
    return false;
  };
  const mirror = sandbox.moduleMirror;
  const mirrorForms = mirror ? mirrorPaths(ref).map((f) => path.join(mirror, ...f.split('/'))) : [];
  const version = ref.kind === 'br' ? (ref.tag ?? ref.digest ?? '') : ref.version;
  // An exact version first (the mirror's `<module>/<version>/`, then Bicep's cache), then any
  // version: a checkout of the module's repository, then a copy vendored next to the files.
  for (const dir of mirrorForms) {
    for (const file of ['main.bicep', 'main.json']) if (found(path.join(dir, version, file))) return { ok: true, path: path.join(dir, version, file) };
  }
  const cacheRoot = config.cacheRoot ?? sandbox.bicepCacheRoot;
  if (cacheRoot) {
    if (config.cacheRoot) sandbox.allowBicepCache(config.cacheRoot);
    const cached = cachePath(ref, cacheRoot, sandbox);
    if (cached && found(cached)) return { ok: true, path: cached };
  }
  for (const dir of mirrorForms) {
    for (const file of ['main.bicep', 'main.json']) if (found(path.join(dir, file))) return { ok: true, path: path.join(dir, file) };
  }
  const name = ref.kind === 'br' ? ref.repository.split('/').pop()! : ref.name;
  for (let dir = path.dirname(fromAbsPath); ; dir = path.dirname(dir)) {
    for (const file of ['main.bicep', 'main.json']) {
      const candidate = path.join(dir, '_external', name, file);
      if (found(candidate)) return { ok: true, path: candidate };
    }
    if (path.dirname(dir) === dir) break;
  }
  const where = cacheRoot ? `Bicep's module cache ${cacheRoot}` : "Bicep's module cache";
  const fix = ref.kind === 'br' ? 'run `bicep restore` on the file to fill the cache' : 'run `bicep restore` on the file (template specs are cached too)';
  const places = `${where}${mirror ? ` nor in the module mirror ${mirror}` : ''}`;
  return { ok: false, reason: `it is neither in ${places}: ${fix}, or set bicep.moduleCache in tollgate.yaml to a folder holding it` };
}

/** `br:…`, `br/<alias>:…`, `ts:…`, `ts/<alias>:…` as a registry reference, or why it is not one. */
function parseReference(spec: string, config: BicepConfig): Reference | string {
  const configName = config.file ?? 'bicepconfig.json (none found)';
  if (spec.startsWith('br')) {
    let body: string;
    let registry: string;
    if (spec.startsWith('br:')) {
      const rest = spec.slice(3);
      const slash = rest.indexOf('/');
      if (slash <= 0) return `'${spec}' names no registry`;
      registry = rest.slice(0, slash);
      body = rest.slice(slash + 1);
    } else {
      const colon = spec.indexOf(':');
      const alias = spec.slice(3, colon < 0 ? undefined : colon);
      const settings = config.br[alias];
      if (colon < 0 || !settings?.registry) return `the module alias 'br/${alias}' is not defined in moduleAliases of ${configName}`;
      registry = settings.registry;
      body = (settings.modulePath ? `${settings.modulePath.replace(/^\/+|\/+$/g, '')}/` : '') + spec.slice(colon + 1);
    }
    const at = body.lastIndexOf('@');
    if (at > 0) return { kind: 'br', registry, repository: body.slice(0, at), digest: body.slice(at + 1) };
    const colon = body.lastIndexOf(':');
    if (colon <= 0) return `'${spec}' has no tag or digest`;
    return { kind: 'br', registry, repository: body.slice(0, colon), tag: body.slice(colon + 1) };
  }
  // Template specs: `ts:<subscription>/<group>/<name>:<version>`, or through an alias that fixes the subscription (and group).
  let subscription: string | undefined;
  let resourceGroup: string | undefined;
  let body: string;
  if (spec.startsWith('ts:')) {
    body = spec.slice(3);
  } else {
    const colon = spec.indexOf(':');
    const alias = spec.slice(3, colon < 0 ? undefined : colon);
    const settings = config.ts[alias];
    if (colon < 0 || !settings?.subscription) return `the module alias 'ts/${alias}' is not defined in moduleAliases of ${configName}`;
    subscription = settings.subscription;
    resourceGroup = settings.resourceGroup;
    body = spec.slice(colon + 1);
  }
  const colon = body.lastIndexOf(':');
  if (colon <= 0) return `'${spec}' has no version`;
  const parts = body.slice(0, colon).split('/');
  const expected = (subscription ? 0 : 1) + (resourceGroup ? 0 : 1) + 1;
  if (parts.length !== expected || parts.some((p) => p === '')) return `'${spec}' is not <subscription>/<resource group>/<name>:<version>`;
  if (!subscription) subscription = parts.shift()!;
  if (!resourceGroup) resourceGroup = parts.shift()!;
  return { kind: 'ts', subscription, resourceGroup, name: parts[0]!, version: body.slice(colon + 1) };
}

/** The file `bicep restore` writes for a reference under the cache root. */
function cachePath(ref: Reference, root: string, sandbox: Sandbox): string | undefined {
  if (ref.kind === 'ts') {
    return path.join(root, 'ts', ...[ref.subscription, ref.resourceGroup, ref.name, ref.version].map((s) => s.toLowerCase()), 'main.json');
  }
  const repository = ref.repository.replace(/\//g, '$');
  // A registry with a port (`localhost:5000`) is kept as written, or percent-encoded where `:` cannot be in a name.
  for (const registry of new Set([ref.registry, encodeURIComponent(ref.registry)])) {
    const dir = path.join(root, 'br', registry, repository);
    const leaf = ref.digest ? ref.digest.replace(':', '#') : tagFolder(dir, ref.tag!);
    if (leaf && existsSync(path.join(dir, leaf, 'main.json'))) return path.join(dir, leaf, 'main.json');
    if (leaf) sandbox.noteAbsent(path.join(dir, leaf, 'main.json'));
  }
  return undefined;
}

/**
 * The folder of a tag: `<tag>$` for a lower-case tag. Bicep keeps tags that differ only in case
 * apart (file systems may not) by a suffix after the `$`; such a tag is found by its lower-case
 * prefix when exactly one folder has it.
 */
function tagFolder(dir: string, tag: string): string | undefined {
  if (tag === tag.toLowerCase()) return `${tag}$`;
  const prefix = `${tag.toLowerCase()}$`;
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.startsWith(prefix) && n.length > prefix.length);
  } catch {
    return undefined;
  }
  return names.length === 1 ? names[0] : undefined;
}

/**
 * Where a module may be in a mirror folder: `<registry>/<repository>`, `<repository>`, and for the
 * public registry the path without `bicep/` (`avm/res/x/y`), which is where a checkout of
 * Azure/bicep-registry-modules holds it. Template specs: `<subscription>/<group>/<name>` or `<name>`.
 */
function mirrorPaths(ref: Reference): string[] {
  if (ref.kind === 'ts') return [`${ref.subscription}/${ref.resourceGroup}/${ref.name}`, ref.name];
  const forms = [`${ref.registry}/${ref.repository}`, ref.repository];
  if (ref.registry === 'mcr.microsoft.com' && ref.repository.startsWith('bicep/')) forms.push(ref.repository.slice('bicep/'.length));
  return forms.filter((f) => !f.split('/').some((s) => s === '..' || s === '.' || s === ''));
}

/**
 * The bicepconfig.json that applies to a folder (the nearest at or above it, read through the
 * sandbox), merged over Bicep's defaults. A file that is not valid JSON is ignored, as if absent.
 */
function bicepConfig(folder: string, sandbox: Sandbox): BicepConfig {
  let cache = configsBySandbox.get(sandbox);
  if (!cache) configsBySandbox.set(sandbox, (cache = new Map()));
  const known = cache.get(folder);
  if (known) return known;
  let config: BicepConfig;
  const file = path.join(folder, 'bicepconfig.json');
  const exists = existsSync(file);
  if (!exists) sandbox.noteAbsent(file);
  const read = exists ? sandbox.readText(file) : undefined;
  const parsed = read?.ok ? parseConfig(read.value, file) : undefined;
  if (parsed) config = parsed;
  else if (path.dirname(folder) === folder) config = { br: { ...BUILT_IN_BR }, ts: {} };
  else config = bicepConfig(path.dirname(folder), sandbox);
  cache.set(folder, config);
  return config;
}

function parseConfig(text: string, file: string): BicepConfig | undefined {
  let value: unknown;
  try {
    value = nodeValue(parseJson(text));
  } catch {
    return undefined;
  }
  const v = (value ?? {}) as { cacheRootDirectory?: unknown; moduleAliases?: { br?: unknown; ts?: unknown } };
  const record = (x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? (x as Record<string, never>) : {});
  const config: BicepConfig = { file, br: { ...BUILT_IN_BR, ...record(v.moduleAliases?.br) }, ts: { ...record(v.moduleAliases?.ts) } };
  if (typeof v.cacheRootDirectory === 'string' && v.cacheRootDirectory !== '') {
    const dir = v.cacheRootDirectory.replace(/^~(?=$|[\\/])/, homedir());
    config.cacheRoot = path.resolve(path.dirname(file), dir);
  }
  return config;
}
