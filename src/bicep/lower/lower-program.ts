/**
 * Lowers a parsed Bicep file to an ARM template (languageVersion 2.0, symbolic names) held as a
 * JsonNode tree whose offsets point into the `.bicep` text. The ARM engine then expands it like
 * any template: there is no second evaluator.
 *
 * - params -> parameters (types, decorators, defaults); vars -> variables; func -> functions
 * - resources -> symbolic-name resources: nested and `parent` children get the full type and
 *   `format('{0}/{1}', parent, child)` names, nested conditions are ANDed, loops become `copy`
 *   with the item as `iterable[copyIndex()]`, `existing` stays `existing`
 * - `sym.properties.x` -> `reference('sym').x`, `sym.id`/`name` -> resourceInfo()
 * - modules -> Microsoft.Resources/deployments with inner scope linking the module file
 *   (`templateLink.relativePath`), which the linked-template loader lowers in turn
 * - compile-time imports copy the imported file's variables and functions in under private names
 */
import path from 'node:path';
import { createRequire } from 'node:module';
import type { JsonNode } from '../../load/json-parser.js';
import { canonicalResourceType } from '../../load/resource-type-table.js';
import type * as T from '../syntax/tree.js';
import { isToken } from '../syntax/tree.js';
import { ExpressionLowering, quote, type Locals, type Resolver } from './expressions.js';
import { UNKNOWN_FUNCTION } from '../../arm/functions/tollgate.js';
import { getProperty, isObject, type ObjectValue } from '../../resources/value.js';
import { entry, jArray, jBool, jExpr, jLiteral, jNull, jNumber, jObject, jString, jValue, type Entry, type Span } from './json-build.js';

export interface LowerDiagnostic {
  start: number;
  end: number;
  message: string;
  severity: 'error' | 'warning' | 'info';
  /** The diagnostic code when it is not `bicep-lowering` (`sandbox` for a refused read). */
  code?: string;
}

/** A file read, or why not; `refused` when the sandbox said no (the file is outside it, too large…). */
export type HostRead<T> = { ok: true; value: T } | { ok: false; reason: string; refused: boolean };

/**
 * Reads what a Bicep file needs from outside its own text: imports, load*() functions, module
 * paths, environment variables. The host confines every read (src/load/sandbox.ts).
 */
export interface LowerHost {
  /** The parsed program of another Bicep file (for compile-time imports), or why it has none. */
  program(absPath: string): { ok: true; program: T.Program; text: string } | { ok: false; reason: string; refused: boolean };
  readText(absPath: string): HostRead<string>;
  readBytes(absPath: string): HostRead<Buffer>;
  /** A value the user gave for an environment variable (`--env`), else undefined: the real environment is never read. */
  environmentVariable(name: string): string | undefined;
  /**
   * The literal module paths another Bicep file uses (`module x '<path>'`), for finding module
   * cycles without parsing every module file; undefined when it cannot be read.
   */
  moduleReferences(absPath: string): readonly string[] | undefined;
  /** Where a registry module (`br:…`, `br/alias:…`, `ts:…`) is available locally, or why it is not. */
  registryModule(reference: string, fromAbsPath: string): { ok: true; path: string } | { ok: false; reason: string };
}

interface ResourceSym {
  kind: 'resource' | 'module';
  symbol: string;
  type: string;
  apiVersion: string;
  loop: boolean;
  /** ARM text of the full resource name (resources without a loop only). */
  nameText?: string;
  /** ARM text of the `name` as written (what `sym.name` gives in Bicep), resources without a loop. */
  shortNameText?: string;
  /** Whether the name is prefixed by a parent's (nested or `parent:`): `sym.name` is then the last segment. */
  child?: boolean;
  /** ARM text of the extension scope (`scope: otherResource`), which children inherit. */
  scopeText?: string;
  existing: boolean;
  nested: Map<string, ResourceSym>;
  /**
   * The `if` condition of a module without a loop or of a top-level resource: `mod.?outputs` and
   * `res.?id` read null when it is false. `loopFor` is the resource's loop, whose variables the
   * condition reads.
   */
  condition?: T.Expr;
  loopFor?: T.ForNode;
}

interface TypeSym {
  node: T.TypeNode;
  file: FileScope;
  /** `@secure()` on the type's declaration (or a secure definition of a compiled template): a parameter of it is a secret. */
  secure?: boolean;
  /** A definition imported from a compiled JSON template, read from its schema rather than from syntax (with the template's other definitions, for `$ref`). */
  json?: { type: TypeInfo; definition: unknown; definitions: ObjectValue };
}

/** What the lowering writes of a parameter's type: ARM's base type, allowed values, nullability, secrecy. */
type TypeInfo = { type: string; allowed?: (string | number)[]; nullable?: boolean; secure?: boolean };

/** Names declared by one Bicep file (the lowered one or an imported one). */
class FileScope {
  readonly params = new Set<string>();
  readonly vars = new Map<string, string>();
  readonly funcs = new Map<string, string>();
  readonly types = new Map<string, TypeSym>();
  readonly resources = new Map<string, ResourceSym>();
  readonly wildcards = new Map<string, FileScope>();
  constructor(
    readonly absPath: string,
    readonly program: T.Program,
  ) {}
}

// Maps, not object literals: the keys come from the file (`targetScope = 'constructor'`, a
// decorator named `toString`) and must never find an Object.prototype member.
const SCHEMAS = new Map<string, string>(
  Object.entries({
    resourceGroup: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    subscription: 'https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#',
    managementGroup: 'https://schema.management.azure.com/schemas/2019-08-01/managementGroupDeploymentTemplate.json#',
    tenant: 'https://schema.management.azure.com/schemas/2019-08-01/tenantDeploymentTemplate.json#',
  }),
);

/** Decorators that become a parameter property of another name. */
const CONSTRAINT_DECORATORS = new Map([
  ['allowed', 'allowedValues'],
  ['minValue', 'minValue'],
  ['maxValue', 'maxValue'],
  ['minLength', 'minLength'],
  ['maxLength', 'maxLength'],
]);

const AMBIENT_TYPES = new Set(['string', 'int', 'bool', 'object', 'array']);
const RESOURCE_CONTROL = new Set(['name', 'parent', 'scope', 'dependsOn']);

/**
 * A `.bicepparam` file as a template whose outputs are its parameter values (and whose variables
 * are its `var`s), so the one ARM engine computes them. `literal` holds the values that need no
 * evaluation, with their own source ranges.
 */
export function lowerParamsFile(
  program: T.Program,
  absPath: string,
  host: LowerHost,
): { template: JsonNode; literal: Map<string, JsonNode>; assignments: T.ParameterAssignment[]; diagnostics: LowerDiagnostic[] } {
  const lowering = new ProgramLowering(absPath, program, host);
  const { template, literal, assignments } = lowering.lowerParams();
  return { template, literal, assignments, diagnostics: lowering.diagnostics };
}

let yamlModule: typeof import('yaml') | undefined;

export function lowerProgram(program: T.Program, absPath: string, host: LowerHost): { template: JsonNode; diagnostics: LowerDiagnostic[] } {
  const lowering = new ProgramLowering(absPath, program, host);
  return { template: lowering.lower(), diagnostics: lowering.diagnostics };
}

class ProgramLowering {
  readonly diagnostics: LowerDiagnostic[] = [];
  private readonly root: FileScope;
  /** Variables and functions that imports bring in (under private names), for the template. */
  private readonly importedVars: Entry[] = [];
  private readonly importedFuncs: Entry[] = [];
  private readonly importedFiles = new Map<string, FileScope>();
  private importCount = 0;
  /** How many `$fxv#N` variables hold loaded JSON or YAML content. */
  private loadCount = 0;
  /** Inside a user-defined function, which cannot read variables. */
  private inFunction = 0;
  /** Lowering an interpolated object key (see keyText). */
  private inKey = 0;
  private targetScope = 'resourceGroup';
  private readonly stack: string[] = [];
  /** Resources and modules declared again under a name already taken: reported and left out. */
  private readonly duplicates = new Set<T.Statement>();

  constructor(
    absPath: string,
    private readonly program: T.Program,
    private readonly host: LowerHost,
  ) {
    this.root = new FileScope(absPath, program);
  }

  private report(node: Span, message: string, severity: LowerDiagnostic['severity'] = 'error', code?: string): void {
    if (this.stack.length > 0) return; // problems inside imported files are reported when that file is scanned
    this.diagnostics.push({ start: node.start, end: node.end, message, severity, ...(code && { code }) });
  }

  lower(): JsonNode {
    const scope = this.root;
    this.declareNames(
      scope,
      (name) => name,
      (name) => `__bicep.${name}`,
    );
    const p = this.program;
    const entries: Entry[] = [];
    const at: Span = { start: 0, end: p.end };
    for (const s of lowerable(p.statements)) {
      if (s.kind === 'TargetScopeSyntax' && s.value.kind === 'StringSyntax' && s.value.holes.length === 0)
        this.targetScope = s.value.segments[0] ?? this.targetScope;
    }
    entries.push(entry('$schema', at, jString(at, SCHEMAS.get(this.targetScope) ?? SCHEMAS.get('resourceGroup')!)));
    entries.push(entry('languageVersion', at, jString(at, '2.0')));
    entries.push(entry('contentVersion', at, jString(at, '1.0.0.0')));

    const exprs = this.expressionsFor(scope);
    const parameters: Entry[] = [];
    const variables: Entry[] = [];
    const functions: Entry[] = [];
    const outputs: Entry[] = [];
    const resources: Entry[] = [];
    for (const s of lowerable(p.statements)) {
      if (this.duplicates.has(s)) continue;
      switch (s.kind) {
        case 'ParameterDeclarationSyntax':
          parameters.push(entry(s.name, s.nameNode, this.parameter(s, scope, exprs)));
          break;
        case 'VariableDeclarationSyntax':
          variables.push(entry(s.name, s.nameNode, this.value(s.value, new Map(), exprs)));
          break;
        case 'FunctionDeclarationSyntax':
          if (s.lambda) functions.push(entry(s.name, s, this.func(s.lambda, scope)));
          break;
        case 'OutputDeclarationSyntax':
          outputs.push(entry(s.name, s.nameNode, this.output(s, scope, exprs)));
          break;
        case 'ResourceDeclarationSyntax':
          this.resource(s, scope, exprs, resources, undefined);
          break;
        case 'ModuleDeclarationSyntax':
          this.module(s, scope, exprs, resources);
          break;
      }
    }
    variables.push(...this.importedVars);
    functions.push(...this.importedFuncs);
    if (functions.length > 0) {
      const ns = jObject(at, [entry('namespace', at, jString(at, '__bicep')), entry('members', at, jObject(at, functions))]);
      entries.push(entry('functions', at, jArray(at, [ns])));
    }
    entries.push(entry('parameters', at, jObject(at, parameters)));
    entries.push(entry('variables', at, jObject(at, variables)));
    entries.push(entry('resources', at, jObject(at, declarationOrder(resources))));
    entries.push(entry('outputs', at, jObject(at, outputs)));
    return jObject(at, entries);
  }

