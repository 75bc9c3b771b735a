import path from 'node:path';
import { DEFAULT_DEPLOYMENT } from '../../arm/expression/context.js';
import { classify } from '../../input/classify.js';
import { formatLocation } from '../../load/format-location.js';
import { readJsonDocument, type JsonDocument } from '../../load/json-document.js';
import { InputError } from '../../load/diagnostic.js';
import { addDefinitionDocument, type Catalog } from '../../policy/catalog.js';
import type { TraceNode } from '../../policy/condition.js';
import { evaluatePolicy, type PolicyResult } from '../../policy/engine.js';
import { createPolicyRule, policyTime, type PolicyRule } from '../../policy/policy-rule.js';
import { definitionFromJson, rawTarget } from '../../policy/raw.js';
import { getProperty, isObject, type Value } from '../../resources/value.js';
import type { Rule } from '../../rules/rule.js';
import type { Outcome } from '../../findings/finding.js';
import { scan } from '../../scan.js';
import { deploymentFromFlags, environmentFromFlags, type DeploymentFlags } from '../deployment-options.js';
import { EXIT } from '../exit-code.js';

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
  const parameters = parseParams(flags.param ?? []);
  if (typeof parameters === 'string') return usage(parameters);
  const deployment = deploymentFromFlags(flags);
  if (typeof deployment === 'string') return usage(deployment);
  const env = environmentFromFlags(flags.env);
  if (typeof env === 'string') return usage(env);
  const rule = loadPolicy(policyPath, parameters, flags.effect, cwd);
  if (typeof rule === 'number') return rule;

  const abs = path.resolve(cwd, resourcePath);
  const c = classify({ absPath: abs, explicit: true }, cwd);
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
    const out = scan({ paths: [resourcePath], cwd, parameters: flags.parameters, deployment, env, ruleSet: { rules: [explaining], diagnostics: [], effectErrors: [] } });
    for (const d of out.diagnostics) process.stderr.write(`${formatLocation(d)}: ${d.severity}: ${d.message}\n`);
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
    if (!out.results.length) process.stdout.write(`no resource in ${resourcePath} is of a type the policy looks at (${rule.meta.appliesTo.join(', ')})\n`);
  } else {
    const raw = readRaw(abs, resourcePath);
    if (typeof raw === 'string') {
      process.stderr.write(`${raw}\n`);
      return EXIT.inputErrors;
    }
    verdicts = raw.map((json) => {
      const target = rawTarget(json, { ...DEFAULT_DEPLOYMENT, ...deployment });
      const trace: TraceNode[] = [];
      const result = evaluatePolicy(rule.compiled, target, { trace, ...(deployment.now ? { env: { now: policyTime(new Date(deployment.now)) } } : {}) });
      return verdictOf(result, `${target.type} '${target.name}'`, trace);
    });
  }
  if (flags.format === 'json') process.stdout.write(JSON.stringify({ policy: { id: rule.meta.id, displayName: rule.meta.title, effect: rule.effect }, results: verdicts }, null, 2) + '\n');
  else process.stdout.write(render(rule, verdicts));
  if (inputErrors) return EXIT.inputErrors;
  return verdicts.some((v) => v.outcome === 'non-compliant' || v.outcome === 'error') ? EXIT.findings : EXIT.ok;
}

function loadPolicy(policyPath: string, parameters: Record<string, unknown>, effect: string | undefined, cwd: string): PolicyRule | number {
  const abs = path.resolve(cwd, policyPath);
  let doc: JsonDocument;
  let json: Value;
  try {
    doc = readJsonDocument(abs, policyPath);
    json = doc.value as Value;
  } catch (err) {
    const d = err instanceof InputError ? err.diagnostic : { message: `cannot read the policy: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, file: policyPath };
    process.stderr.write(`${formatLocation(d)}: error: ${d.message}\n`);
    return EXIT.inputErrors;
  }
  const bareRule = isObject(json) && getProperty(json, 'if') !== undefined && getProperty(json, 'then') !== undefined;
  try {
    if (bareRule) return createPolicyRule(definitionFromJson(json, 'rule', parameters), { parameters, ...(effect ? { effect } : {}) });
    // A definition file: compile errors come back with their position in it.
    const out: Catalog = { rules: [], definitions: [], diagnostics: [], unmatchedEffects: [], rejectedEffects: [] };
    addDefinitionDocument(out, doc, abs, policyPath, [], new Set(), () => parameters);
    // A warning (a definition that cannot apply to a template) is shown; the test still runs.
    for (const w of out.diagnostics.filter((x) => x.severity !== 'error')) process.stderr.write(`${formatLocation(w)}: ${w.severity}: ${w.message}\n`);
    const d = out.diagnostics.find((x) => x.severity === 'error');
    if (d) {
      process.stderr.write(`${formatLocation(d)}: error: ${d.message}\n`);
      return EXIT.inputErrors;
    }
    const rule = out.rules[0]!;
    if (!effect) return rule;
    return createPolicyRule(rule.definition, { parameters, effect, source: policyPath, sidecar: rule.sidecar });
  } catch (err) {
    process.stderr.write(`${policyPath}: error: ${(err as Error).message}\n`);
    return EXIT.inputErrors;
  }
}

const OUTCOME: Readonly<Record<Outcome, Verdict['outcome']>> = { pass: 'compliant', fail: 'non-compliant', skip: 'not applicable', unknown: 'unknown', error: 'error' };

function verdictOf(result: PolicyResult, resource: string, trace: TraceNode[]): Verdict {
  const base = { resource, trace };
  switch (result.kind) {
    case 'compliant':
      return { ...base, outcome: 'compliant', why: 'the if condition is false', decidedBy: [] };
    case 'non-compliant':
      return { ...base, outcome: 'non-compliant', effect: result.effect, why: result.reason ?? 'the if condition is true', decidedBy: (result.verdict.because ?? []).map(witnessText) };
    case 'not-applicable':
      return { ...base, outcome: 'not applicable', why: result.reason, decidedBy: [] };
    case 'unknown':
      return { ...base, outcome: 'unknown', why: result.missingAlias ? `the alias '${result.missingAlias}' is not in Tollgate's alias table` : result.reason, decidedBy: [] };
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
  return [`${'  '.repeat(depth)}${MARK[String(node.truth) as keyof typeof MARK] ?? String(node.truth)} ${node.text}`, ...node.children.flatMap((c) => traceLines(c, depth + 1))];
}

function readRaw(abs: string, shown: string): Value[] | string {
  let json: Value;
  try {
    json = readJsonDocument(abs, shown).value as Value;
  } catch (err) {
    if (err instanceof InputError) return `${formatLocation(err.diagnostic)}: error: ${err.diagnostic.message}`;
    return `${shown}: error: cannot read the resource (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
  }
  const list = Array.isArray(json) ? json : [json];
  const bad = list.findIndex((r) => !isObject(r) || typeof getProperty(r, 'type') !== 'string');
  if (bad >= 0) return `${shown}: error: not a resource${Array.isArray(json) ? ` (item ${bad})` : ''}: a resource is a JSON object with a 'type' (or give an ARM template, a Bicep file or an export)`;
  return list;
}

function parseParams(list: readonly string[]): Record<string, unknown> | string {
  const out: Record<string, unknown> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq <= 0) return `--param must be name=value, not '${item}'`;
    const raw = item.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // not JSON: the text itself
    }
    out[item.slice(0, eq)] = value;
  }
  return out;
}

function usage(message: string): number {
  process.stderr.write(`tollgate: ${message}\n`);
  return EXIT.usage;
}
