import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../package-root.js';

export interface AliasEntry {
  /** The alias as written in the table, e.g. `Microsoft.ApiManagement/service/backends/tls.validateCertificateChain`. */
  name: string;
  resourceType: string;
  /** Where the value lives in the resource body, e.g. `properties.tls.validateCertificateChain`. */
  defaultPath: string;
}

interface AliasFile {
  source: string;
  count: number;
  types: Record<string, Record<string, string>>;
}

let index: Map<string, AliasEntry> | undefined;

/**
 * The alias registry, from Azure's own alias dump (catalog/aliases/). Aliases are resolved
 * from data only: an alias that is not in the table is unknown, never derived from its name.
 */
function aliases(): Map<string, AliasEntry> {
  if (index) return index;
  const file = JSON.parse(readFileSync(path.join(packageRoot(), 'catalog', 'aliases', 'microsoft.apimanagement.json'), 'utf8')) as AliasFile;
  index = new Map();
  for (const [resourceType, entries] of Object.entries(file.types)) {
    for (const [suffix, defaultPath] of Object.entries(entries)) {
      const name = `${resourceType}/${suffix}`;
      index.set(name.toLowerCase(), { name, resourceType, defaultPath });
    }
  }
  return index;
}

/** Alias names are case-insensitive, as in Azure Policy. */
export function resolveAlias(name: string): AliasEntry | undefined {
  return aliases().get(name.toLowerCase());
}

export function aliasCount(): number {
  return aliases().size;
}
