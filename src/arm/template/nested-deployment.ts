import { childNode, type JsonDocument, type JsonNode } from '../../load/json-document.js';
import { leafName } from '../../resources/resource.js';
import { getPath, getProperty, isObject, isUnknown, Unknown, type ObjectValue, type Value } from '../../resources/value.js';
import type { DeploymentContext } from '../expression/context.js';
import type { ExpansionRun, LinkedLoadFailure } from './expansion-run.js';
import { checkParameterFile } from './parameter-file.js';
import { TemplateScope, type SuppliedParameter } from './template-scope.js';

/** The inline template node of a `Microsoft.Resources/deployments` declaration, if any. */
export function nestedTemplateOf(node: JsonNode): JsonNode | undefined {
  const inner = childNode(childNode(node, 'properties'), 'template');
  return inner?.type === 'object' ? inner : undefined;
}

/** Where a nested deployment's resources are declared, and the scope their expressions see. */
/** What this module reads of a declared deployment (deployment-expansion.ts's `Instance`; named here to keep the two modules apart). */
interface Instance {
  node: JsonNode;
  name: string;
}

export interface NestedScope {
  root: JsonNode;
  /** The outer template's own scope for `expressionEvaluationOptions.scope: outer` (ARM's default for inline templates). */
  scope: TemplateScope;
}

/**
 * Finds a nested deployment's template (inline, or linked by a relative path) and builds the
 * scope its expressions are evaluated in. Remote links and template specs are not fetched:
 * the result is Unknown and a note says why.
 */
export function nestedScope(inst: Instance, body: ObjectValue, outer: TemplateScope, run: ExpansionRun): NestedScope | Unknown {
  const properties = getProperty(body, 'properties');
  const inline = nestedTemplateOf(inst.node);
  let document = outer.template;
  let root = inline;
  if (!root) {
    const linked = loadLinkedTemplate(inst, properties, outer, run);
    if (isUnknown(linked)) return linked;
    document = linked;
    root = linked.root;
  }
  const evaluation = getPath(properties, ['expressionEvaluationOptions', 'scope']);
  const inner = !inline || (typeof evaluation === 'string' && evaluation.toLowerCase() === 'inner');
  if (!inner) return { root, scope: outer };

  const supplied = suppliedParameters(inst, properties, outer);
  const parameterFile = linkedParameterFile(inst, properties, outer, run);
  const scope = new TemplateScope(document, root, { supplied, file: parameterFile }, run.functions, deploymentOf(inst, body, outer.deployment), run.diagnostics, outer.secrets, outer.budget);
  if (parameterFile) checkParameterFile(scope);
  for (const [name, entry] of supplied) {
    if (!scope.parameterDeclaration(name) && entry.origin) {
      run.diagnostics.push({ severity: 'warning', code: 'unknown-parameter', message: `the deployment passes '${name}', which its template does not declare`, file: outer.template.file.path, location: entry.origin.location });
    }
  }
  return { root, scope };
}

/** A nested deployment deploys to its own resource group or subscription when it names one. */
function deploymentOf(inst: Instance, body: ObjectValue, outer: DeploymentContext): DeploymentContext {
  const text = (key: string) => {
    const v = getProperty(body, key);
    return typeof v === 'string' && v ? v : undefined;
  };
  const scope = text('scope');
  const managementGroup = scope && /managementGroups\/([^/]+)/i.exec(scope)?.[1];
  return {
    ...outer,
    deploymentName: leafName(inst),
    resourceGroup: text('resourceGroup') ?? outer.resourceGroup,
    subscriptionId: text('subscriptionId') ?? outer.subscriptionId,
    managementGroup: managementGroup ?? outer.managementGroup,
    location: text('location') ?? outer.location,
  };
}

