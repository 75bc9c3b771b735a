import type { Resource } from '../resources/resource.js';
import { leafName } from '../resources/resource.js';
import { formatPath, getPath, getProperty, parsePath, type Value } from '../resources/value.js';
import { resolveAlias, type AliasEntry } from './aliases.js';
import { PolicyCompileError } from './errors.js';

/**
 * How a `field` reads a resource, decided once when the definition is compiled: the alias
 * lookup happens then, evaluation only follows a path.
 */
export type FieldAccessor =
  | {
      kind: 'known';
      /** The field as the definition writes it. */
      field: string;
      /** The property in the resource body a finding points at; absent for `id` (never written). */
      path?: string;
      alias?: AliasEntry;
      read(resource: Resource): Value | undefined;
    }
  /** An alias missing from Tollgate's table: the definition cannot be evaluated where it matters. */
  | { kind: 'unknown-alias'; field: string };

const WHITESPACE = /\s+/g;

export function compileField(field: string): FieldAccessor {
  const builtIn = builtInField(field);
  if (builtIn) return builtIn;
  const tag = /^tags(?:\.(.+)|\[\s*'(.+)'\s*\]|\[\s*"(.+)"\s*\]|\[([^\]'"]+)\])$/i.exec(field);
  if (tag) {
    const name = tag[1] ?? tag[2] ?? tag[3] ?? tag[4]!;
    return { kind: 'known', field, path: formatPath(['tags', name]), read: (r) => getProperty(getProperty(r.body, 'tags'), name) };
  }
  const alias = resolveAlias(field);
  if (!alias) return { kind: 'unknown-alias', field };
  if (alias.defaultPath.includes('[*]') || field.includes('[*]')) {
    throw new PolicyCompileError(`the alias '${field}' selects array members ([*]), which is not yet supported`);
  }
  const segments = parsePath(alias.defaultPath);
  return { kind: 'known', field, path: alias.defaultPath, alias, read: (r) => getPath(r.body, segments) };
}

/** The fields every resource has, named in the policy language rather than by alias. */
function builtInField(field: string): FieldAccessor | undefined {
  const known = (path: string | undefined, read: (r: Resource) => Value | undefined): FieldAccessor => ({ kind: 'known', field, path, read });
  switch (field.toLowerCase()) {
    case 'type':
      return known('type', (r) => r.type);
    case 'name':
      // Azure Policy's `name` is the last segment; `fullName` is the whole nested name.
      return known('name', (r) => leafName(r));
    case 'fullname':
      return known('name', (r) => r.name);
    case 'id':
      return known(undefined, (r) => r.id);
    case 'kind':
      return known('kind', (r) => getProperty(r.body, 'kind'));
    case 'location':
      // Locations are compared in normalised form: 'East US 2' is 'eastus2'.
      return known('location', (r) => {
        const v = getProperty(r.body, 'location');
        return typeof v === 'string' ? v.replace(WHITESPACE, '').toLowerCase() : v;
      });
    case 'tags':
      return known('tags', (r) => getProperty(r.body, 'tags'));
    case 'identity.type':
      return known('identity.type', (r) => getPath(r.body, ['identity', 'type']));
    default:
      return undefined;
  }
}