  lowerParams(): { template: JsonNode; literal: Map<string, JsonNode>; assignments: T.ParameterAssignment[] } {
    const scope = this.root;
    this.declareNames(
      scope,
      (name) => name,
      (name) => `__bicep.${name}`,
    );
    // A parameter's value may use another parameter's: each is also a (private) variable.
    for (const s of lowerable(this.program.statements)) if (s.kind === 'ParameterAssignmentSyntax') scope.vars.set(s.name, `__param_${s.name}`);
    const exprs = this.expressionsFor(scope);
    const at: Span = { start: 0, end: this.program.end };
    const variables: Entry[] = [];
    const outputs: Entry[] = [];
    const literal = new Map<string, JsonNode>();
    const assignments: T.ParameterAssignment[] = [];
    for (const s of lowerable(this.program.statements)) {
      if (s.kind === 'VariableDeclarationSyntax') variables.push(entry(s.name, s.nameNode, this.value(s.value, new Map(), exprs)));
      if (s.kind !== 'ParameterAssignmentSyntax') continue;
      assignments.push(s);
      const value = this.value(s.value, new Map(), exprs);
      variables.push(entry(`__param_${s.name}`, s, value));
      if (isLiteralTree(value)) literal.set(s.name, value);
      else
        outputs.push(
          entry(s.name, s, jObject(s, [entry('type', s, jString(s, 'object')), entry('value', s.value, jExpr(s.value, `variables('__param_${s.name}')`))])),
        );
    }
    variables.push(...this.importedVars);
    const entries = [
      entry('$schema', at, jString(at, SCHEMAS.get('resourceGroup')!)),
      entry('contentVersion', at, jString(at, '1.0.0.0')),
      entry('variables', at, jObject(at, variables)),
      entry('resources', at, jArray(at, [])),
      entry('outputs', at, jObject(at, outputs)),
    ];
    if (this.importedFuncs.length > 0) {
      const ns = jObject(at, [entry('namespace', at, jString(at, '__bicep')), entry('members', at, jObject(at, this.importedFuncs))]);
      entries.push(entry('functions', at, jArray(at, [ns])));
    }
    return { template: jObject(at, entries), literal, assignments };
  }

  /** First pass: every name of a file, so declarations may be used before they are written. */
  private declareNames(scope: FileScope, varName: (n: string) => string, funcName: (n: string) => string): void {
    const statements = lowerable(scope.program.statements);
    this.markDuplicates(statements);
    for (const s of statements) {
      if (this.duplicates.has(s)) continue;
      switch (s.kind) {
        case 'ParameterDeclarationSyntax':
          scope.params.add(s.name);
          break;
        case 'VariableDeclarationSyntax':
          scope.vars.set(s.name, varName(s.name));
          break;
        case 'FunctionDeclarationSyntax':
          scope.funcs.set(s.name, funcName(s.name));
          break;
        case 'TypeDeclarationSyntax':
          scope.types.set(s.name, { node: s.value, file: scope, secure: s.decorators.some((d) => decoratorName(d) === 'secure') || undefined });
          break;
        case 'ResourceDeclarationSyntax':
          this.declareResource(s, scope.resources, undefined);
          break;
        case 'ModuleDeclarationSyntax': {
          const body = bodyOf(s.value);
          scope.resources.set(s.name, {
            kind: 'module',
            symbol: s.name,
            type: 'Microsoft.Resources/deployments',
            apiVersion: '2025-04-01',
            loop: body.loop !== undefined,
            existing: false,
            nested: new Map(),
            condition: body.loop ? undefined : body.condition,
          });
          break;
        }
        case 'CompileTimeImportDeclarationSyntax':
          this.importNames(s, scope);
          break;
      }
    }
  }

  private declareResource(
    s: T.ResourceDeclaration & { typeString: T.StringNode },
    into: Map<string, ResourceSym>,
    parent: ResourceSym | undefined,
  ): ResourceSym {
    const typeText = s.typeString.segments.join('');
    const [type = '', apiVersion = parent?.apiVersion ?? ''] = typeText.split('@');
    const body = bodyOf(s.value);
    const sym: ResourceSym = {
      kind: 'resource',
      symbol: parent ? `${parent.symbol}::${s.name}` : s.name,
      // The compiler writes the type as the schema of its API version spells it, in `type` and in every id.
      type: canonicalResourceType(parent ? `${parent.type}/${type}` : type, apiVersion),
      apiVersion,
      loop: body.loop !== undefined || (parent?.loop ?? false),
      existing: s.existing,
      nested: new Map(),
    };
    if (!parent && body.condition) {
      sym.condition = body.condition;
      if (body.loop) sym.loopFor = body.loop;
    }
    into.set(s.name, sym);
    if (body.object) {
      const children = lowerable(body.object.resources);
      this.markDuplicates(children);
      for (const child of children) if (!this.duplicates.has(child)) this.declareResource(child, sym.nested, sym);
    }
    return sym;
  }

  /**
   * A second resource or module of the same name (Bicep rejects it) would share the first one's
   * symbol: it is reported and left out, and the first is lowered as written.
   */
  private markDuplicates(statements: readonly T.Statement[]): void {
    const seen = new Set<string>();
    for (const s of statements) {
      if (s.kind !== 'ResourceDeclarationSyntax' && s.kind !== 'ModuleDeclarationSyntax') continue;
      if (!seen.has(s.name)) seen.add(s.name);
      else {
        this.duplicates.add(s);
        this.report(s.nameNode, `'${s.name}' is declared more than once: this declaration is not checked`);
      }
    }
  }

  private expressionsFor(scope: FileScope): ExpressionLowering {
    return new ExpressionLowering(this.resolverFor(scope));
  }

  // ---- names ---------------------------------------------------------------------------------

  /**
   * The resource or module an expression names (`sym`, `sym[i]`, `a::b`, and any of them behind
   * `!` or parentheses, which change nothing at deployment), with its ARM symbolic-name argument.
   */
  private resourceOf(scope: FileScope, e: T.Expr): { sym: ResourceSym; target: (lower: (e: T.Expr) => string) => string; index?: T.Expr } | undefined {
    if (e.kind === 'NonNullAssertionSyntax') return this.resourceOf(scope, e.base);
    if (e.kind === 'ParenthesizedExpressionSyntax') return this.resourceOf(scope, e.inner);
    if (e.kind === 'VariableAccessSyntax') {
      const sym = scope.resources.get(e.name);
      return sym ? { sym, target: () => quote(sym.symbol) } : undefined;
    }
    if (e.kind === 'ArrayAccessSyntax') {
      const sym = this.resourceOf(scope, e.base)?.sym;
      if (sym?.loop) return { sym, target: (lower) => `format('${sym.symbol}[{0}]', ${lower(e.index)})`, index: e.index };
    }
    if (e.kind === 'ResourceAccessSyntax') {
      const parent = this.resourceOf(scope, e.base);
      const sym = parent?.sym.nested.get(e.name);
      return sym ? { sym, target: () => quote(sym.symbol) } : undefined;
    }
    return undefined;
  }

  private resolverFor(scope: FileScope): Resolver {
    const resourceOf = (e: T.Expr) => this.resourceOf(scope, e);
    return {
      name: (name) => {
        if (scope.params.has(name)) return `parameters(${quote(name)})`;
        const v = scope.vars.get(name);
        if (v !== undefined) return `variables(${quote(v)})`;
        const r = scope.resources.get(name);
        if (r) return r.kind === 'module' ? `reference(${quote(r.symbol)})` : `resourceInfo(${quote(r.symbol)}).id`;
        return undefined;
      },
      member: (base, property, safe, lower) => {
        const found = resourceOf(base);
        if (found && safe && found.sym.kind === 'resource' && found.sym.condition) {
          // `res.?id`, `res[i].?id` of a resource that may not be deployed: null when it is not, as
          // the compiler writes it (if() is lazy: the member is not read then).
          const condition = this.conditionOf(scope, found.sym, found.index ? lower(found.index) : undefined);
          if (condition) return `if(${condition}, ${this.resourceMember(found.sym, found.target(lower), property, false)}, null())`;
        }
        if (found) return this.resourceMember(found.sym, found.target(lower), property, safe);
        // `alias.name` for `import * as alias from …`
        if (base.kind === 'VariableAccessSyntax') {
          const imported = scope.wildcards.get(base.name);
          const v = imported?.vars.get(property);
          if (v !== undefined) return `variables(${quote(v)})`;
        }
        // `mod.outputs.x`, `sym.properties.x` (`mod!.outputs.x` alike)
        if (base.kind === 'PropertyAccessSyntax') {
          const owner = resourceOf(base.base);
          if (owner?.sym.kind === 'module' && base.name === 'outputs' && base.safe && owner.sym.condition) {
            // `mod.?outputs.?x` of a module that may not be deployed: null when it is not, as the
            // compiler writes it (tryGet over if(condition, reference(mod), null())).
            const deployed = `if(${lower(owner.sym.condition)}, reference(${owner.target(lower)}), null())`;
            return `tryGet(tryGet(tryGet(${deployed}, 'outputs'), ${quote(property)}), 'value')`;
          }
          if (owner?.sym.kind === 'module' && base.name === 'outputs') {
            return `reference(${owner.target(lower)}).outputs${accessor(property, safe)}.value`;
          }
          if (owner && base.name === 'properties') return `reference(${owner.target(lower)})${accessor(property, safe)}`;
        }
        return undefined;
      },
      call: (name, namespace, args, node, lower) => {
        return this.call(scope, name, namespace, args, node, lower);
      },
      report: (node, message) => {
        this.report(node, message);
      },
    };
  }

