import { isObject, type Value } from '../resources/value.js';

/**
 * The resource types a policy rule's `if` can match, read from the JSON without compiling it:
 * `field: type` compared with `equals` or `in` over literal names, combined as allOf (every
 * constrained part must hold: the types all of them allow) and anyOf (only when every branch
 * is constrained: their union). Anything else constrains nothing. Empty = no constraint: the
 * rule meets every resource. This never narrows more than the compiled condition's own
 * `types()` (parameters, `like` and `not` constrain nothing here), so indexing a rule by it
 * before compiling never hides a resource the rule could match.
 */
export function ruleTypes(condition: Value | undefined): string[] {
  if (!isObject(condition)) return [];
  const entries = Object.entries(condition);
  const get = (name: string) => entries.find(([k]) => k.toLowerCase() === name)?.[1];
  const allOf = get('allof');
  if (Array.isArray(allOf)) {
    const constrained = allOf.map(ruleTypes).filter((t) => t.length > 0);
    return constrained.length ? intersect(constrained) : [];
  }
  const anyOf = get('anyof');
  if (Array.isArray(anyOf)) {
    const each = anyOf.map(ruleTypes);
    return each.length > 0 && each.every((t) => t.length > 0) ? unique(each.flat()) : [];
  }
  const field = get('field');
  if (typeof field !== 'string' || field.toLowerCase() !== 'type' || get('count') !== undefined) return [];
  const equals = get('equals');
  if (typeof equals === 'string' && !equals.startsWith('[')) return [equals];
  const list = get('in');
  if (Array.isArray(list) && list.length > 0 && list.every((e) => typeof e === 'string' && !e.startsWith('['))) return unique(list as string[]);
  return [];
}

/** Type names without repeats (case-insensitive), keeping the first spelling; shared with the compiled conditions. */
export function unique(types: string[]): string[] {
  const seen = new Set<string>();
  return types.filter((t) => !seen.has(t.toLowerCase()) && seen.add(t.toLowerCase()));
}

/** Types allowed by every constraint (case-insensitive), keeping the first spelling. */
export function intersect(lists: string[][]): string[] {
  const [first, ...rest] = lists;
  return unique(first!.filter((t) => rest.every((l) => l.some((u) => u.toLowerCase() === t.toLowerCase()))));
}
