import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import { packageRoot } from '../package-root.js';

/**
 * Azure's resource types from their schemas (catalog/resource-types/indexed.tsv.gz, built by
 * scripts/build-resource-types.mjs): one line per type, `<type>\t<support>[\t<casings>]`, the type
 * in the casing of the newest API version's schema, and `<version>=<type>` for the versions whose
 * schema spells it otherwise. Policy mode Indexed reads the support column; Bicep lowering reads the
 * casing. Kept as text: a lookup finds its line in a lower-cased copy of the table, which costs
 * less than parsing 3,400 entries to answer the few types a scan meets.
 */
let text: string | undefined;
let lower: string | undefined;
interface Entry {
  type: string;
  support: string;
  /** API version -> the type as that version spells it, where it differs from `type`. */
  casings?: Map<string, string>;
}
// Answers by lower-cased type, misses included. The types come from the scanned files, so the map
// is capped: the table has about 3,400 types and a scan meets a few dozen; 10,000 answers is more
// than every real type, and only junk input reaches it (then it starts again rather than grow).
const answers = new Map<string, Entry | null>();
const MAX_ANSWERS = 10_000;

/** The table's line for `type` (any casing): the type as the schemas spell it, and its support column. */
export function resourceTypeEntry(type: string): Entry | undefined {
  const key = type.toLowerCase();
  let found = answers.get(key);
  if (found === undefined) {
    // Read on first use only: a scan that never asks never pays for it.
    text ??= gunzipSync(readFileSync(path.join(packageRoot(), 'catalog', 'resource-types', 'indexed.tsv.gz'))).toString('utf8');
    // Type names are ASCII, so the lower-cased copy has the same offsets as the table.
    lower ??= text.toLowerCase();
    // Every line follows a newline (the file starts with a header line).
    const at = lower.indexOf(`\n${key}\t`);
    if (at < 0) found = null;
    else {
      const [name = '', support = '', casings] = text.slice(at + 1, text.indexOf('\n', at + 1)).split('\t');
      found = { type: name, support };
      if (casings) found.casings = new Map(casings.split(' ').map((c) => c.split('=') as [string, string]));
    }
    if (answers.size >= MAX_ANSWERS) answers.clear();
    answers.set(key, found);
  }
  return found ?? undefined;
}

/**
 * `type` in the casing of Azure's schema for `apiVersion`, which is what the Bicep compiler writes
 * in `type` and in `resourceId()` whatever the author wrote (`Microsoft.Network/publicIpAddresses`
 * -> `Microsoft.Network/publicIPAddresses`). A type the table does not know is kept as written.
 */
export function canonicalResourceType(type: string, apiVersion: string): string {
  const entry = resourceTypeEntry(type);
  if (!entry) return type;
  return entry.casings?.get(apiVersion) ?? entry.type;
}
