import { builtInDefinition, builtInDefinitionRecords, type BuiltInRecord } from './builtin-catalog.js';
import type { PolicyDefinition } from './definition.js';
import { deferredPolicyRule, type PolicyRule } from './policy-rule.js';

/** One definition of the built-in catalog, as a rule at its default parameter values where it can be one. */
export interface CatalogEntry {
  record: BuiltInRecord;
  definition?: PolicyDefinition;
  rule?: PolicyRule;
  /** Why there is no rule: the JSON is not a definition, or its effect or mode cannot be used. */
  problem?: string;
}

let entries: CatalogEntry[] | undefined;

/**
 * Every built-in definition (3,594 for the public cloud), each as a rule that compiles on first
 * use: listing and filtering the catalog reads metadata only.
 */
export function builtInCatalog(): readonly CatalogEntry[] {
  if (entries) return entries;
  entries = builtInDefinitionRecords().map((record) => {
    let definition: PolicyDefinition | undefined;
    try {
      definition = builtInDefinition(record.name);
      return { record, definition, rule: deferredPolicyRule(definition!, { source: record.shown }) };
    } catch (err) {
      return { record, ...(definition ? { definition } : {}), problem: (err as Error).message };
    }
  });
  return entries;
}

/** Does a rule name `query` among the types it applies to: a full type, or a namespace (`Microsoft.Storage`) or a parent type it is under? Case-insensitive. */
export function appliesToType(appliesTo: readonly string[], query: string): boolean {
  const q = query.toLowerCase().replace(/\/+$/, '');
  return appliesTo.some((t) => {
    const type = t.toLowerCase();
    return type === q || type.startsWith(`${q}/`);
  });
}
