import type { Diagnostic } from '../../load/diagnostic.js';
import { childNode, type JsonDocument, type JsonNode } from '../../load/json-document.js';
import { Unknown, type Value } from '../../resources/value.js';
import type { ValueOrigin } from '../../resources/resource.js';
import type { DeploymentContext, EvalContext, FunctionTable, ResourceLookup } from '../expression/context.js';
import { FunctionError } from '../expression/evaluator.js';
import type { Budget } from '../expression/budget.js';
import { evaluateNode, expandCopyEntries } from './evaluate-node.js';
import { checkParameterValue, collectSecureParts, isNullableParameter, isSecureType } from './parameter-checks.js';
import { withUserFunctions } from './user-functions.js';
import type { NodeScope } from './node-scope.js';

/** A parameter or variable that an evaluated value read: what provenance is made of. */
export type Read = { kind: 'parameter' | 'variable'; name: string };

/**
 * Adds a read to the reads being collected, once: a set beside the list, as a chain of variables
 * reads all the ones before it, and a linear search per read made a long chain cubic (3,000
 * variables took a minute). The read's object is made only when it is new (`read`: one to reuse).
 */
function addRead(top: { reads: Read[]; seen: Set<string> }, kind: Read['kind'], name: string, read?: Read): boolean {
  const key = `${kind}:${name}`;
  if (top.seen.has(key)) return false;
  top.seen.add(key);
  top.reads.push(read ?? { kind, name });
  return true;
}

interface Memo {
  state: 'running' | 'done';
  value: Value;
  reads: Read[];
  /** The problems computing the value reported, its reads' included: reported again if withheld (see `withhold`). */
  diagnostics: Diagnostic[];
}

/**
 * Problems found while evaluating something ARM would not evaluate unless it is used (an
 * `existing` resource nothing references), kept out of the report until it is. Keyed by the
 * diagnostics list of an expansion, which every scope of the expansion shares.
 */
const withheldBy = new WeakMap<Diagnostic[], Set<Diagnostic>>();

/** A parameter value handed to a nested template by its deployment, with where it was written. */
export interface SuppliedParameter {
  value: Value;
  origin?: ValueOrigin;
}

/** Where a template's parameter values come from: a parameter file, or the deployment that nests it. */
export interface ParameterSource {
  file?: JsonDocument;
  /** Keyed by lower-case name. */
  supplied?: ReadonlyMap<string, SuppliedParameter>;
  /** Values from the configuration for parameters that would otherwise have none. Keyed by lower-case name. */
  fallback?: ReadonlyMap<string, Value>;
}

/** The deployment scope ARM infers from the template's `$schema`. */
export type TargetScope = 'resourceGroup' | 'subscription' | 'managementGroup' | 'tenant';

export function targetScopeOf(root: JsonNode): TargetScope {
  const schema = String(childNode(root, '$schema')?.value ?? '').toLowerCase();
  if (schema.includes('subscriptiondeploymenttemplate')) return 'subscription';
  if (schema.includes('managementgroupdeploymenttemplate')) return 'managementGroup';
  if (schema.includes('tenantdeploymenttemplate')) return 'tenant';
  return 'resourceGroup';
}

export type CopyIndexes = ReadonlyMap<string | undefined, number>;

/**
 * The parameters, variables and user-defined functions of one template (the file's root, or a
 * nested deployment's inner template) with one set of parameter values. Values are computed on
 * first use and remembered with the parameters and variables they read, so that a finding can
 * name the line that set a value without evaluating anything twice.
 */
export class TemplateScope implements NodeScope {
  readonly functions: FunctionTable;
  readonly targetScope: TargetScope;
  /** Set by the expansion that owns this scope. */
  resources?: ResourceLookup;
  private readonly params = new Map<string, Memo>();
  private readonly vars = new Map<string, Memo>();
  private readonly paramDecls: JsonNode | undefined;
  private readonly varDecls: JsonNode | undefined;
  private readonly paramValues: JsonNode | undefined;
  /**
   * The expression strings being evaluated, innermost last (pushed by evaluateString): where a
   * variable is read, for the message of an error in its definition.
   */
  readonly expressionStack: JsonNode[] = [];
  /** The reads of the evaluation in progress (innermost last). */
  private readonly readStack: { reads: Read[]; seen: Set<string> }[] = [];