  /** ARM text of a resource's condition, for the loop instance `index` (ARM text) of a looped one. */
  private conditionOf(scope: FileScope, sym: ResourceSym, index: string | undefined): string | undefined {
    if (!sym.condition) return undefined;
    const exprs = this.expressionsFor(scope);
    const locals = new Map<string, string>();
    if (sym.loopFor) {
      if (index === undefined) return undefined;
      if (sym.loopFor.item) locals.set(sym.loopFor.item, `${exprs.text(sym.loopFor.iterable, new Map())}[${index}]`);
      if (sym.loopFor.index) locals.set(sym.loopFor.index, index);
    }
    return exprs.text(sym.condition, locals);
  }

  private resourceMember(sym: ResourceSym, target: string, property: string, safe: boolean): string {
    if (property === '') return `resourceInfo(${target}).id`;
    if (sym.kind === 'module') {
      if (property === 'outputs') return `reference(${target}).outputs`;
      if (property === 'name') return `resourceInfo(${target}).name`;
      return `reference(${target}, '2025-04-01', 'full')${accessor(property, safe)}`;
    }
    switch (property) {
      case 'type':
        return quote(sym.type);
      case 'apiVersion':
        return quote(sym.apiVersion);
      case 'name':
        // Bicep's `sym.name` is the name as written: a child's own segment, not the full name.
        if (sym.shortNameText !== undefined) return sym.shortNameText;
        return sym.child ? `last(split(resourceInfo(${target}).name, '/'))` : `resourceInfo(${target}).name`;
      case 'id':
        return (this.inKey > 0 ? this.plainResourceId(sym) : undefined) ?? `resourceInfo(${target}).${property}`;
      case 'properties':
        return `reference(${target})`;
      default:
        return `reference(${target}, ${quote(sym.apiVersion)}, 'full')${accessor(property, safe)}`;
    }
  }

  private call(
    scope: FileScope,
    name: string,
    namespace: T.Expr | undefined,
    args: T.Expr[],
    node: T.SyntaxNode,
    lower: (e: T.Expr) => string,
  ): string | undefined {
    let ns: string | undefined;
    if (namespace?.kind === 'VariableAccessSyntax') {
      ns = namespace.name;
      const imported = scope.wildcards.get(ns);
      if (imported) {
        const f = imported.funcs.get(name);
        if (f) return `${f}(${args.map(lower).join(', ')})`;
        this.report(node, `'${ns}.${name}' is not exported by the imported file`);
        return 'null()';
      }
      if (ns === 'sys' || ns === 'az') namespace = undefined;
    }
    if (namespace) {
      // `kv.getSecret('x')`, `sa.listKeys()`, `kvs[i].getSecret(…)`: values Azure gives at deployment
      // time. They lower to a list*() call, which the engine keeps unknown (never guessed).
      // `law!.listKeys()` and `sa::blob.listKeys()` too: resourceOf sees through `!` and `::`.
      const found = this.resourceOf(scope, namespace);
      if (!found) return undefined;
      const fn = name.startsWith('list') ? name : `list${name[0]!.toUpperCase()}${name.slice(1)}`;
      return `${fn}(resourceInfo(${found.target(lower)}).id, ${quote(found.sym.apiVersion)})`;
    }
    if (!ns) {
      const f = scope.funcs.get(name);
      if (f) return `${f}(${args.map(lower).join(', ')})`;
    }
    switch (name) {
      case 'any':
        return args[0] ? lower(args[0]) : 'null()';
      case 'loadTextContent':
      case 'loadFileAsBase64':
      case 'loadJsonContent':
      case 'loadYamlContent':
        return this.load(scope, name, args, node);
      case 'nameof':
        return quote(nameOf(args[0]));
      case 'readEnvironmentVariable': {
        // Bicep reads the environment of the machine that compiles; an offline scan must not (it
        // would put CI secrets into reports), so only values the user gave (--env) are known. The
        // default argument applies when the variable is not set, which is unknown here too.
        const nameArg = args[0]?.kind === 'StringSyntax' && args[0].holes.length === 0 ? args[0].segments[0] : undefined;
        const value = nameArg !== undefined ? this.host.environmentVariable(nameArg) : undefined;
        if (value !== undefined) return quote(value);
        const shown = nameArg ?? '?';
        this.report(
          node,
          `readEnvironmentVariable('${shown}'): Tollgate does not read the environment, so the value is unknown; give it with --env ${shown}=VALUE or env: in tollgate.yaml`,
          'info',
          'environment',
        );
        return unknown(`environment variable '${shown}' (give it with --env)`);
      }
      case 'getSecret':
        // az.getSecret(subscription, group, vault, secret): a Key Vault secret, read by Azure at deployment.
        return `listSecret(format('/subscriptions/{0}/resourceGroups/{1}/providers/Microsoft.KeyVault/vaults/{2}', ${args.slice(0, 3).map(lower).join(', ')}), '2023-07-01')`;
    }
    return undefined;
  }

  /**
   * `load*()` reads a file next to the source at compile time; its content becomes a literal. A
   * file the host will not or cannot read makes the value unknown, never empty.
   */
  private load(scope: FileScope, name: string, args: T.Expr[], node: T.SyntaxNode): string {
    const arg = args[0];
    if (arg?.kind !== 'StringSyntax' || arg.holes.length > 0) {
      this.report(node, `${name}() needs a literal file path`);
      return unknown(`${name}() without a literal file path`);
    }
    const given = arg.segments[0] ?? '';
    const target = path.resolve(path.dirname(scope.absPath), given);
    const read = this.host.readBytes(target);
    if (!read.ok) {
      this.report(
        node,
        `${name}('${given}'): ${read.refused ? read.reason : `cannot read it (${read.reason})`}`,
        'error',
        read.refused ? 'sandbox' : undefined,
      );
      return unknown(`${name}('${given}') could not be read`);
    }
    if (name === 'loadFileAsBase64') return quote(read.value.toString('base64'));
    const text = read.value.toString('utf8');
    if (name === 'loadTextContent') return quote(text);
    const pathArg = args[1]?.kind === 'StringSyntax' ? args[1].segments.join('') : undefined;
    // JSON and YAML content become json() of the text, so ARM builds the value.
    let json = text;
    if (name === 'loadYamlContent') {
      try {
        json = JSON.stringify(this.parseYaml(text));
      } catch (err) {
        this.report(node, `${name}('${given}'): not valid YAML (${(err as Error).message.split('\n')[0]})`);
        return unknown(`${name}('${given}') is not valid YAML`);
      }
    }
    json = json.replace(/^\uFEFF/, '');
    // The compiler puts the content in a variable as a JSON value (`$fxv#N`), not in an expression
    // string: a large file would pass ARM's 24,576-character expression limit inside json('…').
    // A function cannot read variables; JSON that does not parse is left to json() to report.
    const selected = this.inFunction ? undefined : selectJson(json, pathArg);
    if (selected !== undefined) {
      const name = `$fxv#${this.loadCount++}`;
      this.importedVars.push(entry(name, node, jValue(node, selected.value)));
      return `variables(${quote(name)})`;
    }
    const base = `json(${quote(json)})`;
    if (!pathArg || pathArg === '$') return base;
    // A simple JSONPath ($.a.b[0]) selects a part of the content.
    return base + pathArg.replace(/^\$/, '').replace(/\.([A-Za-z_][\w]*)/g, '.$1');
  }

  private parseYaml(text: string): unknown {
    // yaml (a dependency for the config file) is loaded only when a file calls loadYamlContent,
    // once (building a require function and resolving the package was most of a small YAML file's cost).
    yamlModule ??= createRequire(import.meta.url)('yaml') as typeof import('yaml');
    return yamlModule.parse(text);
  }

  // ---- imports -------------------------------------------------------------------------------

  private importNames(s: T.ImportDeclaration, scope: FileScope): void {
    const from = s.from;
    if (!from || from.holes.length > 0) return;
    const spec = from.segments[0] ?? '';
    let target: string;
    if (/^(br[:/]|ts[:/])/.test(spec)) {
      const found = this.host.registryModule(spec, scope.absPath);
      if (!found.ok) {
        this.report(
          from,
          `'${spec}' is a registry module Tollgate cannot find offline: ${found.reason}; its imported names are unknown`,
          'warning',
          'bicep-module-missing',
        );
        return;
      }
      target = found.path;
    } else target = path.resolve(path.dirname(scope.absPath), spec);
    const imported = this.importedScope(target, from, spec);
    if (!imported) return;
    if (s.wildcardAlias) scope.wildcards.set(s.wildcardAlias, imported);
    for (const { name, alias } of s.symbols ?? []) {
      const v = imported.vars.get(name);
      const f = imported.funcs.get(name);
      const t = imported.types.get(name);
      if (v !== undefined) scope.vars.set(alias, v);
      else if (f !== undefined) scope.funcs.set(alias, f);
      else if (t) scope.types.set(alias, t);
      else this.report(from, `'${name}' is not declared in '${spec}'`);
    }
  }

  private importedScope(target: string, at: Span, shown = path.basename(target)): FileScope | undefined {
    const cached = this.importedFiles.get(target);
    if (cached) return cached;
    if (this.stack.includes(target)) return undefined;
    if (target.endsWith('.json')) return this.importedJsonScope(target, at, shown);
    const loaded = this.host.program(target);
    if (!loaded.ok) {
      this.report(at, `cannot import from '${shown}': ${loaded.reason}`, 'error', loaded.refused ? 'sandbox' : undefined);
      return undefined;
    }
    const n = ++this.importCount;
    const scope = new FileScope(target, loaded.program);
    this.importedFiles.set(target, scope);
    this.stack.push(target);
    this.declareNames(
      scope,
      (name) => `__imported${n}_${name}`,
      (name) => `__bicep.__imported${n}_${name}`,
    );
    const exprs = this.expressionsFor(scope);
    for (const s of lowerable(loaded.program.statements)) {
      if (s.kind === 'VariableDeclarationSyntax') this.importedVars.push(entry(scope.vars.get(s.name)!, at, this.value(s.value, new Map(), exprs)));
      if (s.kind === 'FunctionDeclarationSyntax' && s.lambda)
        this.importedFuncs.push(entry(scope.funcs.get(s.name)!.slice('__bicep.'.length), at, this.func(s.lambda, scope)));
    }
    this.stack.pop();
    return scope;
  }

