import type { Diagnostic } from '../../load/diagnostic.js';
import { childNode, type JsonDocument, type JsonNode } from '../../load/json-document.js';
import { locateInTree } from '../../resources/locate.js';
import type { Resource } from '../../resources/resource.js';
import { isUnknown, Unknown, type ObjectValue, type Value } from '../../resources/value.js';
import type { DeploymentContext, EvalContext, FunctionTable } from '../expression/context.js';
export { DEFAULT_DEPLOYMENT } from '../expression/context.js';
import { isExpression } from '../expression/parser.js';
import { ARM_FUNCTIONS } from '../functions/index.js';
import { evaluateNode, evaluateString } from './evaluate-node.js';
import { TemplateScope } from './template-scope.js';
import { resourceIdFor } from './resource-id.js';

export interface ExpandOptions {
  deployment: DeploymentContext;
  functions?: FunctionTable;
}

export interface Expansion {
  resources: Resource[];
  diagnostics: Diagnostic[];
}

/** ARM's limit on the instances of one copy loop. */
export const MAX_COPY_COUNT = 800;

// Keys of a resource declaration that are instructions to ARM, not part of the resource.
const CONTROL_KEYS = new Set(['resources', 'copy', 'condition', 'dependson', 'comments']);

interface ParentInfo {
  type: string;
  name: string;
  resource: Resource;
}

/**
 * Expands a template (with at most one parameter file) into the resources it deploys.
 * This first cut covers parameters, variables, conditions, resource copy loops and nested
 * child resources; nested deployments are produced as the deployment resource itself.
 */
export function expandTemplate(template: JsonDocument, parameterFile: JsonDocument | undefined, options: ExpandOptions): Expansion {
  const scope = new TemplateScope(template, parameterFile, options.functions ?? ARM_FUNCTIONS, options.deployment);
  checkParameterFile(scope);
  const resources: Resource[] = [];
  const declared = childNode(template.root, 'resources');
  if (declared) expandResourceList(declared, undefined, scope, new Map(), resources);
  return { resources, diagnostics: scope.diagnostics };
}

function expandResourceList(list: JsonNode, parent: ParentInfo | undefined, scope: TemplateScope, outerCopies: ReadonlyMap<string | undefined, number>, out: Resource[]): void {
  // languageVersion 2.0 keys resources by symbolic name; the order of values is the same.
  const nodes = list.type === 'array' ? (list.children ?? []) : list.type === 'object' ? (list.children ?? []).map((p) => p.children?.[1]).filter((n): n is JsonNode => !!n) : [];
  for (const node of nodes) {
    if (node.type !== 'object') continue;
    if (childNode(node, 'existing')?.value === true) continue; // references, not deployments
    for (const copies of copyInstances(node, scope, outerCopies)) expandOne(node, parent, scope, copies, out);
  }
}

/** One map of loop indexes per instance; a resource without `copy` has exactly one instance. */
function copyInstances(node: JsonNode, scope: TemplateScope, outer: ReadonlyMap<string | undefined, number>): ReadonlyMap<string | undefined, number>[] {
  const copy = childNode(node, 'copy');
  if (!copy) return [outer];
  const ctx = scope.context(outer);
  const countNode = childNode(copy, 'count');
  const count = countNode ? evaluateNode(countNode, scope, ctx) : null;
  const name = childNode(copy, 'name')?.value;
  const where = countNode ?? copy;
  if (isUnknown(count)) {
    report(scope, where, 'copy-count-unknown', 'warning', `the copy count is unknown (${count.reason}); one instance is checked`);
    return [withIndex(outer, name, 0)];
  }
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
    report(scope, where, 'copy-count', 'error', `the copy count must be a non-negative integer`);
    return [];
  }
  if (count > MAX_COPY_COUNT) {
    report(scope, where, 'copy-count', 'error', `the copy count ${count} is over ARM's limit of ${MAX_COPY_COUNT}`);
    return [];
  }
  return Array.from({ length: count }, (_, i) => withIndex(outer, name, i));
}

function withIndex(outer: ReadonlyMap<string | undefined, number>, name: unknown, i: number): ReadonlyMap<string | undefined, number> {
  const m = new Map(outer);
  m.set(undefined, i);
  if (typeof name === 'string') m.set(name.toLowerCase(), i);
  return m;
}

