import { isObject, type Value } from '../resources/value.js';

// Azure Policy decides whether a definition applies to a resource before it decides compliance
// (policy-applicability, "Resource Manager modes"): for auditIfNotExists / deployIfNotExists the
// whole `if` decides ("when the if evaluates to false, the policy isn't applicable"); for every
// other effect "Azure Policy evaluates only type, name, and kind conditions in the policy rule if
// expression and treats other conditions as true (or false when negated)". A resource the
// definition does not apply to is neither compliant nor non-compliant, and is not counted.

const APPLICABILITY_FIELDS = new Set(['type', 'name', 'kind']);
const LOGICAL = new Set(['allof', 'anyof', 'not']);

/**
 * The `if` as Azure reads it for applicability: conditions on `type`, `name` and `kind` as written,
 * every other condition a constant that is true, or false under an odd number of `not`s (so that
 * the `not` around it makes it true).
 */
export function applicabilityCondition(node: Value, negated = false): Value {
  if (!isObject(node)) return node;
  const keys = Object.keys(node);
  const logical = keys.length === 1 && LOGICAL.has(keys[0]!.toLowerCase()) ? keys[0]! : undefined;
  if (logical !== undefined) {
    const inner = node[logical]!;
    if (logical.toLowerCase() === 'not') return { [logical]: applicabilityCondition(inner, !negated) };
    return { [logical]: Array.isArray(inner) ? inner.map((c) => applicabilityCondition(c, negated)) : inner };
  }
  const fieldKey = keys.find((k) => k.toLowerCase() === 'field');
  const field = fieldKey === undefined ? undefined : node[fieldKey];
  if (typeof field === 'string' && APPLICABILITY_FIELDS.has(field.toLowerCase())) return node;
  return { value: true, equals: !negated };
}
