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
  const bound = (key: string) => {
    const v = childNode(decl, key)?.value;
    return typeof v === 'number' ? v : undefined;
  };
  const [minValue, maxValue, minLength, maxLength] = [bound('minValue'), bound('maxValue'), bound('minLength'), bound('maxLength')];
  if (typeof value === 'number') {
    if (minValue !== undefined && value < minValue) fail(`${value} is less than the minimum ${minValue}`);
    if (maxValue !== undefined && value > maxValue) fail(`${value} is more than the maximum ${maxValue}`);
  }
  if (typeof value === 'string' || Array.isArray(value)) {
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
  const t = resolveType(type, root);
  if (Array.isArray(value)) {
    const prefix = childNode(t, 'prefixItems');
    const items = childNode(t, 'items');
    value.forEach((item, i) => {
      const itemType = prefix?.children?.[i] ?? (items?.type === 'object' ? items : undefined);
      if (itemType) part(itemType, root, item, secret, depth);
    });
    return;
  }
  const properties = childNode(t, 'properties');
  const additional = childNode(t, 'additionalProperties');
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const propertyType = childNode(properties, key) ?? (additional?.type === 'object' ? additional : undefined);
    if (propertyType) part(propertyType, root, v, secret, depth);
  }
}

function part(type: JsonNode, root: JsonNode, value: unknown, secret: (part: unknown) => void, depth: number): void {
  if (isSecureType(type, root)) secret(value);
  else collectSecureParts(type, root, value, secret, depth + 1);
}

/** Whether a declared type (a parameter, a property, an item) is `securestring`/`secureObject`, through its `$ref`s. */
export function isSecureType(type: JsonNode, root: JsonNode): boolean {
  return /^secure/i.test(String(childNode(resolveType(type, root), 'type')?.value ?? ''));
}