function expandOne(node: JsonNode, parent: ParentInfo | undefined, scope: TemplateScope, copies: ReadonlyMap<string | undefined, number>, out: Resource[]): void {
  const ctx = scope.context(copies);
  const conditionNode = childNode(node, 'condition');
  const condition = conditionNode ? evaluateNode(conditionNode, scope, ctx) : true;
  if (condition === false) return;
  if (conditionNode && !isUnknown(condition) && condition !== true) report(scope, conditionNode, 'condition', 'error', 'a condition must be a boolean');
  const body = evaluateNode(node, scope, ctx, { skip: CONTROL_KEYS, replace: innerTemplateOf(node) }) as ObjectValue;
  const declaredType = stringOr(body['type'], '');
  const declaredName = stringOr(body['name'], '');
  if (!declaredType) {
    report(scope, node, 'resource-type', 'error', 'the resource has no type');
    return;
  }
  // A nested child may be written short (`backends`, `b1`) or fully qualified.
  const qualified = declaredType.includes('/');
  const type = parent && !qualified ? `${parent.type}/${declaredType}` : declaredType;
  const name = parent && !qualified ? `${parent.name}/${declaredName}` : declaredName;
  body['type'] = type;
  body['name'] = name;
  const resource: Resource = {
    type,
    name,
    id: resourceIdFor(type, name, scope.deployment),
    apiVersion: typeof body['apiVersion'] === 'string' ? body['apiVersion'] : undefined,
    body,
    parent: parent?.resource,
    children: [],
    // An unknown condition: checked as if deployed, and said so.
    conditionUnknown: isUnknown(condition) ? condition.reason : undefined,
    source: {
      kind: 'template',
      document: scope.template,
      parameterFile: scope.parameterFile,
      location: scope.template.file.locationOf(node.offset, 1),
      locate: (path) =>
        locateInTree(
          scope.template,
          node,
          path,
          (at) => traceOrigins(at, scope, scope.context(copies)),
          (at) => at.type === 'string' && isExpression(at.value as string),
        ),
    },
  };
  out.push(resource);
  parent?.resource.children.push(resource);
  const children = childNode(node, 'resources');
  if (children) expandResourceList(children, { type, name, resource }, scope, copies, out);
}

/** Re-evaluates an expression while recording reads; only run for findings, never on the hot path. */
function traceOrigins(node: JsonNode, scope: TemplateScope, ctx: EvalContext) {
  const { reads } = scope.withReads(() => evaluateString(node, scope, ctx));
  return scope.originsOf(reads);
}

/**
 * The inner template of a nested deployment has its own parameters and scope: evaluating it
 * with the outer template's values would be wrong (and report errors that are not there), so
 * it is left unexpanded until nested deployments are expanded.
 */
function innerTemplateOf(node: JsonNode): ReadonlyMap<JsonNode, Value> | undefined {
  const type = childNode(node, 'type')?.value;
  if (typeof type !== 'string' || type.toLowerCase() !== 'microsoft.resources/deployments') return undefined;
  const inner = childNode(childNode(node, 'properties'), 'template');
  return inner ? new Map([[inner, new Unknown('nested deployment templates are not expanded yet')]]) : undefined;
}

function stringOr(v: Value | undefined, fallback: string): string {
  return typeof v === 'string' ? v : isUnknown(v) ? `<unknown>` : fallback;
}

function checkParameterFile(scope: TemplateScope): void {
  const params = scope.parameterFile && childNode(scope.parameterFile.root, 'parameters');
  if (!params || !scope.parameterFile) return;
  for (const prop of params.children ?? []) {
    const key = prop.children?.[0];
    if (!key) continue;
    if (!scope.parameterDeclaration(String(key.value))) {
      scope.diagnostics.push({
        severity: 'warning',
        code: 'unknown-parameter',
        message: `the parameter file sets '${String(key.value)}', which ${scope.template.file.path} does not declare`,
        file: scope.parameterFile.file.path,
        location: scope.parameterFile.file.locationOf(key.offset, key.length),
      });
    }
  }
}

function report(scope: TemplateScope, node: JsonNode, code: string, severity: 'error' | 'warning', message: string): void {
  scope.diagnostics.push({ severity, code, message, file: scope.template.file.path, location: scope.template.file.locationOf(node.offset, node.length) });
}