  constructor(
    readonly template: JsonDocument,
    readonly root: JsonNode,
    readonly parameterSource: ParameterSource,
    functions: FunctionTable,
    readonly deployment: DeploymentContext,
    readonly diagnostics: Diagnostic[],
    /** Values of secure parameters (securestring, secureObject): never printed by Tollgate. */
    readonly secrets: Set<string> = new Set(),
    /** The work the scan unit may still do; shared by every scope of the unit. */
    readonly budget?: Budget,
  ) {
    this.paramDecls = childNode(root, 'parameters');
    this.varDecls = childNode(root, 'variables');
    this.paramValues = parameterSource.file ? childNode(parameterSource.file.root, 'parameters') : undefined;
    this.functions = withUserFunctions(functions, childNode(root, 'functions'), this);
    this.targetScope = targetScopeOf(root);
  }

  get parameterFile(): JsonDocument | undefined {
    return this.parameterSource.file;
  }

  /** A fresh evaluation context over this scope, e.g. per copy-loop instance. */
  context(copyIndexes?: CopyIndexes): EvalContext {
    return {
      functions: this.functions,
      deployment: this.deployment,
      parameter: (name) => this.parameter(name),
      variable: (name) => this.variable(name),
      copyIndex: (loop) => {
        const i = copyIndexes?.get(loop === undefined ? undefined : loop.toLowerCase());
        if (i === undefined)
          throw new FunctionError(loop === undefined ? 'copyIndex() is only allowed inside a copy loop' : `there is no copy loop named '${loop}' here`);
        return i;
      },
      resources: this.resources,
      budget: this.budget,
    };
  }

  /** Evaluates while collecting the parameters and variables read. */
  withReads<T>(run: () => T): { result: T; reads: Read[] } {
    const reads: Read[] = [];
    this.readStack.push({ reads, seen: new Set() });
    try {
      return { result: run(), reads };
    } finally {
      this.readStack.pop();
    }
  }

  private noteRead(kind: Read['kind'], name: string, nested: Read[]): void {
    const top = this.readStack[this.readStack.length - 1];
    if (!top) return;
    // What a read value read was noted with it: a second read of it adds nothing new.
    if (!addRead(top, kind, name)) return;
    for (const r of nested) addRead(top, r.kind, r.name, r);
  }

  parameterDeclaration(name: string): JsonNode | undefined {
    return childNode(this.paramDecls, name);
  }

  /** The parameter file's entry for a parameter (`{ "value": … }` or `{ "reference": … }`). */
  parameterFileEntry(name: string): JsonNode | undefined {
    return childNode(this.paramValues, name);
  }

  parameter(name: string): Value {
    const decl = this.parameterDeclaration(name);
    if (!decl) throw new FunctionError(`the template has no parameter '${name}'`);
    const canonical = String(decl.parent?.children?.[0]?.value ?? name);
    const memo = this.memoized(this.params, canonical, 'parameter') ?? this.memoize(this.params, canonical, () => this.computeParameter(canonical, decl));
    this.noteRead('parameter', canonical, memo.reads);
    return memo.value;
  }

  variable(name: string): Value {
    const node = childNode(this.varDecls, name);
    const loop = node ? undefined : this.variableLoop(name);
    if ((!node && !loop) || name.toLowerCase() === 'copy') throw new FunctionError(`the template has no variable '${name}'`);
    const canonical = node ? String(node.parent?.children?.[0]?.value ?? name) : String(childNode(loop, 'name')?.value ?? name);
    const memo = this.memoized(this.vars, canonical, 'variable') ?? this.computeVariable(canonical, node, loop);
    this.noteRead('variable', canonical, memo.reads);
    return memo.value;
  }

  private computeVariable(canonical: string, node: JsonNode | undefined, loop: JsonNode | undefined): Memo {
    const compute = node
      ? () => evaluateNode(node, this, this.context())
      : // A variable `copy` entry defines an array variable: `input` evaluated `count` times.
        () => [...expandCopyEntries([loop!], this, this.context()).values()][0] ?? null;
    const usedAt = this.expressionStack[this.expressionStack.length - 1];
    return this.memoize(this.vars, canonical, compute, (problems) => this.noteUse(problems, canonical, (node ?? loop)!, usedAt));
  }

