import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../package-root.js';
import { getProperty, isObject, type Value } from '../resources/value.js';

export interface ControlRef {
  initiative: string;
  initiativeId: string;
  /** The group name as the initiative writes it, e.g. `Azure_Security_Benchmark_v3.0_IM-4`. */
  control: string;
  /** The short form people say: `IM-4`, `23.4.10.C.01`, `U.10.5`. */
  shortId: string;
  category?: string;
  description?: string;
  /** The control's policyMetadata resource, where Azure keeps its full text (not shipped). */
  metadataId?: string;
}

interface InitiativeIndex {
  byDefinition: Map<string, ControlRef[]>;
}

let index: InitiativeIndex | undefined;

/**
 * The framework controls that reference a definition, from the initiatives shipped in
 * catalog/initiatives/. Read only when asked (`rules show`, compliance reports), never on a
 * plain scan: the files are large.
 */
export function controlsFor(definitionName: string): ControlRef[] {
  index ??= buildIndex();
  return index.byDefinition.get(definitionName.toLowerCase()) ?? [];
}

/** Whether the initiatives have been read: a plain scan must never pay for it. */
export function initiativesLoaded(): boolean {
  return index !== undefined;
}

function buildIndex(): InitiativeIndex {
  const dir = path.join(packageRoot(), 'catalog', 'initiatives');
  const byDefinition = new Map<string, ControlRef[]>();
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const json = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Value;
    const props = getProperty(json, 'properties') ?? json;
    const initiative = String(getProperty(props, 'displayName') ?? file);
    const initiativeId = String(getProperty(json, 'name') ?? file);
    const groups = new Map<string, Value>();
    const groupList = getProperty(props, 'policyDefinitionGroups');
    for (const g of Array.isArray(groupList) ? groupList : []) {
      const name = getProperty(g, 'name');
      if (typeof name === 'string') groups.set(name.toLowerCase(), g);
    }
    const refs = getProperty(props, 'policyDefinitions');
    for (const ref of Array.isArray(refs) ? refs : []) {
      const id = getProperty(ref, 'policyDefinitionId');
      if (typeof id !== 'string') continue;
      const definition = id.split('/').pop()!.toLowerCase();
      const names = getProperty(ref, 'groupNames');
      for (const control of Array.isArray(names) ? names : []) {
        if (typeof control !== 'string') continue;
        const group = groups.get(control.toLowerCase());
        const list = byDefinition.get(definition) ?? [];
        // An initiative may reference a definition twice (with different parameters) under one control.
        if (list.some((c) => c.initiativeId === initiativeId && c.control === control)) continue;
        list.push({
          initiative,
          initiativeId,
          control,
          shortId: shortControlId(control),
          category: str(isObject(group) ? getProperty(group, 'category') : undefined),
          description: str(isObject(group) ? getProperty(group, 'description') : undefined),
          metadataId: str(isObject(group) ? getProperty(group, 'additionalMetadataId') : undefined),
        });
        byDefinition.set(definition, list);
      }
    }
  }
  return { byDefinition };
}

/** `Azure_Security_Benchmark_v3.0_IM-4` -> `IM-4`; `U.10.5 - Competent` -> `U.10.5`. */
export function shortControlId(group: string): string {
  const dash = group.indexOf(' - ');
  if (dash > 0) return group.slice(0, dash);
  const underscore = group.lastIndexOf('_');
  return underscore >= 0 ? group.slice(underscore + 1) : group;
}

function str(v: Value | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
