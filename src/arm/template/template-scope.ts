import type { Diagnostic } from '../../load/diagnostic.js';
import { childNode, type JsonDocument, type JsonNode } from '../../load/json-document.js';
import { Unknown, type Value } from '../../resources/value.js';
import type { ValueOrigin } from '../../resources/resource.js';
import type { DeploymentContext, EvalContext, FunctionTable } from '../expression/context.js';
import { FunctionError } from '../expression/evaluator.js';
import { evaluateNode } from './evaluate-node.js';

/** A parameter or variable that an evaluated value read: what provenance is made of. */
export type Read = { kind: 'parameter' | 'variable'; name: string };

interface Memo {
  state: 'running' | 'done';
  value: Value;
  reads: Read[];
}

/**
 * The parameters and variables of one template expanded with one parameter file. Values are
 * computed on first use and remembered, together with the parameters and variables they read,
 * so that a finding can name the line that set a value without evaluating anything twice.
 */
export class TemplateScope {
  readonly diagnostics: Diagnostic[] = [];
  private readonly params = new Map<string, Memo>();
  private readonly vars = new Map<string, Memo>();
  private readonly paramDecls: JsonNode | undefined;
  private readonly varDecls: JsonNode | undefined;
  private readonly paramValues: JsonNode | undefined;
  /** The reads of the evaluation in progress (innermost last). */
  private readonly readStack: Read[][] = [];

  constructor(
    readonly template: JsonDocument,
    readonly parameterFile: JsonDocument | undefined,
    readonly functions: FunctionTable,
    readonly deployment: DeploymentContext,
  ) {
    this.paramDecls = childNode(template.root, 'parameters');
    this.varDecls = childNode(template.root, 'variables');
    this.paramValues = parameterFile ? childNode(parameterFile.root, 'parameters') : undefined;
  }

  /** A fresh evaluation context over this scope, e.g. per copy-loop instance. */
  context(copyIndexes?: ReadonlyMap<string | undefined, number>): EvalContext {
    return {
      functions: this.functions,
      deployment: this.deployment,
      parameter: (name) => this.parameter(name),
      variable: (name) => this.variable(name),
      copyIndex: (loop) => {
        const i = copyIndexes?.get(loop === undefined ? undefined : loop.toLowerCase());
        if (i === undefined) throw new FunctionError(loop === undefined ? 'copyIndex() is only allowed inside a copy loop' : `there is no copy loop named '${loop}' here`);
        return i;
      },
    };
  }

  /** Evaluates while collecting the parameters and variables read. */
  withReads<T>(run: () => T): { result: T; reads: Read[] } {
    const reads: Read[] = [];
    this.readStack.push(reads);
    try {
      return { result: run(), reads };
    } finally {
      this.readStack.pop();
    }
  }

  private noteRead(read: Read, nested: Read[]): void {
    const top = this.readStack[this.readStack.length - 1];
    if (!top) return;
    for (const r of [read, ...nested]) if (!top.some((x) => x.kind === r.kind && x.name === r.name)) top.push(r);
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
    const memo = this.memoize(this.params, canonical, () => this.computeParameter(canonical, decl), `parameter '${canonical}'`);
    this.noteRead({ kind: 'parameter', name: canonical }, memo.reads);
    return memo.value;
  }

  variable(name: string): Value {
    const node = childNode(this.varDecls, name);
    if (!node) throw new FunctionError(`the template has no variable '${name}'`);
    const canonical = String(node.parent?.children?.[0]?.value ?? name);
    const memo = this.memoize(this.vars, canonical.toLowerCase(), () => evaluateNode(node, this, this.context()), `variable '${canonical}'`);
    this.noteRead({ kind: 'variable', name: canonical }, memo.reads);
    return memo.value;
  }

  private memoize(map: Map<string, Memo>, key: string, compute: () => Value, what: string): Memo {
    const lower = key.toLowerCase();
    let memo = map.get(lower);
    if (memo?.state === 'running') throw new FunctionError(`${what} refers to itself`);
    if (!memo) {
      memo = { state: 'running', value: null, reads: [] };
      map.set(lower, memo);
      const { result, reads } = this.withReads(compute);
      memo.value = result;
      memo.reads = reads;
      memo.state = 'done';
    }
    return memo;
  }

  private computeParameter(name: string, decl: JsonNode): Value {
    const entry = this.parameterFileEntry(name);
    const secure = /^secure/i.test(String(childNode(decl, 'type')?.value ?? ''));
    if (entry) {
      const valueNode = childNode(entry, 'value');
      if (valueNode) return evaluateNode(valueNode, this, this.context(), { literal: true });
      if (childNode(entry, 'reference')) return new Unknown(`parameter '${name}' is a Key Vault secret reference`);
    }
    const def = childNode(decl, 'defaultValue');
    if (def) return evaluateNode(def, this, this.context());
    return new Unknown(secure ? `secure parameter '${name}' has no value` : `required parameter '${name}' has no value`);
  }

  /** Turns reads into the places a user can go to change the value. */
  originsOf(reads: readonly Read[]): ValueOrigin[] {
    const out: ValueOrigin[] = [];
    for (const read of reads) {
      if (read.kind === 'variable') {
        const node = childNode(this.varDecls, read.name);
        if (node) out.push({ location: this.template.file.locationOf(node.offset, node.length), description: `variable '${read.name}'` });
        continue;
      }
      const entry = this.parameterFileEntry(read.name);
      const fromFile = entry && (childNode(entry, 'value') ?? childNode(entry, 'reference'));
      if (fromFile && this.parameterFile) {
        out.push({ location: this.parameterFile.file.locationOf(fromFile.offset, fromFile.length), description: `parameter '${read.name}' set in ${this.parameterFile.file.path}` });
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
}

