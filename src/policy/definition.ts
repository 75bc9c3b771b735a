import { getProperty, isObject, setOwn, type ObjectValue, type Value } from '../resources/value.js';

export interface PolicyParameter {
  name: string;
  type?: string;
  allowedValues?: Value[];
  defaultValue?: Value;
  displayName?: string;
  description?: string;
}

/** A policy definition as Azure stores it, read case-insensitively. */
export interface PolicyDefinition {
  /** The definition's name: a guid for built-ins. */
  name: string;
  id?: string;
  displayName: string;
  description: string;
  mode: string;
  version?: string;
  /** Every version Azure holds of this definition (`versions` of the built-in export), this one among them. */
  versions: string[];
  category?: string;
  policyType?: string;
  parameters: PolicyParameter[];
  /** The `if` of the policy rule, as written. */
  if: Value;
  /** The `then.effect`, as written (often `[parameters('effect')]`). */
  effect: Value;
  then: ObjectValue;
  /** Display path of the file it was read from. */
  file?: string;
}

export class PolicyDefinitionError extends Error {}

/**
 * Reads a definition in either shape Azure uses: the `{ properties: { … }, name, id }` envelope
 * of exports and the built-in repository, or the bare properties object. Keys of the policy
 * language are case-insensitive (built-ins contain `anyof`), so every lookup ignores case.
 */
export function readPolicyDefinition(json: unknown, file?: string): PolicyDefinition {
  if (!isObject(json)) throw new PolicyDefinitionError('a policy definition must be a JSON object');
  const body = policyBody(json);
  const rule = getProperty(body, 'policyRule');
  if (!isObject(rule)) throw new PolicyDefinitionError('no policyRule');
  const condition = getProperty(rule, 'if');
  const then = getProperty(rule, 'then');
  if (condition === undefined) throw new PolicyDefinitionError("policyRule has no 'if'");
  if (!isObject(then)) throw new PolicyDefinitionError("policyRule has no 'then'");
  const effect = getProperty(then, 'effect');
  if (effect === undefined) throw new PolicyDefinitionError("policyRule.then has no 'effect'");
  const metadata = getProperty(body, 'metadata');
  const name = str(getProperty(json, 'name')) ?? lastSegment(str(getProperty(json, 'id'))) ?? file ?? 'policy';
  return {
    name,
    id: str(getProperty(json, 'id')),
    displayName: str(getProperty(body, 'displayName')) ?? name,
    description: str(getProperty(body, 'description')) ?? '',
    mode: str(getProperty(body, 'mode')) ?? 'Indexed',
    version: str(getProperty(body, 'version')) ?? str(getProperty(metadata, 'version')),
    versions: stringList(getProperty(body, 'versions')),
    category: str(getProperty(metadata, 'category')),
    policyType: str(getProperty(body, 'policyType')),
    parameters: readParameters(getProperty(body, 'parameters')),
    if: condition,
    effect,
    then,
    file,
  };
}

/**
 * The properties of any Azure Policy object (definition, initiative, assignment, exemption):
 * inside the `{ properties, name, id }` envelope, or the object itself when bare.
 */
export function policyBody(json: Value): Value {
  const props = isObject(json) ? getProperty(json, 'properties') : undefined;
  return isObject(props) ? props : json;
}

/** Parameter values as assignments and initiative references write them: `{ name: { value } }`; a bare value is the value itself. */
export function parameterValues(params: Value | undefined): Record<string, Value> {
  const out: Record<string, Value> = {};
  if (!isObject(params)) return out;
  for (const [k, v] of Object.entries(params)) {
    const value = isObject(v) ? getProperty(v, 'value') : undefined;
    // setOwn: a parameter named `__proto__` is a value like any other, not the object's prototype.
    setOwn(out, k, value !== undefined ? value : v);
  }
  return out;
}

/** A `parameters` object of a definition or an initiative. */
export function readParameters(params: Value | undefined): PolicyParameter[] {
  if (!isObject(params)) return [];
  return Object.entries(params).map(([name, def]) => {
    const allowed = getProperty(def, 'allowedValues');
    return {
      name,
      type: str(getProperty(def, 'type')),
      // An empty list restricts nothing (built-in initiatives such as NZISM v3.7 declare
      // `allowedValues: []` beside a default): only a list with values is a restriction.
      allowedValues: Array.isArray(allowed) && allowed.length > 0 ? allowed : undefined,
      defaultValue: getProperty(def, 'defaultValue'),
      displayName: str(getProperty(getProperty(def, 'metadata'), 'displayName')),
      description: str(getProperty(getProperty(def, 'metadata'), 'description')),
    };
  });
}

/** A parameter by name; parameter names are case-insensitive, as in ARM. */
export function findParameter(definition: PolicyDefinition, name: string): PolicyParameter | undefined {
  const lower = name.toLowerCase();
  return definition.parameters.find((p) => p.name.toLowerCase() === lower);
}

/**
 * The parameter that chooses the effect when `then.effect` is exactly `[parameters('x')]`,
 * the form every built-in with a selectable effect uses.
 */
export function effectParameter(definition: PolicyDefinition): PolicyParameter | undefined {
  if (typeof definition.effect !== 'string') return undefined;
  const name = /^\[\s*parameters\(\s*'([^']+)'\s*\)\s*\]$/i.exec(definition.effect)?.[1];
  return name === undefined ? undefined : findParameter(definition, name);
}

function stringList(v: Value | undefined): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function str(v: Value | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function lastSegment(id: string | undefined): string | undefined {
  return id?.split('/').pop();
}
