import { leafName } from '../resources/resource.js';
import { formatPath, getProperty, isUnknown, type ObjectValue, type PathSegment, type Value } from '../resources/value.js';
import { aliasPath, builtInAliases, type AliasEntry, type AliasTable } from './aliases.js';
import { PolicyCompileError } from './errors.js';

/**
 * What a policy evaluates: a resource as Azure Policy sees it. Tollgate's `Resource` is one;
 * so is a raw resource JSON read by the conformance adapter, and a related resource of an
 * auditIfNotExists / deployIfNotExists effect.
 */
export interface PolicyTarget {
  /** Full type, e.g. `Microsoft.ApiManagement/service/backends`. */
  readonly type: string;
  /** Full name, e.g. `apim/payments` (the `fullName` field; `name` is its last segment). */
  readonly name: string;
  readonly id: string;
  readonly apiVersion?: string;
  /** The resource body: `properties`, `sku`, `location`, `tags`, … */
  readonly body: ObjectValue;
}

/** The `[*]` of an array alias: every member of the array. */
export const WILD: unique symbol = Symbol('[*]');
export type Seg = string | number | typeof WILD;

/** How a `field` reads a resource, decided once when the definition is compiled. */
export type FieldRef = ComputedField | PathField | UnknownAliasField;

/** `type`, `name`, `fullName`, `id`, `apiVersion`: not a property path of the body. */
export interface ComputedField {
  readonly kind: 'computed';
  /** The field as the definition writes it. */
  readonly field: string;
  /** The property a finding points at; absent for `id` and `apiVersion` (never in the body). */
  readonly path?: string;
  read(target: PolicyTarget): Value | undefined;
}

/** An alias, a tag, `kind`, `location`, `identity.type`, or (for raw resources) a property path. */
export interface PathField {
  readonly kind: 'path';
  readonly field: string;
  readonly alias?: AliasEntry;
  /** The default path, for `rules show` and findings. */
  readonly path: string;
  /**
   * The path in a resource of this type, for a request of its API version (versioned
   * aliases), as segments; undefined when the alias is not defined for the type (the value is
   * then absent, as in Azure).
   */
  segments(target: Pick<PolicyTarget, 'type' | 'apiVersion'>): readonly Seg[] | undefined;
  /** True when some path of the field selects array members (`[*]`). */
  readonly wildcard: boolean;
  /** Applied to the value read: `location` is compared normalised. */
  readonly normalize?: (v: Value | undefined) => Value | undefined;
}

/** An alias missing from the table: the definition cannot be evaluated where it matters. */
export interface UnknownAliasField {
  readonly kind: 'unknown-alias';
  readonly field: string;
}

export interface FieldOptions {
  aliases: AliasTable;
  /**
   * What a field that is neither built in nor an alias of the table means: `unknown-alias`
   * (Azure: only aliases name properties; Tollgate reports such a definition not applicable)
   * or `path` (a property path of the body as written, for raw resources in conformance tests).
   */
  unknownFields: 'unknown-alias' | 'path';
}

export function defaultFieldOptions(): FieldOptions {
  return { aliases: builtInAliases(), unknownFields: 'unknown-alias' };
}

const caches = new WeakMap<AliasTable, Map<string, FieldRef>>();

/** Compiles a field name; the result is cached per alias table and mode. */
export function compileField(field: string, options: FieldOptions = defaultFieldOptions()): FieldRef {
  let cache = caches.get(options.aliases);
  if (!cache) caches.set(options.aliases, (cache = new Map()));
  const key = `${options.unknownFields}\u0000${field.toLowerCase()}`;
  let ref = cache.get(key);
  if (!ref) {
    ref = resolveField(field, options);
    // The cache outlives definitions: keep it bounded (dynamic fields make arbitrary names).
    if (cache.size > 10_000) cache.clear();
    cache.set(key, ref);
  }
  return ref;
}

function resolveField(field: string, options: FieldOptions): FieldRef {
  const builtIn = builtInField(field);
  if (builtIn) return builtIn;
  const tag = tagName(field);
  if (tag !== undefined) return fixedPath(field, ['tags', tag]);
  const entries = aliasEntries(field, options.aliases);
  if (entries.length > 0) {
    const parsed = new Map<string, Seg[]>();
    for (const e of entries) for (const p of [e.defaultPath, ...(e.paths ?? []).map((v) => v.path)]) if (!parsed.has(p)) parsed.set(p, parseFieldPath(p));
    const first = entries[0]!;
    return {
      kind: 'path',
      field,
      alias: first,
      path: first.defaultPath,
      segments: (target) => {
        const entry = entryFor(entries, field, target.type);
        return entry && parsed.get(aliasPath(entry, target.apiVersion));
      },
      wildcard: [...parsed.values()].some((s) => s.includes(WILD)),
    };
  }
  if (options.unknownFields === 'path') {
    const segs = parseFieldPath(field);
    return { kind: 'path', field, path: field, segments: () => segs, wildcard: segs.includes(WILD) };
  }
  // identity.userAssignedIdentities and the like: the identity block has the same shape on every type.
  if (/^identity\.[^.[\]]+$/i.test(field)) return fixedPath(field, ['identity', field.slice('identity.'.length)]);
  return { kind: 'unknown-alias', field };
}

/**
 * The entry of an alias for a resource type: the one the table files under that type, else
 * (provider data files some child-type aliases under the parent type) the one whose name is
 * that type's. An alias of another type reads nothing on this resource, as in Azure.
 */
function entryFor(entries: readonly AliasEntry[], field: string, type: string): AliasEntry | undefined {
  const t = type.toLowerCase();
  const own = entries.find((e) => e.resourceType.toLowerCase() === t);
  if (own) return own;
  const name = field.toLowerCase();
  return name.startsWith(`${t}/`) && !name.slice(t.length + 1).includes('/') ? entries[0] : undefined;
}