  /**
   * The names a compiled JSON template exports (`import {x} from 'mod.json'`, or a registry module
   * restored as its main.json), as the compiler reads them: the variables its
   * `metadata.__bicep_exported_variables!` lists and the type definitions marked
   * `__bicep_export!`. Every variable of the template is copied in under an `__importedN_` name
   * (an exported one may use the others), its `variables()` and `copyIndex()` references renamed
   * to match. What cannot be copied faithfully is unknown, never guessed: a variable loop, and a
   * value that reads the template's parameters or calls functions of another namespace. Its user
   * functions (namespace `__bicep`) come along renamed the same way. A type keeps its base type only.
   */
  private importedJsonScope(target: string, at: Span, shown: string): FileScope | undefined {
    const read = this.host.readText(target);
    if (!read.ok) {
      this.report(at, `cannot import from '${shown}': ${read.reason}`, 'error', read.refused ? 'sandbox' : undefined);
      return undefined;
    }
    let template: unknown;
    try {
      template = JSON.parse(read.value.replace(/^\uFEFF/, ''));
    } catch (err) {
      this.report(at, `cannot import from '${shown}': not valid JSON (${(err as Error).message})`);
      return undefined;
    }
    const n = ++this.importCount;
    const scope = new FileScope(target, { kind: 'ProgramSyntax', start: 0, end: 0, children: [], statements: [] });
    this.importedFiles.set(target, scope);
    const declared = getProperty(template, 'variables');
    const variables = isObject(declared) ? declared : {};
    const copy = getProperty(variables, 'copy');
    const loops = Array.isArray(copy) ? copy.filter((l): l is ObjectValue => isObject(l) && typeof l.name === 'string') : [];
    // The template's user functions (namespace `__bicep`, as Bicep compiles `func`): all copied in renamed, as its variables.
    const namespaces = getProperty(template, 'functions');
    const found = getProperty(Array.isArray(namespaces) ? namespaces.find((ns) => getProperty(ns, 'namespace') === '__bicep') : undefined, 'members');
    const members = isObject(found) ? found : {};
    const functions = new Map<string, string>();
    for (const name of Object.keys(members)) functions.set(name.toLowerCase(), `__imported${n}_${name}`);
    for (const [name, member] of Object.entries(members)) {
      const copied = renameReferences(member, new Map(), functions, true);
      if (copied !== undefined) this.importedFuncs.push(entry(functions.get(name.toLowerCase())!, at, jValue(at, copied, true)));
      if (copied !== undefined && getProperty(getProperty(member, 'metadata'), '__bicep_export!') === true)
        scope.funcs.set(name, `__bicep.${functions.get(name.toLowerCase())!}`);
    }
    const renamed = new Map<string, string>();
    for (const name of Object.keys(variables)) if (name.toLowerCase() !== 'copy') renamed.set(name.toLowerCase(), `__imported${n}_${name}`);
    for (const loop of loops) renamed.set(String(loop.name).toLowerCase(), `__imported${n}_${String(loop.name)}`);
    for (const [name, value] of Object.entries(variables)) {
      if (name.toLowerCase() === 'copy') continue;
      const copied = renameReferences(value, renamed, functions);
      this.importedVars.push(
        entry(
          renamed.get(name.toLowerCase())!,
          at,
          copied === undefined
            ? jExpr(at, unknown(`the variable '${name}' of '${shown}' uses its parameters or functions Tollgate cannot copy`))
            : jValue(at, copied, true),
        ),
      );
    }
    for (const loop of loops) {
      const name = String(loop.name);
      const armName = renamed.get(name.toLowerCase())!;
      const copied = renameReferences({ count: getProperty(loop, 'count'), input: getProperty(loop, 'input') }, renamed, functions) as
        { count: unknown; input: unknown } | undefined;
      const expression = copied && loopExpression(armName, copied.count, copied.input);
      this.importedVars.push(
        entry(armName, at, jExpr(at, expression ?? unknown(`the variable loop '${name}' of '${shown}' uses its parameters or functions`))),
      );
    }
    const exported = getProperty(getProperty(template, 'metadata'), '__bicep_exported_variables!');
    for (const e of Array.isArray(exported) ? exported : []) {
      const name = getProperty(e, 'name');
      const armName = typeof name === 'string' ? renamed.get(name.toLowerCase()) : undefined;
      if (typeof name === 'string' && armName) scope.vars.set(name, armName);
    }
    const definitions = getProperty(template, 'definitions');
    const all = isObject(definitions) ? definitions : {};
    for (const [name, definition] of Object.entries(all)) {
      if (getProperty(getProperty(definition, 'metadata'), '__bicep_export!') !== true) continue;
      const type = jsonDefinitionType(definition, all);
      // Never read as syntax (json is set); a node for the places that want one.
      const node = { kind: 'TypeVariableAccessSyntax', start: at.start, end: at.end, children: [] } as unknown as T.TypeNode;
      scope.types.set(name, { node, file: scope, json: { type, definition, definitions: all }, ...(type.secure && { secure: true }) });
    }
    return scope;
  }

  // ---- values --------------------------------------------------------------------------------

  /** A Bicep value as JSON where it is literal (so findings point inside it), else an expression. */
  value(e: T.Expr, locals: Locals, exprs: ExpressionLowering): JsonNode {
    switch (e.kind) {
      case 'StringSyntax':
        if (e.holes.length === 0) return jLiteral(e, e.segments[0] ?? '');
        break;
      case 'IntegerLiteralSyntax':
        return jNumber(e, Number(e.text));
      case 'BooleanLiteralSyntax':
        return jBool(e, e.value);
      case 'NullLiteralSyntax':
        return jNull(e);
      case 'UnaryOperationSyntax':
        if (e.operator === '-' && e.operand.kind === 'IntegerLiteralSyntax') return jNumber(e, -Number(e.operand.text));
        break;
      case 'ParenthesizedExpressionSyntax':
        return this.value(e.inner, locals, exprs);
      case 'ObjectSyntax': {
        // Loops, not every()/map() with closures: this runs for every object and array of a file.
        const properties = e.properties;
        if (properties.length === 0) return jObject(e, []);
        // An interpolated key ('${id}': {}) stays a key, as an expression ARM evaluates, as the
        // compiler writes it: a key known only at deployment keeps the value checkable. A spread
        // makes the whole object an expression.
        let spread = false;
        for (const p of properties) if (p.kind !== 'ObjectPropertySyntax' || (p.key === undefined && p.keyNode.kind !== 'StringSyntax')) spread = true;
        if (spread) break;
        const entries: Entry[] = new Array<Entry>(properties.length);
        for (let i = 0; i < properties.length; i++) {
          const p = properties[i] as T.ObjectProperty;
          const key = p.key !== undefined ? literalKey(p.key) : `[${this.keyText(p.keyNode as T.Expr, locals, exprs)}]`;
          entries[i] = entry(key, p.keyNode, this.value(p.value, locals, exprs));
        }
        return jObject(e, entries);
      }
      case 'ArraySyntax': {
        const items = e.items;
        let spread = false;
        for (const item of items) if (item.kind !== 'ArrayItemSyntax') spread = true;
        if (spread) break;
        const values: JsonNode[] = new Array<JsonNode>(items.length);
        for (let i = 0; i < items.length; i++) values[i] = this.value((items[i] as T.ArrayItem).value, locals, exprs);
        return jArray(e, values);
      }
    }
    return jExpr(e, exprs.text(e, locals));
  }

  /**
   * An interpolated key's ARM text. A key whose value is known only at deployment stays a key
   * as this text, so it is written as the compiler writes it: `'${identity.id}': {}` reads
   * `resourceId('<type>', <name>)` there, not resourceInfo() (same id when known; AVM's
   * userAssignedIdentities keys).
   */
  private keyText(e: T.Expr, locals: Locals, exprs: ExpressionLowering): string {
    this.inKey++;
    try {
      return exprs.text(e, locals);
    } finally {
      this.inKey--;
    }
  }

  /** `resourceId('<type>', <name>)` for the id of a resource deployed at the top of a resource-group file, else undefined. */
  private plainResourceId(sym: ResourceSym): string | undefined {
    if (sym.kind !== 'resource' || sym.loop || sym.child || sym.existing || sym.scopeText !== undefined || sym.nameText === undefined) return undefined;
    if (this.targetScope !== 'resourceGroup' || sym.type.split('/').length !== 2) return undefined;
    return `resourceId(${quote(sym.type)}, ${sym.nameText})`;
  }

  // ---- declarations --------------------------------------------------------------------------

  private parameter(s: T.ParameterDeclaration, scope: FileScope, exprs: ExpressionLowering): JsonNode {
    const entries: Entry[] = [];
    const type = s.type ? this.typeOf(s.type, scope) : { type: 'object' };
    // `@secure()` on the parameter, or on the declaration of its type (the compiler writes securestring/secureObject either way).
    const secure = s.decorators.some((d) => decoratorName(d) === 'secure') || type.secure === true;
    // A type Tollgate cannot resolve (an unresolved import, resourceInput<…>) is left out rather than guessed: ARM then checks nothing.
    if (type.type) entries.push(entry('type', s.type ?? s, jString(s.type ?? s, secure ? secureTypeOf(type.type) : type.type)));
    // @secure() over such a type: the compiler writes securestring or secureObject from the schema;
    // without it the value is still a secret (src/arm/template/template-scope.ts isSecureParameter).
    else if (secure) entries.push(entry('secure', s, jBool(s, true)));
    // Secure parts below the top level (`@secure()` on a property of its type): their schema, so
    // that their values are secrets too; the engine does not check the rest of an object's shape.
    const parts = !secure && s.type ? this.securePartsSchema(s.type, scope) : undefined;
    if (parts) entries.push(...parts.filter((e) => e.key !== 'type'));
    if (type.allowed)
      entries.push(
        entry(
          'allowedValues',
          s.type ?? s,
          jArray(
            s.type ?? s,
            type.allowed.map((v) => (typeof v === 'string' ? jLiteral(s.type ?? s, v) : jNumber(s.type ?? s, v))),
          ),
        ),
      );
    if (type.nullable) entries.push(entry('nullable', s.type ?? s, jBool(s.type ?? s, true)));
    for (const d of s.decorators) {
      const name = decoratorName(d);
      const arg = decoratorArgs(d)[0];
      if (!arg) continue;
      const key = name === undefined ? undefined : CONSTRAINT_DECORATORS.get(name);
      if (key) entries.push(entry(key, d, this.value(arg, new Map(), exprs)));
      else if (name === 'description') entries.push(entry('metadata', d, jObject(d, [entry('description', d, this.value(arg, new Map(), exprs))])));
    }
    if (s.defaultValue) entries.push(entry('defaultValue', s.defaultValue, this.value(s.defaultValue, new Map(), exprs)));
    return jObject(s, entries);
  }