  /**
   * ARM evaluates a variable only where it is read, so an error in its definition is an error of
   * that read: the diagnostic stays at the definition (where the fix goes) and names the read.
   * A chain of variables names each link once, innermost first.
   */
  private noteUse(problems: Diagnostic[], name: string, definition: JsonNode, usedAt: JsonNode | undefined): void {
    if (!usedAt || !problems.length) return;
    const file = this.template.file;
    const where = file.locationOf(usedAt.offset, usedAt.length);
    const defined = file.locationOf(definition.offset, definition.length);
    // Only the definition's own errors: a parameter it reads reports its problems where it is set.
    const inDefinition = (d: Diagnostic) =>
      d.location?.file === defined.file && d.location.start.line >= defined.start.line && d.location.start.line <= defined.end.line;
    for (const d of problems) {
      if (d.severity !== 'error' || annotated.has(d) || !inDefinition(d)) continue;
      annotated.add(d);
      d.message += ` (variable '${name}', read at ${where.file}:${where.start.line}:${where.start.column})`;
    }
  }

  /**
   * Runs `evaluate` with the problems it reports kept out of the report: returned, to be
   * reported by `release` if what was evaluated turns out to be used. A value memoised meanwhile
   * releases its share when it is read again by something that is reported.
   */
  withhold<T>(evaluate: () => T): { result: T; held: Diagnostic[] } {
    const before = this.diagnostics.length;
    const result = evaluate();
    const held = this.diagnostics.splice(before);
    if (held.length) {
      let set = withheldBy.get(this.diagnostics);
      if (!set) withheldBy.set(this.diagnostics, (set = new Set()));
      for (const d of held) set.add(d);
    }
    return { result, held };
  }

  /** Reports withheld problems (those not reported yet). */
  release(problems: readonly Diagnostic[]): void {
    const set = withheldBy.get(this.diagnostics);
    if (!set?.size) return;
    for (const d of problems) {
      if (!set.delete(d)) continue;
      this.diagnostics.push(d);
    }
  }

  private variableLoop(name: string): JsonNode | undefined {
    const loops = childNode(this.varDecls, 'copy');
    if (loops?.type !== 'array') return undefined;
    return loops.children?.find((entry) => String(childNode(entry, 'name')?.value ?? '').toLowerCase() === name.toLowerCase());
  }

  /**
   * The memo of a value already computed, or undefined. Apart from `memoize` so that a read of a
   * computed value (most reads) makes no closure and no label.
   */
  private memoized(map: Map<string, Memo>, key: string, kind: Read['kind']): Memo | undefined {
    const memo = map.get(key.toLowerCase());
    if (!memo) return undefined;
    if (memo.state === 'running') throw new FunctionError(`${kind} '${key}' refers to itself`);
    // First computed where its problems were withheld: this read may be one that counts.
    if (memo.diagnostics.length) this.release(memo.diagnostics);
    return memo;
  }

  /** Computes a value `memoized` does not have yet, and keeps it. */
  private memoize(map: Map<string, Memo>, key: string, compute: () => Value, computed?: (problems: Diagnostic[]) => void): Memo {
    const lower = key.toLowerCase();
    const memo: Memo = { state: 'running', value: null, reads: [], diagnostics: [] };
    map.set(lower, memo);
    const before = this.diagnostics.length;
    try {
      const { result, reads } = this.withReads(compute);
      memo.value = result;
      memo.reads = reads;
    } catch (err) {
      // A cycle or an error: forget the half-computed entry so the next use reports it too.
      map.delete(lower);
      throw err;
    }
    // Only `withhold` removes diagnostics, and only those added since it began: a withhold
    // within this computation takes its own (an unused existing resource's), not earlier ones.
    if (this.diagnostics.length > before) memo.diagnostics = this.diagnostics.slice(before);
    memo.state = 'done';
    computed?.(memo.diagnostics);
    return memo;
  }

  private computeParameter(name: string, decl: JsonNode): Value {
    const value = this.parameterValue(name, decl);
    if (isSecureParameter(decl, this.root)) collectStrings(value, this.secrets);
    else collectSecureParts(decl, this.root, value, (secret) => collectStrings(secret as Value, this.secrets));
    return value;
  }

