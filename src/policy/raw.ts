import { DEFAULT_DEPLOYMENT, type DeploymentContext } from '../arm/expression/context.js';
import { getProperty, isObject, type ObjectValue, type Value } from '../resources/value.js';
import type { AliasTable } from './aliases.js';
import { readPolicyDefinition, type PolicyDefinition } from './definition.js';
import type { RelatedQuery } from './effects.js';
import { compilePolicy, evaluatePolicy, type CompiledPolicy, type PolicyResult } from './engine.js';
import type { FieldOptions, PolicyTarget } from './field.js';
import type { PolicyEnvironment } from './functions.js';

/**
 * Evaluating a definition against a resource given as raw JSON (an ARM resource body with
 * `type`, `name`, `properties`, …), outside a scan: for conformance suites and for checking a
 * definition against an exported resource.
 */
export interface RawOptions {
  /**
   * The aliases fields resolve against. Without a table, a field that is not built in is read
   * as a property path of the JSON as written (`properties.x`, `securityRules[*].access`).
   */
  aliases?: AliasTable;
  parameters?: Record<string, unknown>;
  /** The API version of the request: picks versioned alias paths, and `requestContext().apiVersion`. */
  apiVersion?: string;
  /**
   * What the policy functions see, in the shape Azure hands it to the engine:
   * `{ resourceGroup, subscription, requestContext, policy, utcNow }`.
   */
  context?: ObjectValue;
  /** The related resources (raw JSON) an auditIfNotExists / deployIfNotExists effect finds; undefined = not known. */
  related?(query: RelatedQuery): readonly Value[] | undefined;
}

/** Reads a definition in either of Azure's shapes, or a bare policy rule (`{ if, then }`). */
export function definitionFromJson(json: unknown, kind: 'definition' | 'rule', parameters: Record<string, unknown> = {}): PolicyDefinition {
  if (kind === 'definition') return readPolicyDefinition(json);
  // A bare rule declares no parameters: those given are its parameters.
  const declared = Object.fromEntries(Object.keys(parameters).map((k) => [k, {}]));
  return readPolicyDefinition({ name: 'policy-rule', properties: { mode: 'All', parameters: declared, policyRule: json } });
}

export function fieldOptionsFor(aliases: AliasTable | undefined): FieldOptions {
  return aliases ? { aliases, unknownFields: 'unknown-alias' } : { aliases: EMPTY_TABLE, unknownFields: 'path' };
}

const EMPTY_TABLE: AliasTable = { resolve: () => undefined, entries: () => [], capabilities: () => undefined, size: 0 };

export function compileRawPolicy(definition: PolicyDefinition, options: RawOptions = {}): CompiledPolicy {
  return compilePolicy(definition, { parameters: options.parameters, fields: fieldOptionsFor(options.aliases) });
}

/** Evaluates a compiled definition on a raw resource. */
export function evaluateRaw(policy: CompiledPolicy, resource: Value, options: RawOptions = {}): PolicyResult {
  const context = options.context ?? {};
  const deployment = deploymentOf(context);
  const target = rawTarget(resource, deployment, options.apiVersion);
  const env: Partial<PolicyEnvironment> = { deployment };
  const set = <K extends keyof PolicyEnvironment>(key: K, value: Value | undefined) => {
    if (value !== undefined) (env as Record<string, unknown>)[key] = value;
  };
  set('resourceGroup', getProperty(context, 'resourceGroup'));
  set('subscription', getProperty(context, 'subscription'));
  set('policy', getProperty(context, 'policy'));
  const now = getProperty(context, 'utcNow');
  if (typeof now === 'string') env.now = now;
  const request = getProperty(context, 'requestContext');
  // Not given: the engine's default (the API version asked for, the caller's identity unknown).
  set('requestContext', request);
  return evaluatePolicy(policy, target, {
    env,
    related: options.related
      ? (query) => {
          const found = options.related!(query);
          return found?.map((r) => rawTarget(withType(r, query.type), deployment, options.apiVersion));
        }
      : undefined,
  });
}

/**
 * A raw resource as Azure Policy sees it. Its full name is `name` (or `fullName`, which some
 * suites give instead); its id, when absent, is built from the scope and the name.
 */
export function rawTarget(resource: Value, deployment: DeploymentContext = DEFAULT_DEPLOYMENT, apiVersion?: string): PolicyTarget {
  const body: ObjectValue = isObject(resource) ? resource : {};
  const type = str(getProperty(body, 'type')) ?? '';
  const name = str(getProperty(body, 'fullName')) ?? str(getProperty(body, 'name')) ?? '';
  const id = str(getProperty(body, 'id')) ?? idOf(type, name, deployment);
  const version = apiVersion ?? str(getProperty(body, 'apiVersion'));
  return version === undefined ? { type, name, id, body } : { type, name, id, apiVersion: version, body };
}

function idOf(type: string, name: string, d: DeploymentContext): string {
  const [namespace, ...types] = type.split('/');
  const names = name.split('/');
  let out = `/subscriptions/${d.subscriptionId}/resourceGroups/${d.resourceGroup}/providers/${namespace ?? ''}`;
  types.forEach((t, i) => (out += `/${t}/${names[i] ?? ''}`));
  return out;
}

function deploymentOf(context: ObjectValue): DeploymentContext {
  const rg = getProperty(context, 'resourceGroup');
  const sub = getProperty(context, 'subscription');
  return {
    ...DEFAULT_DEPLOYMENT,
    ...(typeof getProperty(rg, 'name') === 'string' ? { resourceGroup: getProperty(rg, 'name') as string } : {}),
    ...(typeof getProperty(rg, 'location') === 'string' ? { location: getProperty(rg, 'location') as string } : {}),
    ...(typeof getProperty(sub, 'subscriptionId') === 'string' ? { subscriptionId: getProperty(sub, 'subscriptionId') as string } : {}),
    ...(typeof getProperty(context, 'utcNow') === 'string' ? { now: getProperty(context, 'utcNow') as string } : {}),
  };
}

/** A related resource's JSON without a `type` is of the type asked for. */
function withType(resource: Value, type: string): Value {
  if (!isObject(resource) || getProperty(resource, 'type') !== undefined) return resource;
  return { type, ...resource };
}

function str(v: Value | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