  /** The ARM type of a Bicep type expression, with allowed values for literal unions. */
  private typeOf(t: T.TypeNode, scope: FileScope, depth = 0): TypeInfo {
    if (depth > 20) return { type: 'object' };
    switch (t.kind) {
      case 'TypeVariableAccessSyntax': {
        const name = identifierText(t.children[0]);
        if (AMBIENT_TYPES.has(name)) return { type: name };
        const user = scope.types.get(name);
        if (!user) return { type: '' };
        const resolved = user.json ? user.json.type : this.typeOf(user.node, user.file, depth + 1);
        return user.secure ? { ...resolved, secure: true } : resolved;
      }
      case 'StringTypeLiteralSyntax':
        return { type: 'string', allowed: [stringLiteralOf(t)] };
      case 'IntegerTypeLiteralSyntax':
        return { type: 'int', allowed: [Number((t.children[0] as { text: string }).text)] };
      case 'BooleanTypeLiteralSyntax':
        return { type: 'bool' };
      case 'UnionTypeSyntax': {
        const members = t.children
          .filter((c) => !isToken(c) && c.kind === 'UnionTypeMemberSyntax')
          .map((m) => this.typeOf((m as T.SyntaxNode).children[0] as T.TypeNode, scope, depth + 1));
        // `'A' | null`, and `'A' | 'B'?` (the `?` binds to the last member), are nullable as a whole,
        // which is how the compiler writes them: allowedValues [A, B] and nullable.
        const nullable = members.some((m) => m.type === 'null' || m.nullable);
        const kinds = new Set(members.filter((m) => m.type !== 'null').map((m) => m.type));
        const type = kinds.size === 1 ? [...kinds][0]! : '';
        const allowed = members.every((m) => m.allowed || m.type === 'null') ? members.flatMap((m) => m.allowed ?? []) : undefined;
        return { type, allowed: type === 'string' || type === 'int' ? allowed : undefined, nullable: nullable || undefined };
      }
      case 'NullableTypeSyntax':
        return { ...this.typeOf(t.children[0] as T.TypeNode, scope, depth + 1), nullable: true };
      case 'NullTypeLiteralSyntax':
        return { type: 'null' };
      case 'ParenthesizedTypeSyntax':
        return this.typeOf(t.children.find((c) => !isToken(c)) as T.TypeNode, scope, depth + 1);
      case 'ArrayTypeSyntax':
      case 'TupleTypeSyntax':
        return { type: 'array' };
      case 'UnaryTypeOperationSyntax':
        return { type: 'int' };
      case 'ObjectTypeSyntax':
        return { type: 'object' };
      default:
        return { type: '' };
    }
  }

  /**
   * The ARM schema entries (`type` with `properties` or `items`) that lead to the parts of a type
   * declared secure below its top level, or undefined when none is: only those parts, as ARM
   * reads them (securestring/secureObject).
   */
  private securePartsSchema(t: T.TypeNode, scope: FileScope, depth = 0): Entry[] | undefined {
    if (depth > 20) return undefined;
    switch (t.kind) {
      case 'TypeVariableAccessSyntax': {
        const user = scope.types.get(identifierText(t.children[0]));
        if (!user || user.secure) return undefined;
        return user.json ? jsonSecureParts(user.json.definition, user.json.definitions, t) : this.securePartsSchema(user.node, user.file, depth + 1);
      }
      case 'NullableTypeSyntax':
      case 'ParenthesizedTypeSyntax':
        return this.securePartsSchema(t.children.find((c) => !isToken(c)) as T.TypeNode, scope, depth + 1);
      case 'ArrayTypeSyntax': {
        const element = (t.children[0] as T.SyntaxNode | undefined)?.children[0] as T.TypeNode | undefined;
        const items = element && this.partSchema(element, false, scope, depth + 1);
        return items ? [entry('type', t, jString(t, 'array')), entry('items', t, items)] : undefined;
      }
      case 'ObjectTypeSyntax': {
        const properties: Entry[] = [];
        for (const c of t.children) {
          if (isToken(c) || c.kind !== 'ObjectTypePropertySyntax') continue;
          const name = c.children.find((x) => !isToken(x) && (x.kind === 'IdentifierSyntax' || x.kind === 'StringSyntax')) as
            T.Identifier | T.StringNode | undefined;
          const type = c.children[c.children.length - 1];
          if (!name || !type || isToken(type)) continue;
          const key = name.kind === 'IdentifierSyntax' ? name.name : name.holes.length === 0 ? name.segments[0] : undefined;
          const secure = c.children.some((x) => !isToken(x) && x.kind === 'DecoratorSyntax' && decoratorName(x as T.Decorator) === 'secure');
          const schema = key === undefined ? undefined : this.partSchema(type as T.TypeNode, secure, scope, depth + 1);
          if (schema) properties.push(entry(key!, name, schema));
        }
        return properties.length ? [entry('type', t, jString(t, 'object')), entry('properties', t, jObject(t, properties))] : undefined;
      }
      default:
        return undefined;
    }
  }

  /** A property's or item's schema when it is secure or leads to secure parts. */
  private partSchema(t: T.TypeNode, secure: boolean, scope: FileScope, depth: number): JsonNode | undefined {
    const type = this.typeOf(t, scope, depth);
    if (secure || type.secure) return secureSchema(t, type.type);
    const inner = this.securePartsSchema(t, scope, depth);
    return inner && jObject(t, inner);
  }

  private func(lambda: T.TypedLambda, scope: FileScope): JsonNode {
    const locals = new Map<string, string>();
    for (const p of lambda.parameters) locals.set(p.name, `parameters(${quote(p.name)})`);
    const params = lambda.parameters.map((p) =>
      jObject(p.type, [entry('name', p.type, jString(p.type, p.name)), entry('type', p.type, jString(p.type, this.typeOf(p.type, scope).type || 'object'))]),
    );
    this.inFunction++;
    let value: JsonNode;
    try {
      value = this.value(lambda.body, locals, this.expressionsFor(scope));
    } finally {
      this.inFunction--;
    }
    const output = jObject(lambda.body, [
      entry('type', lambda.returnType, jString(lambda.returnType, this.typeOf(lambda.returnType, scope).type || 'object')),
      entry('value', lambda.body, value),
    ]);
    return jObject(lambda, [entry('parameters', lambda, jArray(lambda, params)), entry('output', lambda, output)]);
  }

  private output(s: T.OutputDeclaration, scope: FileScope, exprs: ExpressionLowering): JsonNode {
    const type = s.resourceType ? 'string' : (s.type ? this.typeOf(s.type, scope).type : '') || 'object';
    return jObject(s, [entry('type', s.type ?? s, jString(s.type ?? s, type)), entry('value', s.value, this.value(s.value, new Map(), exprs))]);
  }

  private resource(
    s: T.ResourceDeclaration & { typeString: T.StringNode },
    outer: FileScope,
    outerExprs: ExpressionLowering,
    out: Entry[],
    parent: { sym: ResourceSym; condition?: string; loop?: LoopInfo; locals: Locals; decl: T.ResourceDeclaration } | undefined,
  ): void {
    const sym = parent ? parent.sym.nested.get(s.name)! : outer.resources.get(s.name)!;
    // Inside a resource's body its nested resources are in scope by their short names.
    const scope = sym.nested.size > 0 ? overlay(outer, sym.nested) : outer;
    const exprs = scope === outer ? outerExprs : this.expressionsFor(scope);
    const body = bodyOf(s.value);
    const locals = new Map(parent?.locals ?? []);
    const entries: Entry[] = [];
    const keyword = declarationKeyword(s);
    let loop = parent?.loop;
    if (body.loop) {
      loop = this.loop(body.loop, s, locals, exprs);
    }
    const conditions = [parent?.condition, body.condition ? exprs.text(body.condition, locals) : undefined].filter((c): c is string => c !== undefined);
    const condition = conditions.length === 0 ? undefined : conditions.length === 1 ? conditions[0] : `and(${conditions.join(', ')})`;
    const object = body.object;
    const nameProp = object?.properties.find((p): p is T.ObjectProperty => p.kind === 'ObjectPropertySyntax' && p.key === 'name');
    const parentProp = object?.properties.find((p): p is T.ObjectProperty => p.kind === 'ObjectPropertySyntax' && p.key === 'parent');
    const scopeProp = object?.properties.find((p): p is T.ObjectProperty => p.kind === 'ObjectPropertySyntax' && p.key === 'scope');
    const dependsOn = object?.properties.find((p): p is T.ObjectProperty => p.kind === 'ObjectPropertySyntax' && p.key === 'dependsOn');

    let nameText = nameProp ? exprs.text(nameProp.value, locals) : `''`;
    let type = sym.type;
    const parentName = parent
      ? this.parentNameText(parent.sym, quote(parent.sym.symbol), parent.decl, parent.locals, exprs)
      : parentProp
        ? this.parentFromProperty(parentProp.value, scope, locals, exprs)
        : undefined;
    if (!sym.loop && nameProp) sym.shortNameText = nameText;
    if (parentName !== undefined) {
      nameText = `format('{0}/{1}', ${parentName}, ${nameText})`;
      sym.child = true;
    }
    if (!sym.loop) sym.nameText = nameText;
    if (parentProp && !type.includes('/')) type = sym.type;

    entries.push(entry('type', s.typeString, jString(s.typeString, type)));
    entries.push(entry('apiVersion', s.typeString, jString(s.typeString, sym.apiVersion)));
    if (s.existing) entries.push(entry('existing', s.typeString, jBool(s.typeString, true)));
    const nameNode = nameProp && parentName === undefined ? this.value(nameProp.value, locals, exprs) : jExpr(nameProp?.value ?? s, nameText);
    entries.push(entry('name', nameProp?.keyNode ?? s, nameNode));
    if (condition) entries.push(entry('condition', body.condition ?? s, jExpr(body.condition ?? s, condition)));
    if (loop) entries.push(entry('copy', loop.at, loop.copy(sym.symbol)));
    if (scopeProp) {
      const target = this.resourceTarget(scopeProp.value, scope, locals, exprs);
      if (target) {
        sym.scopeText = `resourceInfo(${target}).id`;
        entries.push(entry('scope', scopeProp.keyNode, jExpr(scopeProp.value, sym.scopeText)));
      } else {
        // An existing resource may live in another resource group or subscription; a deployed one only changes `scope`.
        const scoped = this.moduleScope(scopeProp, scope, locals, exprs).filter((e) => s.existing || e.key === 'scope');
        entries.push(...scoped);
        const scopeValue = scoped.find((e) => e.key === 'scope')?.value.value;
        if (typeof scopeValue === 'string') sym.scopeText = scopeValue.startsWith('[') ? scopeValue.slice(1, -1) : quote(scopeValue);
      }
    } else {
      // A child of an extension resource lives in the same scope as its parent.
      const parentSym = parent?.sym ?? (parentProp?.value.kind === 'VariableAccessSyntax' ? scope.resources.get(parentProp.value.name) : undefined);
      if (parentSym?.scopeText) {
        sym.scopeText = parentSym.scopeText;
        entries.push(entry('scope', parentProp?.keyNode ?? s.nameNode, jExpr(parentProp?.value ?? s.nameNode, parentSym.scopeText)));
      }
    }
    if (dependsOn) entries.push(entry('dependsOn', dependsOn.keyNode, this.dependsOn(dependsOn.value, scope)));
    const description = s.decorators.find((d) => decoratorName(d) === 'description');
    const descriptionArg = description ? decoratorArgs(description)[0] : undefined;
    if (descriptionArg)
      entries.push(
        entry('metadata', description!, jObject(description!, [entry('description', descriptionArg, this.value(descriptionArg, new Map(), exprs))])),
      );
    for (const p of object?.properties ?? []) {
      if (p.kind !== 'ObjectPropertySyntax' || p.key === undefined || RESOURCE_CONTROL.has(p.key)) continue;
      entries.push(entry(literalKey(p.key), p.keyNode, this.value(p.value, locals, exprs)));
    }
    out.push(entry(sym.symbol, s.nameNode, jObject({ start: keyword, end: s.end }, entries)));
    for (const child of lowerable(object?.resources ?? []))
      if (!this.duplicates.has(child)) this.resource(child, scope, exprs, out, { sym, condition, loop, locals, decl: s });
  }

