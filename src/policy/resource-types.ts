import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import { packageRoot } from '../package-root.js';

/**
 * Azure's resource type schemas, reduced to what policy mode Indexed asks (catalog/resource-types/,
 * built by scripts/build-resource-types.mjs): one line per type, `<type in lower case>\t<support>`,
 * support `1` (tags and location in every API version), `0` (in none) or the API versions that
 * lack them. Kept as text: a lookup finds its line in the unzipped table, which costs less than
 * parsing 3,400 entries to answer the few types a scan meets.
 */
let text: string | undefined;
const answers = new Map<string, string | null>();

function supportOf(type: string): string | undefined {
  const key = type.toLowerCase();
  let found = answers.get(key);
  if (found === undefined) {
    // Read on first use only: a scan with no Indexed definition never pays for it.
    text ??= gunzipSync(readFileSync(path.join(packageRoot(), 'catalog', 'resource-types', 'indexed.tsv.gz'))).toString('utf8');
    // Every line follows a newline (the file starts with a header line).
    const at = text.indexOf(`\n${key}\t`);
    found = at < 0 ? null : text.slice(at + key.length + 2, text.indexOf('\n', at + 1));
    answers.set(key, found);
  }
  return found ?? undefined;
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
