import { childNode, type JsonDocument, type JsonNode } from '../../load/json-document.js';
import { leafName } from '../../resources/resource.js';
import { getPath, getProperty, isObject, isUnknown, Unknown, type ObjectValue, type Value } from '../../resources/value.js';
import type { DeploymentContext } from '../expression/context.js';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ExpansionRun, LinkedLoadFailure } from './expansion-run.js';
import { checkParameterFile } from './parameter-file.js';
import { TemplateScope, type SuppliedParameter } from './template-scope.js';
import { recordNotFollowed, UnfollowedLink, type NotFollowedKind } from './not-followed.js';

/** The inline template node of a `Microsoft.Resources/deployments` declaration, if any. */
export function nestedTemplateOf(node: JsonNode): JsonNode | undefined {
  const inner = childNode(childNode(node, 'properties'), 'template');
  return inner?.type === 'object' ? inner : undefined;
}

/** The `file:` URL `deployment().properties.templateLink.uri` gives for a template read from a file. */
export function templateLinkOf(template: JsonDocument): string {
  return pathToFileURL(template.file.absPath).href;
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
  // A linked template sees its own URL in deployment().properties.templateLink (its `_artifactsLocation`
  // default); an inline one has none, and neither has a Bicep module, which Bicep compiles inline.
  const linkedJson = !inline && !/\.bicep$/i.test(document.file.absPath);
  const deployment = { ...deploymentOf(inst, body, outer.deployment), templateLink: linkedJson ? templateLinkOf(document) : undefined };
  const scope = new TemplateScope(document, root, { supplied, file: parameterFile }, run.functions, deployment, run.diagnostics, outer.secrets, outer.budget);
  if (parameterFile) checkParameterFile(scope);
  for (const [name, entry] of supplied) {
    if (!scope.parameterDeclaration(name) && entry.origin) {
      run.diagnostics.push({
        severity: 'warning',
        code: 'unknown-parameter',
        message: `the deployment passes '${name}', which its template does not declare`,
        file: outer.template.file.path,
        location: entry.origin.location,
      });
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
  const target = localPathOf(link, run);
  // What is not followed is recorded with its kind, so the coverage can count it by reason.
  const file = outer.template.file;
  const notFollowed = (kind: NotFollowedKind, detail: string) =>
    recordNotFollowed(run, { kind, deployment: inst.name, file: file.path, location: file.locationOf(at.offset, at.length), detail });
  if (isUnknown(target)) {
    outer.report(at, 'linked-template', 'info', `deployment '${inst.name}': ${target.reason}; its resources are not checked`);
    notFollowed(target instanceof UnfollowedLink ? target.kind : 'no-template', target.reason);
    return target;
  }
  if (!run.loadLinked) return new Unknown('linked templates are not read here');
  const { path, shown } = target;
  const loaded = run.loadLinked(outer.template.file.absPath, path);
  if (isLoadFailure(loaded)) {
    outer.report(
      at,
      'linked-template',
      failureSeverity(loaded),
      `deployment '${inst.name}': cannot read the linked template '${shown}': ${loaded.reason}; its resources are not checked`,
    );
    notFollowed(loaded.refused ? 'refused' : 'unreadable', `'${shown}': ${loaded.reason}`);
    return new Unknown(`the linked template '${shown}' could not be read`);
  }
  if (target.prefix) {
    outer.report(
      at,
      'linked-template',
      'info',
      `deployment '${inst.name}': the linked template ${shown} is read from ${loaded.file.path} (configuration links: '${target.prefix}')`,
    );
  }
  return loaded;
}

function linkedParameterFile(inst: Instance, properties: Value | undefined, outer: TemplateScope, run: ExpansionRun): JsonDocument | undefined {
  const link = getProperty(properties, 'parametersLink');
  if (link === undefined || !run.loadLinked) return undefined;
  const target = localPathOf(link, run);
  const at = childNode(childNode(inst.node, 'properties'), 'parametersLink') ?? inst.node;
  if (isUnknown(target)) {
    outer.report(at, 'linked-template', 'info', `deployment '${inst.name}': ${target.reason}; its parameters are unknown`);
    return undefined;
  }
  const loaded = run.loadLinked(outer.template.file.absPath, target.path);
  if (isLoadFailure(loaded)) {
    outer.report(
      at,
      'linked-template',
      failureSeverity(loaded),
      `deployment '${inst.name}': cannot read the parameter file '${target.shown}': ${loaded.reason}`,
    );
    return undefined;
  }
  if (target.prefix) {
    outer.report(
      at,
      'linked-template',
      'info',
      `deployment '${inst.name}': the parameter file ${target.shown} is read from ${loaded.file.path} (configuration links: '${target.prefix}')`,
    );
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

/** Where a link points on disk: a path relative to the linking file or absolute, as written (`shown`), and the `links:` prefix that mapped it. */
interface LinkTarget {
  path: string;
  shown: string;
  prefix?: string;
}

/**
 * `relativePath`; a `uri` that is a relative path; a `file:` URL (what `deployment().properties.templateLink.uri`
 * gives for a scanned file, so `_artifactsLocation` links resolve beside it); an absolute URL the configuration's
 * `links:` maps to a folder. Other remote URLs, registry modules and template specs are not read. A query (the SAS
 * token) is not part of the file's name.
 */
function localPathOf(link: Value | undefined, run: ExpansionRun): LinkTarget | UnfollowedLink {
  if (!isObject(link)) return new UnfollowedLink('no-template', 'the deployment has neither an inline template nor a template link');
  const relative = getProperty(link, 'relativePath');
  if (typeof relative === 'string') return { path: relative, shown: relative };
  const uri = getProperty(link, 'uri');
  // A Bicep registry module not in the local cache is lowered to a link naming the module (`br:…`, `br/alias:…`, `ts:…`).
  if (typeof uri === 'string' && /^(br|ts)[:/]/i.test(uri)) {
    return new UnfollowedLink('registry-module', `the registry module ${uri} is not in the local cache`);
  }
  if (typeof uri === 'string' && !/^[a-z][a-z0-9+.-]*:/i.test(uri)) return { path: uri, shown: uri };
  if (typeof uri === 'string' && /^file:/i.test(uri)) {
    const file = filePathOf(uri);
    return file === undefined
      ? new UnfollowedLink('remote-link', `the template link ${uri} is not a file URL this system can open`)
      : { path: file, shown: uri.split('?')[0]! };
  }
  if (typeof uri === 'string') {
    const mapped = run.resolveRemoteLink?.(uri);
    if (mapped) return { path: mapped.path, shown: uri.split('?')[0]!, prefix: mapped.prefix };
    const hint = /^https?:/i.test(uri) ? ' (a links: entry in the configuration can map its prefix to a folder of the repository)' : '';
    return new UnfollowedLink('remote-link', `the linked template ${uri} is remote and is not fetched${hint}`);
  }
  if (getProperty(link, 'id') !== undefined) return new UnfollowedLink('template-spec', 'template specs are not fetched');
  if (isUnknown(relative) || isUnknown(uri)) return new UnfollowedLink('computed-link', 'the template link is computed at deployment');
  return new UnfollowedLink('no-template', 'the template link has no relativePath or uri');
}

function filePathOf(uri: string): string | undefined {
  try {
    const url = new URL(uri);
    url.search = '';
    url.hash = '';
    return fileURLToPath(url);
  } catch {
    return undefined;
  }
}