  /** The ARM text of a parent's full name, for a child declared inside it. */
  private parentNameText(parent: ResourceSym, target: string, _decl: T.ResourceDeclaration, _locals: Locals, _exprs: ExpressionLowering): string {
    if (parent.nameText !== undefined) return parent.nameText;
    return `resourceInfo(${target}).name`;
  }

  private parentFromProperty(e: T.Expr, scope: FileScope, locals: Locals, exprs: ExpressionLowering): string | undefined {
    const target = this.resourceTarget(e, scope, locals, exprs);
    if (!target) {
      this.report(e, '`parent` must name a resource declared in this file');
      return undefined;
    }
    if (e.kind === 'VariableAccessSyntax') {
      const sym = scope.resources.get(e.name);
      if (sym?.nameText !== undefined) return sym.nameText;
    }
    return `resourceInfo(${target}).name`;
  }

  /** The reference() target text for an expression naming a resource (`sym`, `sym[i]`, `a::b`). */
  private resourceTarget(e: T.Expr, scope: FileScope, locals: Locals, exprs: ExpressionLowering): string | undefined {
    // `parent: vnet!`, `kv!.getSecret()`: the assertion changes nothing at deployment.
    if (e.kind === 'NonNullAssertionSyntax') return this.resourceTarget(e.base, scope, locals, exprs);
    if (e.kind === 'VariableAccessSyntax' && !locals.has(e.name)) {
      const sym = scope.resources.get(e.name);
      return sym ? quote(sym.symbol) : undefined;
    }
    if (e.kind === 'ArrayAccessSyntax' && e.base.kind === 'VariableAccessSyntax') {
      const sym = scope.resources.get(e.base.name);
      return sym ? `format('${sym.symbol}[{0}]', ${exprs.text(e.index, locals)})` : undefined;
    }
    if (e.kind === 'ResourceAccessSyntax') {
      const text = exprs.text(e, locals);
      const m = /^resourceInfo\((.*)\)\.id$/.exec(text);
      return m?.[1];
    }
    return undefined;
  }

  private dependsOn(e: T.Expr, scope: FileScope): JsonNode {
    const items = e.kind === 'ArraySyntax' ? e.items : [];
    const names: JsonNode[] = [];
    for (const item of items) {
      const v = item.value;
      const base = v.kind === 'ArrayAccessSyntax' ? v.base : v;
      if (base.kind === 'VariableAccessSyntax' && scope.resources.has(base.name)) names.push(jString(v, scope.resources.get(base.name)!.symbol));
    }
    return jArray(e, names);
  }

  private loop(f: T.ForNode, decl: T.Declaration, locals: Map<string, string>, exprs: ExpressionLowering): LoopInfo {
    const iterable = exprs.text(f.iterable, locals);
    const index = `copyIndex()`;
    if (f.item) locals.set(f.item, `${iterable}[${index}]`);
    if (f.index) locals.set(f.index, index);
    const batch = decl.decorators.find((d) => decoratorName(d) === 'batchSize');
    const batchArg = batch ? decoratorArgs(batch)[0] : undefined;
    return {
      at: f,
      copy: (name) => {
        const entries = [entry('name', f, jString(f, name)), entry('count', f.iterable, jExpr(f.iterable, `length(${iterable})`))];
        if (batchArg) entries.push(entry('mode', batch!, jString(batch!, 'serial')), entry('batchSize', batch!, this.value(batchArg, new Map(), exprs)));
        return jObject(f, entries);
      },
    };
  }

  private module(s: T.ModuleDeclaration & { path: T.StringNode }, scope: FileScope, exprs: ExpressionLowering, out: Entry[]): void {
    const sym = scope.resources.get(s.name)!;
    const body = bodyOf(s.value);
    const locals = new Map<string, string>();
    const loop = body.loop ? this.loop(body.loop, s, locals, exprs) : undefined;
    const object = body.object;
    const prop = (key: string) => object?.properties.find((p): p is T.ObjectProperty => p.kind === 'ObjectPropertySyntax' && p.key === key);
    const keyword = declarationKeyword(s);
    const entries: Entry[] = [];
    entries.push(entry('type', s.path, jString(s.path, 'Microsoft.Resources/deployments')));
    entries.push(entry('apiVersion', s.path, jString(s.path, '2025-04-01')));
    const nameProp = prop('name');
    // Without a name, Bicep names the deployment after the symbol (and, in a loop, the index).
    const defaultName = loop
      ? `format('${s.name}-{0}-{1}', copyIndex(), uniqueString('${s.name}', deployment().name))`
      : `format('${s.name}-{0}', uniqueString('${s.name}', deployment().name))`;
    entries.push(entry('name', nameProp?.keyNode ?? s.nameNode, nameProp ? this.value(nameProp.value, locals, exprs) : jExpr(s.nameNode, defaultName)));
    if (!loop && nameProp) sym.nameText = exprs.text(nameProp.value, locals);
    if (body.condition) entries.push(entry('condition', body.condition, jExpr(body.condition, exprs.text(body.condition, locals))));
    if (loop) entries.push(entry('copy', loop.at, loop.copy(sym.symbol)));
    const scopeProp = prop('scope');
    if (scopeProp) entries.push(...this.moduleScope(scopeProp, scope, locals, exprs));
    const description = s.decorators.find((d) => decoratorName(d) === 'description');
    const descriptionArg = description ? decoratorArgs(description)[0] : undefined;
    if (descriptionArg)
      entries.push(
        entry('metadata', description!, jObject(description!, [entry('description', descriptionArg, this.value(descriptionArg, new Map(), exprs))])),
      );
    // Deployments above resource-group level run somewhere: Bicep gives them the deployment's location.
    // `scope: resourceGroup()` is the file's own resource group, as no scope is.
    const ownGroup =
      !scopeProp || (scopeProp.value.kind === 'FunctionCallSyntax' && scopeProp.value.name === 'resourceGroup' && scopeProp.value.args.length === 0);
    const atGroup = entries.some((e) => e.key === 'resourceGroup') || (ownGroup && this.targetScope === 'resourceGroup');
    if (!atGroup) entries.push(entry('location', s.path, jExpr(s.path, 'deployment().location')));
    const dependsOn = prop('dependsOn');
    if (dependsOn) entries.push(entry('dependsOn', dependsOn.keyNode, this.dependsOn(dependsOn.value, scope)));

    const properties: Entry[] = [];
    properties.push(entry('expressionEvaluationOptions', s.path, jObject(s.path, [entry('scope', s.path, jString(s.path, 'inner'))])));
    properties.push(entry('mode', s.path, jString(s.path, 'Incremental')));
    const params = prop('params');
    const paramEntries: Entry[] = [];
    if (params?.value.kind === 'ObjectSyntax') {
      for (const p of params.value.properties) {
        if (p.kind !== 'ObjectPropertySyntax' || p.key === undefined) continue;
        paramEntries.push(entry(p.key, p.keyNode, this.moduleParameter(p, scope, locals, exprs)));
      }
    }
    if (params) properties.push(entry('parameters', params.keyNode, jObject(params, paramEntries)));
    const spec = s.path.holes.length === 0 ? (s.path.segments[0] ?? '') : '';
    let relative: string | undefined = spec;
    const target = this.moduleFile(spec, scope.absPath);
    if (/^(br[:/]|ts[:/])/.test(spec)) {
      relative = target ? path.relative(path.dirname(scope.absPath), target).split(path.sep).join('/') : undefined;
      if (!target) {
        const found = this.host.registryModule(spec, scope.absPath);
        const reason = found.ok ? 'it was not found' : found.reason;
        this.report(
          s.path,
          `'${spec}' is a registry module Tollgate cannot find offline: ${reason}; its resources are not checked`,
          'warning',
          'bicep-module-missing',
        );
      }
    }
    if (target && this.leadsBack(target, scope.absPath)) {
      // Bicep rejects a module cycle; linking it would expand the same files without end.
      this.report(s.path, `'${spec}' leads back to this file (a module cycle): its resources are not checked`);
    } else {
      const link =
        relative !== undefined
          ? jObject(s.path, [entry('relativePath', s.path, jString(s.path, relative))])
          : jObject(s.path, [entry('uri', s.path, jString(s.path, spec))]);
      properties.push(entry('templateLink', s.path, link));
    }
    entries.push(entry('properties', s.path, jObject(s.path, properties)));
    out.push(entry(sym.symbol, s.nameNode, jObject({ start: keyword, end: s.end }, entries)));
  }

