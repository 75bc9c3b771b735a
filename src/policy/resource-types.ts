import { resourceTypeEntry } from '../load/resource-type-table.js';

/**
 * Azure's resource type schemas, reduced to what policy mode Indexed asks (catalog/resource-types/,
 * read by src/load/resource-type-table.ts): per type, support `1` (tags and location in every API
 * version), `0` (in none) or the API versions that lack them.
 */
function supportOf(type: string): string | undefined {
  return resourceTypeEntry(type)?.support;
}

/**
 * Whether a resource of `type` at `apiVersion` supports tags and location, as policy mode
 * Indexed asks: true or false from the data, undefined where the data does not know the type.
 * A type whose support differs by version is decided by the request's version; a version the
 * data does not list (or none, or one known only at deployment) counts as supporting them, as
 * some version does: the resource is evaluated rather than silently skipped.
 */
export function supportsTagsAndLocation(type: string, apiVersion: string | undefined): boolean | undefined {
  const support = supportOf(type);
  if (support === undefined) return undefined;
  if (support === '0' || support === '1') return support === '1';
  return apiVersion === undefined || !support.split(' ').includes(apiVersion.toLowerCase());
}
