import path from 'node:path';
import { DEFAULT_DEPLOYMENT } from '../../arm/expression/context.js';
import { classify } from '../../input/classify.js';
import { evaluateBicepParamValues } from '../../arm/template/expand.js';
import { formatLocation } from '../../load/format-location.js';
import { childNode, readJsonDocument, type JsonDocument, type JsonNode } from '../../load/json-document.js';
import { isExpression, parseExpression } from '../../arm/expression/parser.js';
import type { Expr } from '../../arm/expression/ast.js';
import { findParameter, type PolicyDefinition } from '../../policy/definition.js';
import { InputError } from '../../load/diagnostic.js';
import { addDefinitionDocument, type Catalog } from '../../policy/catalog.js';
import { readPolicyFile } from '../../policy/arm-deployed.js';
import type { TraceNode } from '../../policy/condition.js';
import { evaluatePolicy, type PolicyResult } from '../../policy/engine.js';
import { createPolicyRule, policyTime, type PolicyRule } from '../../policy/policy-rule.js';
import { definitionFromJson, rawTarget } from '../../policy/raw.js';
import { PolicyCompileError, PolicyEffectError } from '../../policy/errors.js';
import { getProperty, isObject, type Value } from '../../resources/value.js';
import type { Rule } from '../../rules/rule.js';
import type { Outcome } from '../../findings/finding.js';
import { loadRuleSet, scan } from '../../scan.js';
import { deploymentFromFlags, environmentFromFlags, type DeploymentFlags } from '../deployment-options.js';
import { EXIT } from '../exit-code.js';
import { visible } from '../../report/visible.js';
import { fail, ok, type Result } from '../../result.js';

export interface PolicyTestFlags extends DeploymentFlags {
  /** `name=value` (value read as JSON when it parses, else as a string), repeatable. */
  param?: string[];
  effect?: string;
  parameters?: string[];
  format?: string;
}

interface Verdict {
  resource: string;
  at?: string;
  outcome: 'compliant' | 'non-compliant' | 'not applicable' | 'unknown' | 'error';
  effect?: string;
  why: string;
  decidedBy: string[];
  trace: TraceNode[];
}

/**
 * `tollgate policy test POLICY RESOURCE`: one definition against one resource (raw JSON, as
 * Azure hands it to policy) or against what an ARM template or Bicep file deploys, with the
 * condition that decided and every condition looked at, with the values seen.
 */