  /** The file a module path names (a local path, or a registry module available locally). */
  private moduleFile(spec: string, fromAbsPath: string): string | undefined {
    if (spec === '') return undefined;
    if (/^(br[:/]|ts[:/])/.test(spec)) {
      const found = this.host.registryModule(spec, fromAbsPath);
      return found.ok ? found.path : undefined;
    }
    return path.resolve(path.dirname(fromAbsPath), spec);
  }

  /** Whether the Bicep module file `target` uses `file` as a module, directly or through other modules. */
  private leadsBack(target: string, file: string): boolean {
    const seen = new Set<string>();
    const pending = [target];
    while (pending.length > 0) {
      const next = pending.pop()!;
      if (next === file) return true;
      if (seen.has(next) || !/\.bicep$/i.test(next)) continue;
      seen.add(next);
      for (const spec of this.host.moduleReferences(next) ?? []) {
        const used = this.moduleFile(spec, next);
        if (used) pending.push(used);
      }
    }
    return false;
  }

  /** A module parameter: its value, or a Key Vault reference for `kv.getSecret('name')`. */
  private moduleParameter(p: T.ObjectProperty, scope: FileScope, locals: Locals, exprs: ExpressionLowering): JsonNode {
    const v = p.value;
    if (v.kind === 'InstanceFunctionCallSyntax' && v.name === 'getSecret' && v.args[0]) {
      const vault = this.resourceTarget(v.base, scope, locals, exprs);
      if (vault) {
        const reference: Entry[] = [
          entry('keyVault', v, jObject(v, [entry('id', v.base, jExpr(v.base, `resourceInfo(${vault}).id`))])),
          entry('secretName', v.args[0], this.value(v.args[0], locals, exprs)),
        ];
        if (v.args[1]) reference.push(entry('secretVersion', v.args[1], this.value(v.args[1], locals, exprs)));
        return jObject(p, [entry('reference', v, jObject(v, reference))]);
      }
    }
    return jObject(p, [entry('value', v, this.value(v, locals, exprs))]);
  }

  /** `scope: resourceGroup('rg')`, `subscription('id')`, `managementGroup('mg')`, `tenant()`. */
  private moduleScope(p: T.ObjectProperty, scope: FileScope, locals: Locals, exprs: ExpressionLowering): Entry[] {
    const v = p.value;
    const call = v.kind === 'FunctionCallSyntax' ? v : v.kind === 'InstanceFunctionCallSyntax' ? { name: v.name, args: v.args } : undefined;
    const arg = (i: number) => jExpr(p.value, exprs.text(call!.args[i]!, locals));
    if (call?.name === 'resourceGroup' && call.args.length === 1) return [entry('resourceGroup', p.keyNode, arg(0))];
    if (call?.name === 'resourceGroup' && call.args.length === 2)
      return [entry('subscriptionId', p.keyNode, arg(0)), entry('resourceGroup', p.keyNode, arg(1))];
    if (call?.name === 'subscription' && call.args.length === 1) return [entry('subscriptionId', p.keyNode, arg(0))];
    if (call?.name === 'managementGroup' && call.args.length === 1)
      return [entry('scope', p.keyNode, jExpr(p.value, `format('Microsoft.Management/managementGroups/{0}', ${exprs.text(call.args[0]!, locals)})`))];
    if (call?.name === 'tenant') return [entry('scope', p.keyNode, jString(p.value, '/'))];
    if (call?.name === 'subscription' && call.args.length === 0) return [entry('subscriptionId', p.keyNode, jExpr(p.value, 'subscription().subscriptionId'))];
    if (call && call.args.length === 0) return [];
    const target = this.resourceTarget(v, scope, locals, exprs);
    if (target) {
      // A resource group declared in a subscription-scoped file: the module deploys into it.
      const named = v.kind === 'ArrayAccessSyntax' ? v.base : v;
      const sym = named.kind === 'VariableAccessSyntax' ? scope.resources.get(named.name) : undefined;
      if (sym?.type.toLowerCase() === 'microsoft.resources/resourcegroups')
        return [entry('resourceGroup', p.keyNode, jExpr(p.value, `resourceInfo(${target}).name`))];
      return [entry('scope', p.keyNode, jExpr(p.value, `resourceInfo(${target}).id`))];
    }
    return [];
  }
}

type Complete<S> = S extends T.ResourceDeclaration ? S & { typeString: T.StringNode } : S extends T.ModuleDeclaration ? S & { path: T.StringNode } : S;

/**
 * The declarations that can be lowered. One the parser could not complete (no name, a resource
 * without its type, a module without its path) has its syntax error already and is left out
 * whole: it declares nothing and deploys nothing, rather than a half that misleads.
 */
function lowerable<S extends T.Statement>(statements: readonly S[]): Complete<S>[] {
  // Asked several times of the same list (names, then declarations, then outputs).
  let known = lowerableOf.get(statements);
  if (!known) {
    known = statements.filter((s) => {
      if ('name' in s && s.name === '') return false;
      if (s.kind === 'ResourceDeclarationSyntax') return s.typeString !== undefined;
      if (s.kind === 'ModuleDeclarationSyntax') return s.path !== undefined;
      return true;
    });
    lowerableOf.set(statements, known);
  }
  return known as Complete<S>[];
}
const lowerableOf = new WeakMap<readonly T.Statement[], readonly T.Statement[]>();

/**
 * Resources ordered so that one whose name or scope reads another (`scope: vault`,
 * `parent: apim`) comes after it: ARM declares instances in order and needs the other's id
 * first. Bicep lets a file use a resource before it is written. Otherwise the order is kept.
 */
function declarationOrder(resources: Entry[]): Entry[] {
  const bySymbol = new Map(resources.map((e) => [e.key, e]));
  const placed = new Set<string>();
  const out: Entry[] = [];
  const visiting = new Set<string>();
  const visit = (e: Entry) => {
    if (placed.has(e.key) || visiting.has(e.key)) return;
    visiting.add(e.key);
    for (const prop of e.value.children ?? []) {
      const key = prop.children?.[0]?.value;
      if (key !== 'name' && key !== 'scope') continue;
      const text = prop.children?.[1]?.value;
      if (typeof text !== 'string') continue;
      for (const m of text.matchAll(/resourceInfo\((?:'([^']+)'|format\('([^'[]+)\[)/g)) {
        const dep = bySymbol.get(m[1] ?? m[2]!);
        if (dep) visit(dep);
      }
    }
    visiting.delete(e.key);
    placed.add(e.key);
    out.push(e);
  };
  for (const e of resources) visit(e);
  return out;
}

/** The same file's names with some resources added (a resource body sees its nested resources). */
function overlay(scope: FileScope, resources: Map<string, ResourceSym>): FileScope {
  const view = Object.create(scope) as FileScope;
  Object.defineProperty(view, 'resources', { value: new Map([...scope.resources, ...resources]) });
  return view;
}

/** A written key that looks like an ARM expression is escaped, as the compiler does: `[[…]`. */
function literalKey(key: string): string {
  return key.startsWith('[') && key.endsWith(']') ? `[${key}` : key;
}

function isLiteralTree(n: JsonNode): boolean {
  if (n.type === 'string') return !(typeof n.value === 'string' && n.value.startsWith('[') && !n.value.startsWith('[['));
  return (n.children ?? []).every((c) => (c.type === 'property' ? isLiteralTree(c.children![1]!) : isLiteralTree(c)));
}

interface LoopInfo {
  at: Span;
  copy: (name: string) => JsonNode;
}

/**
 * The part of a JSON text a simple path (`$`, `.a.b`, `.a[0]`) selects, or undefined when the
 * text does not parse, the path is not simple (filters) or selects nothing.
 */
function selectJson(text: string, pathArg: string | undefined): { value: unknown } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const rest = (pathArg ?? '$').replace(/^\$/, '');
  for (const m of rest.matchAll(/\.([A-Za-z_]\w*)|\[(\d+)\]|(.)/g)) {
    if (m[3] !== undefined) return undefined;
    const key = m[1] ?? Number(m[2]);
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return depthOf(value, 0) <= MAX_LOADED_DEPTH ? { value } : undefined;
}

/** Deeper content stays in json('…'), whose evaluation has its own depth limit: building nodes recurses. */
const MAX_LOADED_DEPTH = 256;

function depthOf(v: unknown, depth: number): number {
  if (depth > MAX_LOADED_DEPTH || v === null || typeof v !== 'object') return depth;
  let max = depth;
  for (const item of Object.values(v)) {
    max = Math.max(max, depthOf(item, depth + 1));
    if (max > MAX_LOADED_DEPTH) break;
  }
  return max;
}

/**
 * A variable loop of a compiled template (`copy: [{name, count, input}]`) as one expression:
 * `map(range(0, count), lambda(…, input))`, its `copyIndex()` and `copyIndex('name')` read from the
 * lambda. Undefined when the input nests another loop (a `copyIndex` naming another loop).
 */
function loopExpression(name: string, count: unknown, input: unknown): string | undefined {
  const i = lambdaVariableOf(name);
  const body = asExpression(input, (text) => {
    let ok = true;
    const out = text.replace(
      /\bcopyIndex\s*\(\s*(?:('(?:[^']|'')*')\s*(?:,\s*([^()]*?)\s*)?|([^()']*?)\s*)\)/g,
      (_call, literal: string | undefined, offsetAfterName: string | undefined, offsetAlone: string | undefined) => {
        if (literal !== undefined && literal.slice(1, -1).replace(/''/g, "'").toLowerCase() !== name.toLowerCase()) ok = false;
        const offset = (literal !== undefined ? offsetAfterName : offsetAlone)?.trim();
        return offset ? `add(${i}, ${offset})` : i;
      },
    );
    // A copyIndex left (an offset that is itself a call) would be read outside any loop.
    return ok && !/\bcopyIndex\s*\(/.test(out) ? out : undefined;
  });
  const size = asExpression(count, (text) => text);
  if (body === undefined || size === undefined) return undefined;
  return `map(range(0, ${size}), lambda(${quote(`${name}_i`)}, ${body}))`;
}

const lambdaVariableOf = (name: string) => `lambdaVariables(${quote(`${name}_i`)})`;

/** A JSON value of a compiled template as the text of one ARM expression; `inner` rewrites each expression's text. */
function asExpression(v: unknown, inner: (text: string) => string | undefined): string | undefined {
  if (typeof v === 'string') {
    if (v.startsWith('[[')) return quote(v.slice(1));
    if (v.startsWith('[') && v.endsWith(']')) return inner(v.slice(1, -1));
    return quote(v);
  }
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? String(v) : `json(${quote(String(v))})`;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v === null || v === undefined) return 'null()';
  if (Array.isArray(v)) {
    const items = v.map((item) => asExpression(item, inner));
    return items.includes(undefined) ? undefined : `createArray(${items.join(', ')})`;
  }
  const parts: string[] = [];
  for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
    const e = asExpression(item, inner);
    if (e === undefined) return undefined;
    parts.push(quote(k), e);
  }
  return `createObject(${parts.join(', ')})`;
}

