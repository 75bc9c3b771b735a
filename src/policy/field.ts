import type { Resource } from '../resources/resource.js';
import { leafName } from '../resources/resource.js';
import { getPath, getProperty, parsePath, type Value } from '../resources/value.js';
import { resolveAlias } from './aliases.js';

/**
 * How a `field` reads the resource. Compiled once per condition: the alias lookup happens at
 * compile time, evaluation only follows a path.
 */
export type FieldAccessor =
  | { kind: 'path'; field: string; path: string; read: (r: Resource) => Value | undefined }
  | { kind: 'unknown-alias'; field: string };

const LOCATION_SPACES = /\s+/g;

export function compileField(field: string): FieldAccessor {
  const lower = field.toLowerCase();
  switch (lower) {
    case 'type':
      return { kind: 'path', field, path: 'type', read: (r) => r.type };
    case 'name':
      return { kind: 'path', field, path: 'name', read: (r) => leafName(r) };
    case 'fullname':
      return { kind: 'path', field, path: 'name', read: (r) => r.name };
    case 'id':
      return { kind: 'path', field, path: 'id', read: (r) => r.id };
    case 'kind':
      return { kind: 'path', field, path: 'kind', read: (r) => getProperty(r.body, 'kind') };
    case 'location':
      // Azure Policy compares locations in their normalised form: 'East US 2' is 'eastus2'.
      return {
        kind: 'path',
        field,
        path: 'location',
        read: (r) => {
          const v = getProperty(r.body, 'location');
          return typeof v === 'string' ? v.replace(LOCATION_SPACES, '').toLowerCase() : v;
        },
      };
    case 'tags':
      return { kind: 'path', field, path: 'tags', read: (r) => getProperty(r.body, 'tags') };
    case 'identity.type':
      return { kind: 'path', field, path: 'identity.type', read: (r) => getPath(r.body, ['identity', 'type']) };
  }
  const tag = /^tags(?:\.(.+)|\[['"]?(.+?)['"]?\])$/i.exec(field);
  if (tag) {
    const name = tag[1] ?? tag[2]!;
    return { kind: 'path', field, path: `tags['${name}']`, read: (r) => getProperty(getProperty(r.body, 'tags'), name) };
  }
  const alias = resolveAlias(field);
  if (!alias) return { kind: 'unknown-alias', field };
  if (alias.defaultPath.includes('[*]')) throw new Error(`the alias '${field}' selects array members ([*]); that is not supported yet`);
  const segments = parsePath(alias.defaultPath);
  return { kind: 'path', field, path: alias.defaultPath, read: (r) => getPath(r.body, segments) };
}