export function runPolicyTest(policyPath: string, resourcePath: string, flags: PolicyTestFlags): number {
  const cwd = process.cwd();
  const parametersRead = parseParams(flags.param ?? []);
  if (!parametersRead.ok) return usage(parametersRead.error);
  const parameters = parametersRead.value;
  const deploymentRead = deploymentFromFlags(flags);
  if (!deploymentRead.ok) return usage(deploymentRead.error);
  const deployment = deploymentRead.value;
  const envRead = environmentFromFlags(flags.env);
  if (!envRead.ok) return usage(envRead.error);
  const env = envRead.value;
  const ruleRead = loadPolicy(policyPath, parameters, flags.effect, cwd);
  if (!ruleRead.ok) return ruleRead.error;
  const rule = ruleRead.value;

  const abs = path.resolve(cwd, resourcePath);
  const c = classify({ absPath: abs, explicit: true }, cwd, undefined, evaluateBicepParamValues);
  let verdicts: Verdict[];
  let inputErrors = false;
  if (c.ok && (c.file.kind === 'template' || c.file.kind === 'export')) {
    const explained = new Map<string, ReturnType<PolicyRule['explain']> & { at: string }>();
    // Every resource the rule applies to is explained as well as checked.
    const explaining: Rule = {
      meta: rule.meta,
      enabled: true,
      check(resource, ctx) {
        explained.set(resource.id.toLowerCase(), { ...rule.explain(resource), at: formatLocation({ location: resource.source.location }) });
        rule.check(resource, ctx);
      },
    };
    // Suppressions written for the other rules are not unused: those rules do not run here.
    const notRun = loadRuleSet().rules.map((r) => r.meta);
    const out = scan({
      paths: [resourcePath],
      cwd,
      parameters: flags.parameters,
      deployment,
      env,
      ruleSet: { rules: [explaining], diagnostics: [], effectErrors: [], notRun },
    });
    for (const d of out.diagnostics) say(process.stderr, `${formatLocation(d)}: ${d.severity}: ${d.message}\n`);
    inputErrors = out.diagnostics.some((d) => d.severity === 'error');
    // The outcome is the scan's, which also sees the related resources of the deployment; the explanation is the trace.
    verdicts = out.results.map((r): Verdict => {
      const ex = explained.get(r.resource.id.toLowerCase());
      const finding = r.findings[0];
      const outcome = OUTCOME[r.outcome];
      return {
        resource: `${r.resource.type} '${r.resource.name}'`,
        ...(finding ? { at: formatLocation({ file: finding.file, location: finding.location }) } : ex ? { at: ex.at } : {}),
        outcome,
        ...(outcome === 'non-compliant' ? { effect: rule.effect } : {}),
        why: finding?.message ?? r.reason ?? (outcome === 'compliant' ? 'the if condition is false' : ''),
        decidedBy: outcome === 'non-compliant' ? (ex?.verdict.because ?? []).map(witnessText) : [],
        trace: ex?.trace ?? [],
      };
    });
    if (!out.results.length) say(process.stdout, `no resource in ${resourcePath} is of a type the policy looks at (${rule.meta.appliesTo.join(', ')})\n`);
  } else {
    const rawRead = readRaw(abs, resourcePath);
    if (!rawRead.ok) {
      say(process.stderr, `${rawRead.error}\n`);
      return EXIT.inputErrors;
    }
    const raw = rawRead.value;
    try {
      verdicts = raw.map((json) => {
        const target = rawTarget(json, { ...DEFAULT_DEPLOYMENT, ...deployment });
        const trace: TraceNode[] = [];
        const result = evaluatePolicy(rule.compiled, target, { trace, ...(deployment.now ? { env: { now: policyTime(new Date(deployment.now)) } } : {}) });
        return verdictOf(result, `${target.type} '${target.name}'`, trace);
      });
    } catch (err) {
      // What the check before evaluation cannot see (a parameter name computed by an
      // expression) is still the definition's problem, never an internal error.
      if (!(err instanceof PolicyCompileError)) throw err;
      say(process.stderr, `${policyPath}: error: ${err.message}\n`);
      return EXIT.inputErrors;
    }
  }
  if (flags.format === 'json')
    process.stdout.write(
      JSON.stringify({ policy: { id: rule.meta.id, displayName: rule.meta.title, effect: rule.effect }, results: verdicts }, null, 2) + '\n',
    );
  else say(process.stdout, render(rule, verdicts));
  if (inputErrors) return EXIT.inputErrors;
  return verdicts.some((v) => v.outcome === 'non-compliant' || v.outcome === 'error') ? EXIT.findings : EXIT.ok;
}