/** `properties.parameters` of an inner-scope deployment: values evaluated in the outer template. */
function suppliedParameters(inst: Instance, properties: Value | undefined, outer: TemplateScope): Map<string, SuppliedParameter> {
  const out = new Map<string, SuppliedParameter>();
  const params = getProperty(properties, 'parameters');
  if (!isObject(params)) return out;
  const paramNodes = childNode(childNode(inst.node, 'properties'), 'parameters');
  for (const [name, entry] of Object.entries(params)) {
    const node = childNode(paramNodes, name);
    const valueNode = childNode(node, 'value') ?? node;
    const origin = valueNode
      ? { location: outer.template.file.locationOf(valueNode.offset, valueNode.length), description: `parameter '${name}' passed by deployment '${inst.name}'` }
      : undefined;
    let value: Value;
    if (isObject(entry) && getProperty(entry, 'value') !== undefined) value = getProperty(entry, 'value')!;
    else if (isObject(entry) && getProperty(entry, 'reference') !== undefined) value = new Unknown(`parameter '${name}' is a Key Vault secret reference`);
    else value = new Unknown(`parameter '${name}' of deployment '${inst.name}' has no value`);
    out.set(name.toLowerCase(), { value, origin });
  }
  return out;
}

function loadLinkedTemplate(inst: Instance, properties: Value | undefined, outer: TemplateScope, run: ExpansionRun): JsonDocument | Unknown {
  const link = getProperty(properties, 'templateLink');
  const at = childNode(childNode(inst.node, 'properties'), 'templateLink') ?? inst.node;
  const path = localPathOf(link);
  if (isUnknown(path)) {
    outer.report(at, 'linked-template', 'info', `deployment '${inst.name}': ${path.reason}; its resources are not checked`);
    return path;
  }
  if (!run.loadLinked) return new Unknown('linked templates are not read here');
  const loaded = run.loadLinked(outer.template.file.absPath, path);
  if (isLoadFailure(loaded)) {
    outer.report(at, 'linked-template', failureSeverity(loaded), `deployment '${inst.name}': cannot read the linked template '${path}': ${loaded.reason}; its resources are not checked`);
    return new Unknown(`the linked template '${path}' could not be read`);
  }
  return loaded;
}

function linkedParameterFile(inst: Instance, properties: Value | undefined, outer: TemplateScope, run: ExpansionRun): JsonDocument | undefined {
  const link = getProperty(properties, 'parametersLink');
  if (link === undefined || !run.loadLinked) return undefined;
  const path = localPathOf(link);
  const at = childNode(childNode(inst.node, 'properties'), 'parametersLink') ?? inst.node;
  if (isUnknown(path)) {
    outer.report(at, 'linked-template', 'info', `deployment '${inst.name}': ${path.reason}; its parameters are unknown`);
    return undefined;
  }
  const loaded = run.loadLinked(outer.template.file.absPath, path);
  if (isLoadFailure(loaded)) {
    outer.report(at, 'linked-template', failureSeverity(loaded), `deployment '${inst.name}': cannot read the parameter file '${path}': ${loaded.reason}`);
    return undefined;
  }
  return loaded;
}

function isLoadFailure(loaded: JsonDocument | LinkedLoadFailure): loaded is LinkedLoadFailure {
  return typeof (loaded as LinkedLoadFailure).refused === 'boolean';
}

/**
 * A file the sandbox refused is an error: the scan's own rule left part of the deployment
 * unchecked, so the result is incomplete (exit code 3) rather than clean. A file that is missing
 * or broken stays a warning, as before: that is a defect of the template, which the deployment
 * itself would report. Remote links and template specs never get here (a note, above).
 */
function failureSeverity(failure: LinkedLoadFailure): 'error' | 'warning' {
  return failure.refused ? 'error' : 'warning';
}

/** `relativePath`, or a `uri` that is a relative path; remote URIs and template specs are not read. */
function localPathOf(link: Value | undefined): string | Unknown {
  if (!isObject(link)) return new Unknown('the deployment has neither an inline template nor a template link');
  const relative = getProperty(link, 'relativePath');
  if (typeof relative === 'string') return relative;
  const uri = getProperty(link, 'uri');
  if (typeof uri === 'string' && !/^[a-z][a-z0-9+.-]*:/i.test(uri)) return uri;
  if (typeof uri === 'string') return new Unknown(`the linked template ${uri} is remote and is not fetched`);
  if (getProperty(link, 'id') !== undefined) return new Unknown('template specs are not fetched');
  if (isUnknown(relative) || isUnknown(uri)) return new Unknown('the template link is computed at deployment');
  return new Unknown('the template link has no relativePath or uri');
}