  private parameterValue(name: string, decl: JsonNode): Value {
    // ARM reads a null value as no value: the default applies (Bicep's `param: x.?y` passes null).
    const supplied = this.parameterSource.supplied?.get(name.toLowerCase());
    if (supplied && supplied.value !== null) return checkParameterValue(this, name, decl, supplied.value, undefined);
    const entry = supplied ? undefined : this.parameterFileEntry(name);
    const secure = isSecureParameter(decl, this.root);
    if (entry) {
      const valueNode = childNode(entry, 'value');
      if (valueNode) {
        const value = evaluateNode(valueNode, this, this.context(), { literal: true });
        if (value !== null) return checkParameterValue(this, name, decl, value, valueNode, this.parameterFile);
      }
      if (childNode(entry, 'reference')) return new Unknown(`parameter '${name}' is a Key Vault secret reference`);
    }
    const def = childNode(decl, 'defaultValue');
    if (def) return checkParameterValue(this, name, decl, evaluateNode(def, this, this.context()), def);
    const configured = this.parameterSource.fallback?.get(name.toLowerCase());
    if (configured !== undefined) return checkParameterValue(this, name, decl, configured, undefined);
    // Optional parameters of user-defined types (Bicep's `param x string?`) are null when not set.
    if (isNullableParameter(decl, this.root)) return null;
    return new Unknown(secure ? `secure parameter '${name}' has no value` : `required parameter '${name}' has no value`);
  }

  /** Turns reads into the places a user can go to change the value. */
  originsOf(reads: readonly Read[]): ValueOrigin[] {
    const out: ValueOrigin[] = [];
    for (const read of reads) {
      if (read.kind === 'variable') {
        const node = childNode(this.varDecls, read.name) ?? this.variableLoop(read.name);
        if (node) out.push({ location: this.template.file.locationOf(node.offset, node.length), description: `variable '${read.name}'` });
        continue;
      }
      const supplied = this.parameterSource.supplied?.get(read.name.toLowerCase());
      if (supplied) {
        if (supplied.origin) out.push(supplied.origin);
        continue;
      }
      const entry = this.parameterFileEntry(read.name);
      const fromFile = entry && (childNode(entry, 'value') ?? childNode(entry, 'reference'));
      if (fromFile && this.parameterFile) {
        out.push({
          location: this.parameterFile.file.locationOf(fromFile.offset, fromFile.length),
          description: `parameter '${read.name}' set in ${this.parameterFile.file.path}`,
        });
        continue;
      }
      const def = childNode(this.parameterDeclaration(read.name), 'defaultValue');
      if (def) out.push({ location: this.template.file.locationOf(def.offset, def.length), description: `default value of parameter '${read.name}'` });
    }
    return out;
  }

  /** Declared parameters, for reporting parameter-file entries the template does not have. */
  declaredParameters(): string[] {
    return (this.paramDecls?.children ?? []).map((p) => String(p.children?.[0]?.value));
  }

  /** Reports a problem at a node of this scope's template. */
  report(node: JsonNode, code: string, severity: Diagnostic['severity'], message: string): void {
    this.diagnostics.push({ severity, code, message, file: this.template.file.path, location: this.template.file.locationOf(node.offset, node.length) });
  }
}

/** Diagnostics whose message already names the read of the variable they are in. */
const annotated = new WeakSet<Diagnostic>();

function collectStrings(v: Value, into: Set<string>): void {
  if (typeof v === 'string') {
    // Very short values would mask unrelated text; they are not secrets worth the name anyway.
    if (v.length >= 4) into.add(v);
  } else if (Array.isArray(v)) v.forEach((x) => collectStrings(x, into));
  else if (v !== null && typeof v === 'object' && !(v instanceof Unknown)) Object.values(v).forEach((x) => collectStrings(x, into));
}

/**
 * A parameter whose value is never shown: `securestring`/`secureObject`, also through a `$ref` to
 * a definition (how the compiler writes a parameter of a `@secure()` user type), or a Bicep `@secure()`
 * parameter whose type Tollgate cannot resolve (`resourceInput<…>` needs the resource schemas),
 * which the lowering marks with `secure: true` instead of guessing string or object.
 */
export function isSecureParameter(decl: JsonNode, root: JsonNode): boolean {
  return isSecureType(decl, root) || childNode(decl, 'secure')?.value === true;
}