export function loadPolicy(policyPath: string, parameters: Record<string, unknown>, effect: string | undefined, cwd: string): Result<PolicyRule, number> {
  const abs = path.resolve(cwd, policyPath);
  let doc: JsonDocument;
  let json: Value;
  try {
    doc = readPolicyFile(abs, policyPath).doc;
    json = doc.value as Value;
  } catch (err) {
    const d =
      err instanceof InputError
        ? err.diagnostic
        : { message: `cannot read the policy: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, file: policyPath };
    say(process.stderr, `${formatLocation(d)}: error: ${d.message}\n`);
    return fail(EXIT.inputErrors);
  }
  const bareRule = isObject(json) && getProperty(json, 'if') !== undefined && getProperty(json, 'then') !== undefined;
  try {
    let rule: PolicyRule;
    if (bareRule) rule = createPolicyRule(definitionFromJson(json, 'rule', parameters), { parameters, ...(effect ? { effect } : {}) });
    else {
      // A definition file: compile errors come back with their position in it.
      const out: Catalog = { rules: [], definitions: [], diagnostics: [], unmatchedEffects: [], rejectedEffects: [] };
      addDefinitionDocument(out, doc, abs, policyPath, [], new Set(), () => parameters);
      // A warning (a definition that cannot apply to a template) is shown; the test still runs.
      for (const w of out.diagnostics.filter((x) => x.severity !== 'error')) say(process.stderr, `${formatLocation(w)}: ${w.severity}: ${w.message}\n`);
      const d = out.diagnostics.find((x) => x.severity === 'error');
      if (d) {
        say(process.stderr, `${formatLocation(d)}: error: ${d.message}\n`);
        return fail(EXIT.inputErrors);
      }
      rule = out.rules[0]!;
      if (effect) rule = createPolicyRule(rule.definition, { parameters, effect, source: policyPath, sidecar: rule.sidecar });
    }
    const envelope = childNode(doc.root, 'properties') ?? doc.root;
    const problem = parameterProblem(bareRule ? doc.root : childNode(envelope, 'policyRule'), doc, rule.definition, parameters, bareRule);
    if (problem) {
      say(process.stderr, `${problem.at}: error: ${problem.message}\n`);
      return fail(problem.exit);
    }
    return ok(rule);
  } catch (err) {
    say(process.stderr, `${policyPath}: error: ${(err as Error).message}\n`);
    // An --effect the definition cannot take is the caller's choice (bad usage, as in scan
    // --effect); any other compile failure is the definition's defect.
    return fail(effect && err instanceof PolicyEffectError ? EXIT.usage : EXIT.inputErrors);
  }
}

/**
 * A `parameters('x')` the rule cannot evaluate: not declared by the definition (its own defect,
 * exit 3), or declared without a default and not given with --param (the caller's, exit 2).
 * Compiling leaves parameter look-ups to evaluation, where they would fail on every resource
 * (or, on raw JSON, escape as an internal error); found here first, with the place of the
 * reference. Only string arguments are checked: a computed name is evaluated as before.
 */
function parameterProblem(
  node: JsonNode | undefined,
  doc: JsonDocument,
  definition: PolicyDefinition,
  given: Record<string, unknown>,
  bareRule: boolean,
): { at: string; message: string; exit: number } | undefined {
  const givenNames = new Set(Object.keys(given).map((k) => k.toLowerCase()));
  // deployIfNotExists carries an ARM template whose parameters('…') are its own, evaluated by
  // Azure at deployment, not the definition's.
  let deployed: JsonNode | undefined = node;
  for (const key of ['then', 'details', 'deployment', 'properties', 'template']) deployed = childNode(deployed, key);
  const stack = node ? [node] : [];
  while (stack.length) {
    const n = stack.pop()!;
    if (n === deployed) continue;
    if (n.children) stack.push(...[...n.children].reverse());
    if (n.type !== 'string' || typeof n.value !== 'string' || !isExpression(n.value)) continue;
    let expr: Expr;
    try {
      expr = parseExpression(n.value);
    } catch {
      continue; // a syntax error is the compiler's to report
    }
    for (const ref of parameterReferences(expr)) {
      // Offsets in the expression count from the string's first character, after the quote.
      const at = formatLocation({ location: doc.file.locationOf(n.offset + 1 + ref.start, ref.end - ref.start) });
      const declared = findParameter(definition, ref.name);
      if (bareRule && !givenNames.has(ref.name.toLowerCase()))
        return { at, message: `the policy rule reads parameter '${ref.name}', which has no value: give it with --param ${ref.name}=VALUE`, exit: EXIT.usage };
      if (!declared)
        return {
          at,
          message: `the policy rule reads parameter '${ref.name}', which the definition does not declare (under properties.parameters)`,
          exit: EXIT.inputErrors,
        };
      if (declared.defaultValue === undefined && !givenNames.has(declared.name.toLowerCase())) {
        return { at, message: `parameter '${declared.name}' has no defaultValue and no value: give it with --param ${declared.name}=VALUE`, exit: EXIT.usage };
      }
    }
  }
  return undefined;
}

/** `parameters('name')` calls with a literal name, anywhere in an expression. */
function parameterReferences(expr: Expr): { name: string; start: number; end: number }[] {
  const out: { name: string; start: number; end: number }[] = [];
  const visit = (e: Expr): void => {
    if (e.kind === 'call') {
      const first = e.args[0];
      if (e.name.toLowerCase() === 'parameters' && first?.kind === 'string') out.push({ name: first.value, start: e.start, end: e.end });
      e.args.forEach(visit);
    } else if (e.kind === 'property') visit(e.object);
    else if (e.kind === 'index') {
      visit(e.object);
      visit(e.index);
    }
  };
  visit(expr);
  return out;
}

const OUTCOME: Readonly<Record<Outcome, Verdict['outcome']>> = {
  pass: 'compliant',
  fail: 'non-compliant',
  skip: 'not applicable',
  unknown: 'unknown',
  error: 'error',
};

function verdictOf(result: PolicyResult, resource: string, trace: TraceNode[]): Verdict {
  const base = { resource, trace };
  switch (result.kind) {
    case 'compliant':
      return { ...base, outcome: 'compliant', why: 'the if condition is false', decidedBy: [] };
    case 'non-compliant':
      return {
        ...base,
        outcome: 'non-compliant',
        effect: result.effect,
        why: result.reason ?? 'the if condition is true',
        decidedBy: (result.verdict.because ?? []).map(witnessText),
      };
    case 'not-applicable':
      return { ...base, outcome: 'not applicable', why: result.reason, decidedBy: [] };
    case 'unknown':
      return {
        ...base,
        outcome: 'unknown',
        why: result.missingAlias ? `the alias '${result.missingAlias}' is not in Tollgate's alias table` : result.reason,
        decidedBy: [],
      };
    case 'error':
      return { ...base, outcome: 'error', why: `${result.message} (Azure treats a failed evaluation as an implicit deny)`, decidedBy: [] };
  }
}