/**
 * A compiled template's value with its `variables('x')` and `copyIndex('x')` references to the
 * template's own variables renamed; undefined when an expression calls what cannot come along (its
 * parameters, its user functions) or names a variable in a way that cannot be renamed.
 */
function renameReferences(
  v: unknown,
  renamed: ReadonlyMap<string, string>,
  functions: ReadonlyMap<string, string> = new Map(),
  /** In a user function, `parameters()` reads the function's own parameters. */
  inFunction = false,
): unknown {
  if (typeof v === 'string') {
    if (!v.startsWith('[') || v.startsWith('[[') || !v.endsWith(']')) return v;
    const code = v.replace(/'(?:[^']|'')*'/g, "''");
    if (!inFunction && /\bparameters\s*\(/.test(code)) return undefined;
    // User functions: those of the template's own `__bicep` namespace come along renamed; others cannot.
    for (const m of code.matchAll(/\b([A-Za-z_][\w]*)\.([A-Za-z_][\w$]*)\s*\(/g)) {
      if (m[1] !== '__bicep' || !functions.has(m[2]!.toLowerCase())) return undefined;
    }
    let ok = true;
    const out = v
      .replace(/\b__bicep\.([A-Za-z_][\w$]*)\s*\(/g, (call, fn: string) => {
        const to = functions.get(fn.toLowerCase());
        return to ? `__bicep.${to}(` : call;
      })
      .replace(/\b(variables|copyIndex)\s*\(\s*('(?:[^']|'')*')?/g, (call, fn: string, literal: string | undefined) => {
        if (literal === undefined) {
          if (fn === 'variables') ok = false; // variables(<computed name>)
          return call; // copyIndex() or copyIndex(offset): the current loop
        }
        const name = literal.slice(1, -1).replace(/''/g, "'");
        const to = renamed.get(name.toLowerCase());
        if (!to) return call;
        return `${fn}(${quote(to)}`;
      });
    return ok ? out : undefined;
  }
  if (Array.isArray(v)) {
    const items = v.map((item) => renameReferences(item, renamed, functions, inFunction));
    return items.includes(undefined) ? undefined : items;
  }
  if (!isObject(v)) return v;
  const o = v;
  const out: Record<string, unknown> = {};
  for (const [k, item] of Object.entries(o)) {
    const r = renameReferences(item, renamed, functions, inFunction);
    if (r === undefined) return undefined;
    out[k] = r;
  }
  return out;
}

function accessor(property: string, safe: boolean): string {
  if (safe) return `[${quote(property)}]`;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(property) ? `.${property}` : `[${quote(property)}]`;
}

/** The object, condition and loop of a resource or module body. */
function bodyOf(value: T.Expr): { object?: T.ObjectNode; condition?: T.Expr; loop?: T.ForNode } {
  if (value.kind === 'ObjectSyntax') return { object: value };
  if (value.kind === 'IfConditionSyntax') return { object: value.body.kind === 'ObjectSyntax' ? value.body : undefined, condition: value.condition };
  if (value.kind === 'ForSyntax') {
    const inner = value.body.kind === 'IfConditionSyntax' ? bodyOf(value.body) : { object: value.body.kind === 'ObjectSyntax' ? value.body : undefined };
    return { ...inner, loop: value };
  }
  return {};
}

function declarationKeyword(s: T.SyntaxNode & { decorators: T.Decorator[] }): number {
  for (const c of s.children) if (isToken(c) && c.kind === 'Identifier') return c.start;
  return s.start;
}

function decoratorName(d: T.Decorator): string | undefined {
  const c = d.call;
  if (c.kind === 'FunctionCallSyntax') return c.name;
  if (c.kind === 'InstanceFunctionCallSyntax') return c.name;
  return undefined;
}

function decoratorArgs(d: T.Decorator): T.Expr[] {
  const c = d.call;
  return c.kind === 'FunctionCallSyntax' || c.kind === 'InstanceFunctionCallSyntax' ? c.args : [];
}

function identifierText(c: T.Child | undefined): string {
  if (!c) return '';
  if (isToken(c)) return c.text;
  return (c as T.Identifier).name ?? '';
}

function stringLiteralOf(t: T.TypeNode): string {
  const token = t.children[0];
  if (!token || !isToken(token)) return '';
  return token.text.slice(1, -1).replace(/\\'/g, "'").replace(/\\\\/g, '\\');
}

function nameOf(e: T.Expr | undefined): string {
  if (!e) return '';
  if (e.kind === 'VariableAccessSyntax') return e.name;
  if (e.kind === 'PropertyAccessSyntax') return e.name;
  if (e.kind === 'ArrayAccessSyntax' && e.index.kind === 'StringSyntax' && e.index.holes.length === 0) return e.index.segments[0] ?? '';
  if (e.kind === 'ResourceAccessSyntax') return e.name;
  return '';
}

/** The ARM text of a value the lowering cannot know, with the reason the engine will carry. */
function unknown(why: string): string {
  return `${UNKNOWN_FUNCTION}(${quote(why)})`;
}

/**
 * A type definition of a compiled JSON template as the lowering writes a parameter of it: its base
 * type (securestring/secureObject are secure string/object), `allowedValues` and `nullable`,
 * following `$ref` to the template's other definitions.
 */
function jsonDefinitionType(definition: unknown, definitions: ObjectValue, depth = 0): TypeInfo {
  if (depth > 20 || !isObject(definition)) return { type: '' };
  const nullable = getProperty(definition, 'nullable') === true || undefined;
  const ref = getProperty(definition, '$ref');
  if (typeof ref === 'string') {
    const target = ref.startsWith('#/definitions/') ? getProperty(definitions, ref.slice('#/definitions/'.length)) : undefined;
    const resolved = jsonDefinitionType(target, definitions, depth + 1);
    return nullable ? { ...resolved, nullable } : resolved;
  }
  const base = getProperty(definition, 'type');
  const lower = typeof base === 'string' ? base.toLowerCase() : '';
  const secure = lower === 'securestring' || lower === 'secureobject';
  const type = secure ? lower.slice('secure'.length) : AMBIENT_TYPES.has(lower) ? lower : '';
  const values = getProperty(definition, 'allowedValues');
  const allowed =
    (type === 'string' || type === 'int') && Array.isArray(values) && values.every((v) => typeof v === 'string' || typeof v === 'number')
      ? (values as (string | number)[])
      : undefined;
  return { type, ...(allowed && { allowed }), ...(nullable && { nullable }), ...(secure && { secure }) };
}

/**
 * The secure parts below the top level of a compiled JSON type definition, in the form
 * securePartsSchema writes (`type` with `properties`, `items` or `additionalProperties`), or
 * undefined when none is.
 */
function jsonSecureParts(definition: unknown, definitions: ObjectValue, at: Span, depth = 0): Entry[] | undefined {
  if (depth > 20 || !isObject(definition)) return undefined;
  const ref = getProperty(definition, '$ref');
  if (typeof ref === 'string') {
    const target = ref.startsWith('#/definitions/') ? getProperty(definitions, ref.slice('#/definitions/'.length)) : undefined;
    return jsonDefinitionType(target, definitions, depth + 1).secure ? undefined : jsonSecureParts(target, definitions, at, depth + 1);
  }
  const part = (d: unknown): JsonNode | undefined => {
    const type = jsonDefinitionType(d, definitions, depth + 1);
    if (type.secure) return secureSchema(at, type.type);
    const inner = jsonSecureParts(d, definitions, at, depth + 1);
    return inner && jObject(at, inner);
  };
  const type = getProperty(definition, 'type');
  const properties = getProperty(definition, 'properties');
  if (isObject(properties)) {
    const entries: Entry[] = [];
    for (const [key, d] of Object.entries(properties)) {
      const schema = part(d);
      if (schema) entries.push(entry(key, at, schema));
    }
    if (entries.length) return [entry('type', at, jString(at, typeof type === 'string' ? type : 'object')), entry('properties', at, jObject(at, entries))];
  }
  const items = getProperty(definition, 'items');
  const itemSchema = isObject(items) ? part(items) : undefined;
  if (itemSchema) return [entry('type', at, jString(at, 'array')), entry('items', at, itemSchema)];
  const additional = getProperty(definition, 'additionalProperties');
  const additionalSchema = isObject(additional) ? part(additional) : undefined;
  if (additionalSchema) return [entry('type', at, jString(at, 'object')), entry('additionalProperties', at, additionalSchema)];
  return undefined;
}

/** ARM's secure type for a base type: secureObject for an object, securestring otherwise (as the compiler writes them). */
function secureTypeOf(base: string): string {
  return base === 'object' ? 'secureObject' : 'securestring';
}

/** The schema of a part that is secret: `{ type: securestring | secureObject }`. */
function secureSchema(at: Span, base: string): JsonNode {
  return jObject(at, [entry('type', at, jString(at, secureTypeOf(base)))]);
}
