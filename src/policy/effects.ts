import { isExpression } from '../arm/expression/parser.js';
import { getProperty, isObject, isUnknown, type ObjectValue, type Value } from '../resources/value.js';
import { compileCondition, evaluateTree, type CompiledCondition, type Scope } from './condition.js';
import { PolicyCompileError, PolicyEvaluationError } from './errors.js';
import { compileField, type FieldOptions } from './field.js';
import { checkPolicyExpression } from './functions.js';

/** The effects of the policy language, by lower-case name, in Azure's spelling. */
export const EFFECTS: ReadonlyMap<string, string> = new Map(
  ['audit', 'deny', 'disabled', 'append', 'modify', 'auditIfNotExists', 'deployIfNotExists', 'manual', 'denyAction', 'auditAction'].map((e) => [
    e.toLowerCase(),
    e,
  ]),
);

/** Effects that look for a related resource before they apply. */
export function isExistenceEffect(effect: string): boolean {
  const e = effect.toLowerCase();
  return e === 'auditifnotexists' || e === 'deployifnotexists';
}

/** What an auditIfNotExists / deployIfNotExists effect looks for. */
export interface RelatedQuery {
  type: string;
  name?: string;
  resourceGroupName?: string;
  existenceScope?: string;
}

/** The `then` block compiled for one effect: what is checked once, and how details are produced. */
export interface CompiledThen {
  /** The existence condition of auditIfNotExists / deployIfNotExists, evaluated on each related resource. */
  existenceCondition?: CompiledCondition;
  /** The related resources to look for (auditIfNotExists / deployIfNotExists). */
  query?(scope: Scope): RelatedQuery;
  /** What the effect would do, in Azure's shape, when the resource is non-compliant; undefined = nothing to report. */
  details(scope: Scope): Value | undefined;
}

const OPERATIONS = new Set(['addorreplace', 'add', 'remove']);

/**
 * Compiles `then.details` for `effect` (already resolved). Errors name where they are:
 * `policyRule.then.details.operations[1]`.
 */
export function compileThen(effect: string, then: ObjectValue, fields: FieldOptions): CompiledThen {
  const at = 'policyRule.then.details';
  const details = getProperty(then, 'details');
  checkExpressions(details, at);
  switch (effect.toLowerCase()) {
    case 'append':
      return compileAppend(details, at);
    case 'modify':
      return compileModify(details, at, fields);
    case 'auditifnotexists':
    case 'deployifnotexists':
      return compileExistence(details, at, fields);
    default:
      return { details: () => undefined };
  }
}

function compileAppend(details: Value | undefined, at: string): CompiledThen {
  if (details === undefined) return { details: () => undefined };
  if (!Array.isArray(details)) throw new PolicyCompileError('append takes an array of { field, value } in details', at);
  details.forEach((d, i) => {
    if (!isObject(d) || typeof getProperty(d, 'field') !== 'string' || getProperty(d, 'value') === undefined) {
      throw new PolicyCompileError('each append entry needs a field and a value', `${at}[${i}]`);
    }
  });
  return {
    details: (scope) => details.map((d) => ({ field: evaluateTree(getProperty(d, 'field')!, scope), value: evaluateTree(getProperty(d, 'value')!, scope) })),
  };
}

