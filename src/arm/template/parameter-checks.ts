import { childNode, nodeValue, type JsonDocument, type JsonNode } from '../../load/json-document.js';
import { isObject, isUnknown, type Value } from '../../resources/value.js';
import { deepEquals } from '../functions/comparison.js';
import type { NodeScope } from './node-scope.js';

// A Map, not an object literal: the type is the template's text, and a type such as `__proto__`
// or `constructor` must find nothing rather than a member of Object.prototype.
const TYPE_CHECKS = new Map<string, (v: Value) => boolean>([
  ['string', (v) => typeof v === 'string'],
  ['securestring', (v) => typeof v === 'string'],
  ['int', (v) => typeof v === 'number'],
  ['bool', (v) => typeof v === 'boolean'],
  ['object', (v) => isObject(v)],
  ['secureobject', (v) => isObject(v)],
  ['array', (v) => Array.isArray(v)],
]);

/**
 * Checks a parameter's value against its declaration the way ARM does before deploying:
 * type, `allowedValues` (each item, for arrays), `minValue`/`maxValue`, `minLength`/`maxLength`.
 * A violation is an error diagnostic at the value (ARM would refuse the deployment); the value
 * is still used so the rest of the template is checked.
 */
export function checkParameterValue(
  scope: NodeScope,
  name: string,
  declared: JsonNode,
  value: Value,
  at: JsonNode | undefined,
  inFile: JsonDocument = scope.template,
): Value {
  if (isUnknown(value) || value === null) return value;
  const decl = resolveType(declared, scope.root);
  const [where, file] = at ? [at, inFile.file] : [declared, scope.template.file];
  const fail = (message: string) =>
    scope.diagnostics.push({
      severity: 'error',
      code: 'parameter-value',
      message: `parameter '${name}': ${message}`,
      file: file.path,
      location: file.locationOf(where.offset, where.length),
    });
  const type = String(childNode(decl, 'type')?.value ?? '').toLowerCase();
  const typeCheck = TYPE_CHECKS.get(type);
  if (typeCheck && !typeCheck(value)) {
    fail(`expected a value of type ${type}, got ${JSON.stringify(value)?.slice(0, 60)}`);
    return value;
  }
  const allowedNode = childNode(decl, 'allowedValues');
  const allowed = allowedNode?.type === 'array' ? (nodeValue(allowedNode) as Value[]) : undefined;
  if (allowed) {
    // For an array parameter, every item must be allowed; ARM compares strings ignoring case.
    const items = Array.isArray(value) && !allowed.some((a) => Array.isArray(a)) ? value : [value];
    const bad = items.find((item) => !allowed.some((a) => sameAllowed(a, item)));
    if (bad !== undefined) fail(`${JSON.stringify(bad)} is not one of the allowed values ${JSON.stringify(allowed)}`);
  }
  // Only the bounds that apply to the value are looked up (most values are objects, which have none).
  const bound = (key: string) => {
    const v = childNode(decl, key)?.value;
    return typeof v === 'number' ? v : undefined;
  };
  if (typeof value === 'number') {
    const [minValue, maxValue] = [bound('minValue'), bound('maxValue')];
    if (minValue !== undefined && value < minValue) fail(`${value} is less than the minimum ${minValue}`);
    if (maxValue !== undefined && value > maxValue) fail(`${value} is more than the maximum ${maxValue}`);
  }
  if (typeof value === 'string' || Array.isArray(value)) {
    const [minLength, maxLength] = [bound('minLength'), bound('maxLength')];
    if (minLength !== undefined && value.length < minLength) fail(`the length ${value.length} is less than the minimum ${minLength}`);
    if (maxLength !== undefined && value.length > maxLength) fail(`the length ${value.length} is more than the maximum ${maxLength}`);
  }
  return value;
}

function sameAllowed(allowed: Value, v: Value): boolean {
  if (typeof allowed === 'string' && typeof v === 'string') return allowed.toLowerCase() === v.toLowerCase();
  return deepEquals(allowed, v);
}

/** Whether a parameter may be null: `"nullable": true` on it or on the definition its `$ref` names. */
export function isNullableParameter(decl: JsonNode, root: JsonNode): boolean {
  return childNode(decl, 'nullable')?.value === true || childNode(resolveType(decl, root), 'nullable')?.value === true;
}