/**
 * The entries of an alias. An array alias without `[*]` (`…/ipRules`) that the table lacks is
 * the array its `[*]` alias (`…/ipRules[*]`) iterates: its path without the trailing `[*]`.
 */
function aliasEntries(field: string, table: AliasTable): readonly AliasEntry[] {
  const direct = table.entries(field);
  if (direct.length > 0 || /\[\s*\*\s*\]$/.test(field)) return direct;
  const strip = (p: string) => (p.endsWith('[*]') ? p.slice(0, -3) : undefined);
  return table.entries(`${field}[*]`).flatMap((e) => {
    const defaultPath = strip(e.defaultPath);
    if (defaultPath === undefined) return [];
    const paths = (e.paths ?? []).flatMap((v) => {
      const path = strip(v.path);
      return path === undefined ? [] : [{ path, apiVersions: v.apiVersions }];
    });
    return [{ name: field, resourceType: e.resourceType, defaultPath, ...(paths.length ? { paths } : {}) }];
  });
}

/** The fields every resource has, named in the policy language rather than by alias. */
function builtInField(field: string): FieldRef | undefined {
  const computed = (path: string | undefined, read: (t: PolicyTarget) => Value | undefined): ComputedField => ({ kind: 'computed', field, path, read });
  switch (field.toLowerCase()) {
    case 'type':
      return computed('type', (t) => t.type);
    case 'name':
      // Azure Policy's `name` is the last segment; `fullName` is the whole nested name.
      return computed('name', (t) => leafName(t));
    case 'fullname':
      return computed('name', (t) => t.name);
    case 'id':
      return computed(undefined, (t) => t.id);
    case 'apiversion':
      return computed(undefined, (t) => t.apiVersion);
    case 'kind':
      return fixedPath(field, ['kind']);
    case 'location':
      // Locations are compared in normalised form: 'East US 2' is 'eastus2'.
      return fixedPath(field, ['location'], normaliseLocation);
    case 'tags':
      return fixedPath(field, ['tags']);
    case 'identity.type':
      return fixedPath(field, ['identity', 'type']);
    default:
      return undefined;
  }
}

function fixedPath(field: string, segs: string[], normalize?: (v: Value | undefined) => Value | undefined): PathField {
  return { kind: 'path', field, path: formatPath(segs), segments: () => segs, wildcard: false, normalize };
}

const WHITESPACE = /\s+/g;

function normaliseLocation(v: Value | undefined): Value | undefined {
  return typeof v === 'string' ? v.replace(WHITESPACE, '').toLowerCase() : v;
}

/**
 * The tag a field names, in every syntax the language has: `tags.env`, `tags['env']`,
 * `tags['it''s']` (a quote doubled), `tags["env"]`, `tags[env]`. An empty name (`tags[]`,
 * `tags.`, what `[concat('tags[', parameters('tagName'), ']')]` gives for an empty tagName) is
 * still a tag field, of a tag no resource has (a tag name cannot be empty): absent, not an
 * unknown alias that would leave every resource undecided.
 */
function tagName(field: string): string | undefined {
  const m = /^tags(?:\.(.*)|\[\s*'(.*)'\s*\]|\[\s*"(.*)"\s*\]|\[([^\]'"*]*)\])$/is.exec(field);
  if (!m) return undefined;
  if (m[2] !== undefined) return m[2].replace(/''/g, "'");
  return m[1] ?? m[3] ?? m[4]!;
}

/**
 * Parses a property path of the policy language: `properties.a.b`, `a[0]`, `a[*].b`,
 * `a['key.with.dots']`, `a["k"]`. Throws PolicyCompileError on an unclosed bracket.
 */
export function parseFieldPath(path: string): Seg[] {
  const out: Seg[] = [];
  let current = '';
  let i = 0;
  const flush = () => {
    if (current) out.push(current);
    current = '';
  };
  while (i < path.length) {
    const ch = path[i]!;
    if (ch === '.') {
      flush();
      i++;
    } else if (ch === '[') {
      flush();
      const quote = path[i + 1];
      if (quote === "'" || quote === '"') {
        // A quoted key may contain ']' and '.'; a doubled quote is a quote.
        let j = i + 2;
        let key = '';
        for (;;) {
          if (j >= path.length) throw new PolicyCompileError(`unclosed quote in the field path '${path}'`);
          if (path[j] === quote) {
            if (path[j + 1] === quote) {
              key += quote;
              j += 2;
              continue;
            }
            break;
          }
          key += path[j];
          j++;
        }
        if (path[j + 1] !== ']') throw new PolicyCompileError(`expected ']' after a quoted key in the field path '${path}'`);
        out.push(key);
        i = j + 2;
      } else {
        const close = path.indexOf(']', i);
        if (close < 0) throw new PolicyCompileError(`unclosed '[' in the field path '${path}'`);
        const inner = path.slice(i + 1, close).trim();
        if (inner === '*') out.push(WILD);
        else if (/^\d+$/.test(inner)) out.push(Number(inner));
        else out.push(inner);
        i = close + 1;
      }
    } else {
      current += ch;
      i++;
    }
  }
  flush();
  return out;
}

/** One step into a value with ARM's case-insensitive lookup; an Unknown stays Unknown. */
export function stepInto(cur: Value | undefined, seg: string | number): Value | undefined {
  if (cur === undefined || isUnknown(cur)) return cur;
  if (typeof seg === 'number') return Array.isArray(cur) ? cur[seg] : undefined;
  return getProperty(cur, seg);
}

/** Renders concrete segments as a path a finding can point at (`properties.a[2].b`). */
export function showPath(segs: readonly PathSegment[]): string {
  return formatPath(segs);
}