function witnessText(w: { field?: string; path?: string; operator?: string; operand?: unknown; actual?: unknown; counted?: true }): string {
  const subject = w.counted ? `count of field '${w.field}'` : w.field ? `field '${w.field}'` : 'value';
  const where = w.path ? ` at ${w.path}` : '';
  const actual = w.actual === undefined ? 'absent' : JSON.stringify(w.actual);
  return `${subject}${where} is ${actual}: ${w.operator ?? ''} ${JSON.stringify(w.operand)}`;
}

function render(rule: PolicyRule, verdicts: readonly Verdict[]): string {
  const lines = [`Policy ${rule.meta.title} (${rule.meta.id}), effect ${rule.effect}`];
  for (const v of verdicts) {
    lines.push('', `${v.resource}${v.at ? ` at ${v.at}` : ''}`, `  ${v.outcome.toUpperCase()}${v.effect ? ` (effect ${v.effect})` : ''}: ${v.why}`);
    if (v.decidedBy.length) lines.push('  decided by:', ...v.decidedBy.map((d) => `    ${d}`));
    if (v.trace.length) lines.push('  conditions:', ...v.trace.flatMap((t) => traceLines(t, 2)));
  }
  return lines.join('\n') + '\n';
}

const MARK = { true: 'true ', false: 'false', unknown: '?    ' } as const;

function traceLines(node: TraceNode, depth: number): string[] {
  return [
    `${'  '.repeat(depth)}${MARK[String(node.truth) as keyof typeof MARK] ?? String(node.truth)} ${node.text}`,
    ...node.children.flatMap((c) => traceLines(c, depth + 1)),
  ];
}

function readRaw(abs: string, shown: string): Result<Value[]> {
  let json: Value;
  try {
    json = readJsonDocument(abs, shown).value as Value;
  } catch (err) {
    if (err instanceof InputError) return fail(`${formatLocation(err.diagnostic)}: error: ${err.diagnostic.message}`);
    return fail(`${shown}: error: cannot read the resource (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const list = Array.isArray(json) ? json : [json];
  const bad = list.findIndex((r) => !isObject(r) || typeof getProperty(r, 'type') !== 'string');
  if (bad >= 0)
    return fail(
      `${shown}: error: not a resource${Array.isArray(json) ? ` (item ${bad})` : ''}: a resource is a JSON object with a 'type' (or give an ARM template, a Bicep file or an export)`,
    );
  return ok(list);
}

function parseParams(list: readonly string[]): Result<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq <= 0) return fail(`--param must be name=value, not '${item}'`);
    const raw = item.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // not JSON: the text itself
    }
    // defineProperty: `--param __proto__=…` names a parameter, it does not replace the prototype.
    Object.defineProperty(out, item.slice(0, eq), { value, enumerable: true, writable: true, configurable: true });
  }
  return ok(out);
}

/**
 * Resource names, values and file names come from the input: their control and bidi characters
 * are shown as escapes (an ESC would act on the terminal). The JSON format is left to
 * JSON.stringify, which escapes the controls itself.
 */
function say(stream: NodeJS.WriteStream, text: string): void {
  stream.write(visible(text, 'lf'));
}

function usage(message: string): number {
  say(process.stderr, `tollgate: ${message}\n`);
  return EXIT.usage;
}
