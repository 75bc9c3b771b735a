import type { Diagnostic } from '../../load/diagnostic.js';
import { childNode, type JsonNode } from '../../load/json-document.js';
import { locateInTree } from '../../resources/locate.js';
import type { LocatedValue, Resource, ResourceSource } from '../../resources/resource.js';
import { getProperty, isUnknown, markDeclaredBody, Unknown, type ObjectValue, type Value, setOwn } from '../../resources/value.js';
import type { EvalContext, ResourceLookup } from '../expression/context.js';
import { FunctionError } from '../expression/evaluator.js';
import { LimitExceeded } from '../expression/budget.js';
import { isExpression } from '../expression/parser.js';
import { findDependencyCycles } from './depends-on.js';
import { evaluateNode, evaluateString } from './evaluate-node.js';
import { MAX_COPY_COUNT, MAX_NESTING_DEPTH } from './limits.js';
import { nestedScope, nestedTemplateOf } from './nested-deployment.js';
import { resourceIdFor } from './resource-id.js';
import type { CopyIndexes, TemplateScope } from './template-scope.js';
import { pushTo } from '../../multimap.js';
import { copiesText, declarationPath } from './declaration.js';
import { recordNotFollowed } from './not-followed.js';
import type { ExpansionRun } from './expansion-run.js';

// Keys of a resource declaration that are instructions to ARM, not part of the resource.
const CONTROL_KEYS = new Set(['resources', 'copy', 'condition', 'dependson', 'comments', 'existing']);
const DEPLOYMENTS = 'microsoft.resources/deployments';

/** One resource declaration for one copy-loop instance, known before its body is evaluated. */
export interface Instance {
  node: JsonNode;
  copies: CopyIndexes;
  parent?: Instance;
  symbolicName?: string;
  loopName?: string;
  type: string;
  name: string;
  id: string;
  /** Why the name is unknown, when it is (`name` and `id` then hold a `<unknown>` placeholder, for display). */
  nameUnknown?: Unknown;
  /** Why the id is unknown: the name, or the scope of an extension resource, is known only at deployment. */
  idUnknown?: Unknown;
  existing: boolean;
  /** An existing resource's problems, kept out of the report until the template uses it. */
  withheld?: Diagnostic[];
  condition: Value;
  body?: ObjectValue;
  evaluating?: boolean;
  resource?: Resource;
  nested?: DeploymentExpansion | Unknown;
}

/**
 * The resources of one template: the file's own, or a nested deployment's. Resources are first
 * declared (condition, copy, type, name: enough to resolve `reference()` and `dependsOn`), then
 * their bodies are evaluated on demand, so a resource can read another declared after it.
 */
export class DeploymentExpansion implements ResourceLookup {
  readonly instances: Instance[] = [];
  private readonly bySymbol = new Map<string, Instance[]>();
  private readonly byLoop = new Map<string, Instance[]>();
  /** Resources whose condition is false, by symbolic name (languageVersion 2.0, not in a loop). */
  private readonly notDeployed = new Map<string, { node: JsonNode; parent: Instance | undefined; copies: CopyIndexes; inst?: Instance | undefined }>();
  private expanded = false;
  private outputsMemo?: ObjectValue;

  constructor(
    readonly scope: TemplateScope,
    readonly templateRoot: JsonNode,
    readonly run: ExpansionRun,
    readonly depth: number,
    private readonly baseCopies: CopyIndexes,
    ownsScope: boolean,
    /** The declaration of the deployment resource that deploys this template (empty at the top): part of each resource's identity. */
    private readonly deployedBy = '',
  ) {
    if (ownsScope) scope.resources = this;
    const declared = childNode(templateRoot, 'resources');
    if (declared) this.declare(declared, undefined, baseCopies);
  }

  /** Produces the resources (and those of nested deployments) into the run, once. */
  expand(): void {
    if (this.expanded) return;
    this.expanded = true;
    this.checkDependencies();
    for (const inst of this.instances) {
      if (inst.existing) continue;
      this.run.resources.push(this.resourceOf(inst));
      if (inst.type.toLowerCase() === DEPLOYMENTS) {
        const nested = this.nested(inst);
        if (!isUnknown(nested)) nested.expand();
      }
    }
  }

  // ---- declaration -------------------------------------------------------------------------

