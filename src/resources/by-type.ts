import type { Resource } from './resource.js';

// One index per list of resources (a scan unit's), built on first use. Rules that look for
// related resources ran a linear search of the whole unit per resource: quadratic, and the
// largest cost of a 10,000-resource scan.
const indexes = new WeakMap<readonly Resource[], { length: number; byType: Map<string, Resource[]> }>();

/** The resources of `all` whose type is `type` (ignoring case), in their order in `all`. */
export function resourcesOfType(all: readonly Resource[], type: string): readonly Resource[] {
  let index = indexes.get(all);
  // A list that grew since (lists are filled before rules run, but be safe) is indexed again.
  if (!index || index.length !== all.length) {
    const byType = new Map<string, Resource[]>();
    for (const r of all) {
      const key = r.type.toLowerCase();
      const list = byType.get(key);
      if (list) list.push(r);
      else byType.set(key, [r]);
    }
    index = { length: all.length, byType };
    indexes.set(all, index);
  }
  return index.byType.get(type.toLowerCase()) ?? [];
}