/**
 * A parameter typed with a user-defined type (`"$ref": "#/definitions/sku"`) takes its
 * constraints from the definition (following chains of references, a few levels deep).
 */
function resolveType(decl: JsonNode, root: JsonNode): JsonNode {
  let current = decl;
  for (let i = 0; i < 8; i++) {
    const ref = childNode(current, '$ref')?.value;
    if (typeof ref !== 'string' || !ref.startsWith('#/definitions/')) return current;
    const target = childNode(childNode(root, 'definitions'), ref.slice('#/definitions/'.length));
    if (!target) return current;
    current = target;
  }
  return current;
}

/**
 * The parts of a parameter's value that its declared type makes secret below its top level: an
 * object property or array item typed `securestring`/`secureObject` (Bicep's `@secure()` on a
 * property of a user type, as the compiler writes it), following `$ref`s, `properties`, `items`,
 * `prefixItems` and `additionalProperties`. Each is handed to `secret`.
 */
export function collectSecureParts(type: JsonNode, root: JsonNode, value: unknown, secret: (part: unknown) => void, depth = 0): void {
  if (depth > 32 || value === null || value === undefined || typeof value !== 'object') return;
  // Most types have no secure part anywhere below: then the value is not walked.
  if (depth === 0 && !maySecure(type, root)) return;
  const parts = typeParts(resolveType(type, root));
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      const itemType = parts.prefixItems?.[i] ?? parts.items;
      if (itemType) part(itemType, root, item, secret, depth);
    });
    return;
  }
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const propertyType = childNode(parts.properties, key) ?? parts.additional;
    if (propertyType) part(propertyType, root, v, secret, depth);
  }
}

/**
 * The types of a type's parts, the edges both collectSecureParts (with a value) and reachesSecure
 * (without) follow: array items by position (`prefixItems`) or all alike (`items`, when a type),
 * object properties by name (`properties`) or the others (`additionalProperties`, when a type).
 */
interface TypeParts {
  prefixItems?: readonly JsonNode[];
  items?: JsonNode;
  /** The `properties` object: a property's type is the value of its key. */
  properties?: JsonNode;
  additional?: JsonNode;
}

function typeParts(t: JsonNode): TypeParts {
  const items = childNode(t, 'items');
  const additional = childNode(t, 'additionalProperties');
  return {
    prefixItems: childNode(t, 'prefixItems')?.children,
    items: items?.type === 'object' ? items : undefined,
    properties: childNode(t, 'properties'),
    additional: additional?.type === 'object' ? additional : undefined,
  };
}

/**
 * Whether a secure type can be reached below a declared type: through the `$ref`s, `properties`,
 * `items`, `prefixItems` and `additionalProperties` that collectSecureParts follows. When not, that
 * walk over the value finds nothing, and a large value (an array of objects) cost it a lookup per
 * item and key. Kept per declaration; the walk below it keeps no partial answers, so a type that
 * refers to itself is answered whole.
 */
const secureBelow = new WeakMap<JsonNode, boolean>();

function maySecure(type: JsonNode, root: JsonNode): boolean {
  let known = secureBelow.get(type);
  if (known === undefined) secureBelow.set(type, (known = reachesSecure(type, root, new Set())));
  return known;
}

function reachesSecure(type: JsonNode, root: JsonNode, seen: Set<JsonNode>): boolean {
  const t = resolveType(type, root);
  if (seen.has(t)) return false;
  seen.add(t);
  const below = (node: JsonNode | undefined) => node !== undefined && (isSecureType(node, root) || reachesSecure(node, root, seen));
  const parts = typeParts(t);
  return (
    parts.prefixItems?.some(below) === true ||
    below(parts.items) ||
    parts.properties?.children?.some((p) => below(p.children?.[1])) === true ||
    below(parts.additional)
  );
}

function part(type: JsonNode, root: JsonNode, value: unknown, secret: (part: unknown) => void, depth: number): void {
  if (isSecureType(type, root)) secret(value);
  else collectSecureParts(type, root, value, secret, depth + 1);
}

/** Whether a declared type (a parameter, a property, an item) is `securestring`/`secureObject`, through its `$ref`s. */
export function isSecureType(type: JsonNode, root: JsonNode): boolean {
  return /^secure/i.test(String(childNode(resolveType(type, root), 'type')?.value ?? ''));
}