  private declare(list: JsonNode, parent: Instance | undefined, copies: CopyIndexes): void {
    // languageVersion 2.0 keys resources by symbolic name.
    const entries: [string | undefined, JsonNode][] =
      list.type === 'array'
        ? (list.children ?? []).map((n) => [undefined, n])
        : list.type === 'object'
          ? (list.children ?? []).flatMap((p) => (p.children?.[1] ? [[String(p.children[0]?.value), p.children[1]] as [string, JsonNode]] : []))
          : [];
    for (const [symbolicName, node] of entries) {
      if (node.type !== 'object') continue;
      for (const instanceCopies of this.copyInstances(node, copies)) this.declareOne(node, symbolicName, parent, instanceCopies);
    }
  }

  /** One map of loop indexes per instance; a resource without `copy` has exactly one instance. */
  private copyInstances(node: JsonNode, outer: CopyIndexes): CopyIndexes[] {
    const copy = childNode(node, 'copy');
    if (!copy) return [outer];
    const ctx = this.scope.context(outer);
    const countNode = childNode(copy, 'count');
    const count = countNode ? evaluateNode(countNode, this.scope, ctx) : null;
    const name = childNode(copy, 'name')?.value;
    const where = countNode ?? copy;
    if (isUnknown(count)) {
      this.scope.report(where, 'copy-count-unknown', 'warning', `the copy count is unknown (${count.reason}); one instance is checked`);
      return [withIndex(outer, name, 0)];
    }
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
      this.scope.report(where, 'copy-count', 'error', `the copy count must be a non-negative integer, not ${JSON.stringify(count)}`);
      return [];
    }
    if (count > MAX_COPY_COUNT) {
      this.scope.report(where, 'copy-count', 'error', `the copy count ${count} is over ARM's limit of ${MAX_COPY_COUNT}`);
      return [];
    }
    return Array.from({ length: count }, (_, i) => withIndex(outer, name, i));
  }

  private declareOne(node: JsonNode, symbolicName: string | undefined, parent: Instance | undefined, copies: CopyIndexes): void {
    // ARM reads an existing resource only where the template uses it (reference(), its id, a
    // child): the errors of one nothing uses are not the deployment's. Declared all the same, so
    // that a use finds it; its problems are reported at the first use.
    const existing = childNode(node, 'existing')?.value === true;
    const { result: inst, held } = existing
      ? this.scope.withhold(() => this.conditionAndIdentity(node, symbolicName, parent, copies))
      : { result: this.conditionAndIdentity(node, symbolicName, parent, copies), held: [] };
    if (!inst) {
      // Not declared (condition false, no type): nothing can use it, except resourceInfo() of a
      // resource whose condition is false, which identifies it again.
      return;
    }
    if (held.length) inst.withheld = held;
    this.instances.push(inst);
    if (symbolicName) pushTo(this.bySymbol, symbolicName.toLowerCase(), inst);
    if (inst.loopName) pushTo(this.byLoop, inst.loopName.toLowerCase(), inst);
    const children = childNode(node, 'resources');
    if (children) this.declare(children, inst, copies);
    // A deployed child is named after its parent: the parent's name is used.
    if (inst.withheld && this.instances.some((i) => i.parent === inst && !i.existing)) this.use(inst);
  }

  private conditionAndIdentity(node: JsonNode, symbolicName: string | undefined, parent: Instance | undefined, copies: CopyIndexes): Instance | undefined {
    const ctx = this.scope.context(copies);
    const conditionNode = childNode(node, 'condition');
    const condition = conditionNode ? evaluateNode(conditionNode, this.scope, ctx) : true;
    if (condition === false) {
      // Not deployed, but ARM still knows its id: resourceInfo() of it works (reference() would not).
      if (symbolicName && !childNode(node, 'copy')) this.notDeployed.set(symbolicName.toLowerCase(), { node, parent, copies });
      return undefined;
    }
    if (conditionNode && !isUnknown(condition) && condition !== true) this.scope.report(conditionNode, 'condition', 'error', 'a condition must be a boolean');
    return this.identify(node, symbolicName, parent, copies, condition);
  }

  /** The template uses a declared resource: problems withheld while declaring it (and its parents) are reported now. */
  private use(inst: Instance): void {
    for (let i: Instance | undefined = inst; i; i = i.parent) {
      if (!i.withheld) continue;
      this.scope.release(i.withheld);
      i.withheld = undefined;
    }
  }

  /** A resource's type, name and id for one copy instance (undefined, reported, when it has no type). */
  private identify(
    node: JsonNode,
    symbolicName: string | undefined,
    parent: Instance | undefined,
    copies: CopyIndexes,
    condition: Value,
  ): Instance | undefined {
    const ctx = this.scope.context(copies);
    const typeNode = childNode(node, 'type');
    const declaredType = typeNode ? evaluateNode(typeNode, this.scope, ctx) : undefined;
    if (isUnknown(declaredType)) {
      // Not the template's fault (a type from a parameter without a value): no rule can match a
      // resource of unknown type, which the scan should say, but it is no error of the input.
      this.scope.report(typeNode!, 'resource-type-unknown', 'warning', `the resource type is unknown (${declaredType.reason}): the resource is not checked`);
      return undefined;
    }
    if (typeof declaredType !== 'string' || !declaredType) {
      this.scope.report(node, 'resource-type', 'error', 'the resource has no type');
      return undefined;
    }
    const nameNode = childNode(node, 'name');
    const nameValue = nameNode ? evaluateNode(nameNode, this.scope, ctx) : undefined;
    const declaredName = textOf(nameValue);
    // A nested child's type is relative to its parent (`backends`, or several segments such as
    // `apis/policies` with name `orders/policy`) unless fully qualified: only a provider namespace
    // (`Microsoft.ApiManagement`) has a dot in its first segment.
    const short = parent && !declaredType.split('/')[0]!.includes('.');
    const type = short ? `${parent.type}/${declaredType}` : declaredType;
    const name = short ? `${parent.name}/${declaredName}` : declaredName;
    const scopeNode = childNode(node, 'scope');
    let extensionScope = scopeNode ? evaluateNode(scopeNode, this.scope, ctx) : undefined;
    // languageVersion 2.0: an existing resource in another resource group or subscription
    // (Bicep's `scope: resourceGroup(sub, rg)` / `subscription()`) says where with these two.
    const groupNode = childNode(node, 'resourceGroup');
    const subscriptionNode = childNode(node, 'subscriptionId');
    if (extensionScope === undefined && (groupNode || subscriptionNode) && type.toLowerCase() !== DEPLOYMENTS) {
      const group = groupNode ? evaluateNode(groupNode, this.scope, ctx) : undefined;
      const subscription = subscriptionNode ? evaluateNode(subscriptionNode, this.scope, ctx) : this.scope.deployment.subscriptionId;
      if (isUnknown(group)) extensionScope = group;
      else if (isUnknown(subscription)) extensionScope = subscription;
      else
        extensionScope =
          group === undefined ? `/subscriptions/${textOf(subscription)}` : `/subscriptions/${textOf(subscription)}/resourceGroups/${textOf(group)}`;
    }
    const loopName = childNode(childNode(node, 'copy'), 'name')?.value;
    // Counted when declared: a copy inside a copy inside deployments is where the numbers grow.
    this.atNode(node, () => this.scope.budget?.resource());
    const inst: Instance = {
      node,
      copies,
      parent,
      symbolicName,
      loopName: typeof loopName === 'string' ? loopName : undefined,
      type,
      name,
      id: resourceIdFor(
        type,
        name,
        this.scope.deployment,
        this.scope.targetScope,
        typeof extensionScope === 'string' ? extensionScope : isUnknown(extensionScope) ? '/<unknown>' : undefined,
      ),
      existing: childNode(node, 'existing')?.value === true,
      condition,
    };
    const nameUnknown = isUnknown(nameValue) ? nameValue : short ? parent?.nameUnknown : undefined;
    if (nameUnknown) inst.nameUnknown = nameUnknown;
    const idUnknown = nameUnknown ?? (isUnknown(extensionScope) ? extensionScope : undefined);
    if (idUnknown) inst.idUnknown = idUnknown;
    return inst;
  }

  private checkDependencies(): void {
    for (const { path, size } of findDependencyCycles(this.instances, (inst) => this.dependenciesOf(inst))) {
      const first = path[0]!;
      const at = childNode(first.node, 'dependsOn') ?? first.node;
      const others = size > path.length ? ` (${size} resources depend on each other)` : '';
      this.scope.report(
        at,
        'dependson-cycle',
        'error',
        `dependsOn forms a cycle: ${[...path, first].map((i) => i.symbolicName ?? i.name).join(' -> ')}${others}`,
      );
    }
  }

  private dependenciesOf(inst: Instance): Instance[] {
    const node = childNode(inst.node, 'dependsOn');
    if (node?.type !== 'array') return [];
    const ctx = this.scope.context(inst.copies);
    const out: Instance[] = [];
    for (const entry of node.children ?? []) {
      const target = evaluateNode(entry, this.scope, ctx);
      if (typeof target !== 'string') continue;
      // A dependency names a resource, a copy loop (all its instances) or a symbolic name.
      const loop = this.byLoop.get(target.toLowerCase());
      if (loop) out.push(...loop);
      else out.push(...this.resolveAll(target));
    }
    // What a deployed resource waits for is used; one existing resource naming another is not.
    if (!inst.existing) for (const target of out) this.use(target);
    return out;
  }

  // ---- bodies and resources ----------------------------------------------------------------

  private bodyOf(inst: Instance): ObjectValue {
    if (inst.body) return inst.body;
    if (inst.evaluating) throw new FunctionError(`'${inst.symbolicName ?? inst.name}' reads itself through reference() (a circular reference)`);
    inst.evaluating = true;
    try {
      const ctx = this.scope.context(inst.copies);
      const inner = inst.type.toLowerCase() === DEPLOYMENTS ? nestedTemplateOf(inst.node) : undefined;
      const replace = inner ? new Map([[inner, new Unknown('the nested template is expanded into its own resources')]]) : undefined;
      const body = evaluateNode(inst.node, this.scope, ctx, { skip: CONTROL_KEYS, replace }) as ObjectValue;
      body['type'] = inst.type;
      body['name'] = inst.name;
      inst.body = body;
      return body;
    } finally {
      inst.evaluating = false;
    }
  }

  private resourceOf(inst: Instance): Resource {
    if (inst.resource) return inst.resource;
    const body = this.bodyOf(inst);
    const scope = this.scope;
    const parent = inst.parent?.resource;
    const declarationOf = (i: Instance) => this.declarationOf(i);
    const resource: Resource = {
      type: inst.type,
      name: inst.name,
      id: inst.id,
      apiVersion: typeof body['apiVersion'] === 'string' ? body['apiVersion'] : undefined,
      body,
      parent,
      children: [],
      // An unknown condition: checked as if deployed, and said so.
      conditionUnknown: isUnknown(inst.condition) ? inst.condition.reason : undefined,
      source: new DeclaredSource(scope, inst, declarationOf),
    };
    inst.resource = resource;
    parent?.children.push(resource);
    return resource;
  }

  /**
   * The instance's identity independent of the deployment context: the deploying chain, the
   * declaring file, the path to the declaration in it and the copy indexes (declaration.ts).
   */
  private declarationOf(inst: Instance): string {
    const own = `${this.scope.template.file.path}#${declarationPath(inst.node)}${copiesText(inst.copies)}`;
    return this.deployedBy ? `${this.deployedBy} > ${own}` : own;
  }

  /** Runs a budget count; a limit hit there is located at the declaration that caused it. */
  private atNode(node: JsonNode, count: () => void): void {
    try {
      count();
    } catch (err) {
      if (err instanceof LimitExceeded && !err.location) {
        err.file = this.scope.template.file.path;
        err.location = this.scope.template.file.locationOf(node.offset, 1);
      }
      throw err;
    }
  }

  // ---- nested deployments ------------------------------------------------------------------

  private nested(inst: Instance): DeploymentExpansion | Unknown {
    if (inst.nested) return inst.nested;
    if (this.depth + 1 > MAX_NESTING_DEPTH) {
      this.scope.report(inst.node, 'nesting-depth', 'error', `deployments nest more than ${MAX_NESTING_DEPTH} deep; the inner ones are not expanded`);
      const file = this.scope.template.file;
      recordNotFollowed(this.run, {
        kind: 'too-deep',
        deployment: inst.name,
        file: file.path,
        location: file.locationOf(inst.node.offset, inst.node.length),
        detail: `more than ${MAX_NESTING_DEPTH} levels`,
      });
      return (inst.nested = new Unknown('the deployment nests too deep'));
    }
    this.atNode(inst.node, () => this.scope.budget?.deployment());
    const body = this.bodyOf(inst);
    const found = nestedScope(inst, body, this.scope, this.run);
    if (isUnknown(found)) return (inst.nested = found);
    const via = this.declarationOf(inst);
    inst.nested =
      found.scope === this.scope
        ? new DeploymentExpansion(this.scope, found.root, this.run, this.depth + 1, inst.copies, false, via)
        : new DeploymentExpansion(found.scope, found.root, this.run, this.depth + 1, new Map(), true, via);
    return inst.nested;
  }

  /** The template's outputs, `{ name: { type, value } }`, as a nested deployment returns them. */
  outputs(): ObjectValue {
    if (this.outputsMemo) return this.outputsMemo;
    const out: ObjectValue = {};
    const ctx = this.scope.context(this.baseCopies);
    for (const prop of childNode(this.templateRoot, 'outputs')?.children ?? []) {
      const [key, decl] = prop.children ?? [];
      if (!key || !decl) continue;
      const conditionNode = childNode(decl, 'condition');
      if (conditionNode && evaluateNode(conditionNode, this.scope, ctx) === false) continue;
      const type = childNode(decl, 'type')?.value;
      const copy = childNode(decl, 'copy');
      const valueNode = childNode(decl, 'value');
      const value: Value = copy ? this.outputCopy(copy, ctx) : valueNode ? evaluateNode(valueNode, this.scope, ctx) : null;
      setOwn(out, String(key.value), { type: typeof type === 'string' ? type : 'object', value });
    }
    return (this.outputsMemo = out);
  }

  private outputCopy(copy: JsonNode, ctx: EvalContext): Value {
    const countNode = childNode(copy, 'count');
    const input = childNode(copy, 'input');
    const count = countNode ? evaluateNode(countNode, this.scope, ctx) : null;
    if (isUnknown(count)) return new Unknown(`the output copy count is unknown (${count.reason})`);
    if (!input || typeof count !== 'number' || count < 0 || count > MAX_COPY_COUNT) {
      this.scope.report(countNode ?? copy, 'copy-count', 'error', `an output copy needs an integer count from 0 to ${MAX_COPY_COUNT} and an input`);
      return new Unknown('the output copy is invalid');
    }
    return Array.from({ length: count }, (_, i) => evaluateNode(input, this.scope, { ...ctx, copyIndex: () => i }));
  }

  // ---- reference(), references(), resourceInfo() ----------------------------------------------

  reference(target: string, full: boolean): Value {
    const inst = this.resolve(target);
    if (!inst) return new Unknown(`reference('${target}') reads a resource this deployment does not create`);
    this.use(inst);
    if (inst.existing) return new Unknown(`'${target}' is an existing resource: its properties are read from Azure`);
    if (inst.type.toLowerCase() === DEPLOYMENTS) {
      const nested = this.nested(inst);
      const outputs: Value = isUnknown(nested) ? nested : nested.outputs();
      const properties: ObjectValue = { outputs, provisioningState: 'Succeeded' };
      const value = full ? { ...this.bodyOf(inst), properties } : properties;
      markDeclaredBody(value);
      return value;
    }
    const body = this.bodyOf(inst);
    const value = full ? body : (getProperty(body, 'properties') ?? {});
    markDeclaredBody(value);
    return value;
  }

  references(symbolicName: string, full: boolean): Value {
    const all = this.bySymbol.get(symbolicName.toLowerCase());
    if (!all) throw new FunctionError(`the template has no resource collection '${symbolicName}'`);
    return all.map((inst) => this.reference(inst.id, full));
  }

  resourceInfo(symbolicName: string): Value {
    const inst = this.resolve(symbolicName) ?? this.notDeployedInstance(symbolicName);
    if (!inst) throw new FunctionError(`the template has no resource '${symbolicName}'`);
    this.use(inst);
    const apiVersion = childNode(inst.node, 'apiVersion')?.value;
    // A name known only at deployment makes the id unknown too, as resourceId() over it is in a
    // compiled template: a guid() or uniqueString() of the id must not hash the placeholder.
    return {
      id: inst.idUnknown ?? inst.id,
      name: inst.nameUnknown ?? inst.name,
      type: inst.type,
      apiVersion: typeof apiVersion === 'string' ? apiVersion : null,
    };
  }

  /** A resource whose condition is false, identified on first use only (its name may not even evaluate otherwise). */
  private notDeployedInstance(symbolicName: string): Instance | undefined {
    const key = symbolicName.toLowerCase();
    const found = this.notDeployed.get(key);
    if (!found) return undefined;
    if (!('inst' in found)) found.inst = this.identify(found.node, symbolicName, found.parent, found.copies, false);
    return found.inst;
  }

  private resolve(target: string): Instance | undefined {
    return this.resolveAll(target)[0];
  }

  /** A symbolic name (`sym`, `sym[2]`), a resource id, `Microsoft.X/t/name`, or a plain resource name. */
  private resolveAll(target: string): Instance[] {
    const lower = target.toLowerCase();
    const symbol = this.bySymbol.get(lower);
    if (symbol) return symbol;
    const indexed = lower.endsWith(']') ? /^(.+)\[(\d+)\]$/.exec(lower) : null;
    if (indexed) {
      const inst = this.bySymbol.get(indexed[1]!)?.[Number(indexed[2])];
      if (inst) return [inst];
    }
    const index = this.lookupIndex();
    return index.byId.get(lower) ?? index.byProviderPath.get(lower) ?? index.byName.get(lower) ?? [];
  }

  private index?: { byId: Map<string, Instance[]>; byProviderPath: Map<string, Instance[]>; byName: Map<string, Instance[]> };

  /** Built once, after declaration: resolving `dependsOn` and `reference()` must not scan every resource. */
  private lookupIndex() {
    if (this.index) return this.index;
    const index = { byId: new Map<string, Instance[]>(), byProviderPath: new Map<string, Instance[]>(), byName: new Map<string, Instance[]>() };
    for (const inst of this.instances) {
      const id = inst.id.toLowerCase();
      pushTo(index.byId, id, inst);
      // `Microsoft.X/type/name`: the part after the last `/providers/` (extension resources have two).
      const at = id.lastIndexOf('/providers/');
      if (at >= 0) pushTo(index.byProviderPath, id.slice(at + '/providers/'.length), inst);
      pushTo(index.byName, inst.name.toLowerCase(), inst);
    }
    return (this.index = index);
  }
}