function compileModify(details: Value | undefined, at: string, fields: FieldOptions): CompiledThen {
  if (details === undefined) return { details: () => undefined };
  if (!isObject(details)) throw new PolicyCompileError('modify takes an object with roleDefinitionIds and operations in details', at);
  const operations = getProperty(details, 'operations');
  if (operations !== undefined && !Array.isArray(operations)) throw new PolicyCompileError("modify's operations must be an array", `${at}.operations`);
  const ops = (operations ?? []) as Value[];
  ops.forEach((op, i) => {
    const opAt = `${at}.operations[${i}]`;
    if (!isObject(op)) throw new PolicyCompileError('an operation must be an object', opAt);
    const kind = getProperty(op, 'operation');
    if (typeof kind !== 'string' || !OPERATIONS.has(kind.toLowerCase())) {
      throw new PolicyCompileError(`an operation is addOrReplace, add or remove, not ${JSON.stringify(kind ?? null)}`, opAt);
    }
    const field = getProperty(op, 'field');
    if (typeof field !== 'string') throw new PolicyCompileError('an operation needs a field', opAt);
    if (kind.toLowerCase() !== 'remove' && getProperty(op, 'value') === undefined) throw new PolicyCompileError(`'${kind}' needs a value`, opAt);
    if (!isExpression(field)) {
      // Azure only lets modify change aliases that carry the Modifiable attribute (and tags).
      const ref = compileField(field, fields);
      if (ref.kind === 'path' && ref.alias?.modifiable === false) {
        throw new PolicyCompileError(`the alias '${ref.alias.name}' is not modifiable, so modify cannot change it`, opAt);
      }
    }
  });
  const roles = getProperty(details, 'roleDefinitionIds');
  return {
    details: (scope) => {
      const out: ObjectValue = {};
      if (roles !== undefined) out.roleDefinitionIds = evaluateTree(roles, scope);
      out.operations = ops.flatMap((op) => {
        const o = op as ObjectValue;
        const condition = getProperty(o, 'condition');
        if (condition !== undefined) {
          // An operation with a condition that does not hold is skipped.
          const holds = evaluateTree(condition, scope);
          if (holds === false || (typeof holds === 'string' && holds.toLowerCase() === 'false')) return [];
        }
        const entry: ObjectValue = { operation: getProperty(o, 'operation')!, field: evaluateTree(getProperty(o, 'field')!, scope) };
        const value = getProperty(o, 'value');
        if (value !== undefined) entry.value = evaluateTree(value, scope);
        if (condition !== undefined) entry.condition = condition;
        return [entry];
      });
      return out;
    },
  };
}

function compileExistence(details: Value | undefined, at: string, fields: FieldOptions): CompiledThen {
  if (!isObject(details)) throw new PolicyCompileError('auditIfNotExists and deployIfNotExists need details with the related type', at);
  const type = getProperty(details, 'type');
  if (typeof type !== 'string') throw new PolicyCompileError('details.type names the related resource type', at);
  const existence = getProperty(details, 'existenceCondition');
  const existenceCondition = existence === undefined ? undefined : compileCondition(existence, `${at}.existenceCondition`, { fields });
  const text = (scope: Scope, key: string): string | undefined => {
    const raw = getProperty(details, key);
    if (raw === undefined) return undefined;
    const v = evaluateTree(raw, scope);
    if (isUnknown(v)) throw new PolicyEvaluationError(`details.${key} is not known (${v.reason})`);
    if (typeof v !== 'string') throw new PolicyEvaluationError(`details.${key} must be a string, not ${JSON.stringify(v)}`);
    return v;
  };
  return {
    existenceCondition,
    query: (scope) => {
      const q: RelatedQuery = { type: text(scope, 'type')! };
      const name = text(scope, 'name');
      const rg = text(scope, 'resourceGroupName');
      const existenceScope = text(scope, 'existenceScope');
      if (name !== undefined) q.name = name;
      if (rg !== undefined) q.resourceGroupName = rg;
      if (existenceScope !== undefined) q.existenceScope = existenceScope;
      return q;
    },
    details: (scope) => {
      const out: ObjectValue = {};
      for (const key of ['type', 'name', 'resourceGroupName', 'existenceScope', 'roleDefinitionIds']) {
        const raw = getProperty(details, key);
        if (raw !== undefined) out[key] = evaluateTree(raw, scope);
      }
      return out;
    },
  };
}

/**
 * Checks the expressions of `details` that Tollgate evaluates; the deployment template of
 * deployIfNotExists is Azure's to run (its functions follow template rules) and is skipped.
 */
function checkExpressions(v: Value | undefined, at: string): void {
  if (typeof v === 'string') {
    if (isExpression(v)) checkPolicyExpression(v, at);
  } else if (Array.isArray(v)) v.forEach((x, i) => checkExpressions(x, `${at}[${i}]`));
  else if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      const key = k.toLowerCase();
      // The deployment is a template; the existence condition is compiled on its own.
      if (key === 'deployment' || key === 'existencecondition') continue;
      checkExpressions(x, `${at}.${k}`);
    }
  }
}