/** Re-evaluates an expression while recording reads; only run for findings, never on the hot path. */
function traceOrigins(node: JsonNode, scope: TemplateScope, ctx: EvalContext) {
  try {
    const { reads } = scope.withReads(() => evaluateString(node, scope, ctx));
    return scope.originsOf(reads);
  } catch (err) {
    // The unit's budget is spent (already reported): the finding stands without its origins.
    if (err instanceof LimitExceeded) return [];
    throw err;
  }
}

function withIndex(outer: CopyIndexes, name: unknown, i: number): CopyIndexes {
  const m = new Map(outer);
  m.set(undefined, i);
  if (typeof name === 'string') m.set(name.toLowerCase(), i);
  return m;
}

function textOf(v: Value | undefined): string {
  return typeof v === 'string' ? v : isUnknown(v) ? '<unknown>' : v === undefined || v === null ? '' : String(v);
}

/**
 * Where a template's resource comes from. A class whose location and declaration are computed
 * when a finding asks (most resources never have one), once each: an object literal with getters,
 * made per resource, is built slowly, and a resource with five findings made its declaration five times.
 */
class DeclaredSource implements ResourceSource {
  readonly kind = 'template';
  readonly document: TemplateScope['template'];
  readonly parameterFile: TemplateScope['parameterFile'];
  readonly #scope: TemplateScope;
  readonly #inst: Instance;
  readonly #declarationOf: (inst: Instance) => string;
  #location: ResourceSource['location'] | undefined;
  #declaration: string | undefined;
  constructor(scope: TemplateScope, inst: Instance, declarationOf: (inst: Instance) => string) {
    this.document = scope.template;
    this.parameterFile = scope.parameterFile;
    this.#scope = scope;
    this.#inst = inst;
    this.#declarationOf = declarationOf;
  }
  get location(): ResourceSource['location'] {
    return (this.#location ??= this.#scope.template.file.locationOf(this.#inst.node.offset, 1));
  }
  get declaration(): string {
    return (this.#declaration ??= this.#declarationOf(this.#inst));
  }
  locate(path: Parameters<ResourceSource['locate']>[0]): LocatedValue {
    const scope = this.#scope;
    const inst = this.#inst;
    return locateInTree(
      scope.template,
      inst.node,
      path,
      (at) => traceOrigins(at, scope, scope.context(inst.copies)),
      (at) => at.type === 'string' && isExpression(at.value as string),
    );
  }
}
