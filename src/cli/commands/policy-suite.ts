import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { DEFAULT_DEPLOYMENT } from '../../arm/expression/context.js';
import { classify } from '../../input/classify.js';
import { InputError } from '../../load/diagnostic.js';
import { formatLocation } from '../../load/format-location.js';
import { readJsonDocument } from '../../load/json-document.js';
import { evaluatePolicy } from '../../policy/engine.js';
import { policyTime, type PolicyRule } from '../../policy/policy-rule.js';
import type { Result } from '../../result.js';
import { rawTarget } from '../../policy/raw.js';
import type { Value } from '../../resources/value.js';
import type { Rule } from '../../rules/rule.js';
import { loadRuleSet, scan } from '../../scan.js';
import { visible } from '../../report/visible.js';
import { EXIT } from '../exit-code.js';
import { loadPolicy } from './policy-test.js';

/**
 * `tollgate policy test --suite DIR`: every folder under DIR holding a definition (`policy.json`)
 * and its cases (`cases.yaml`, `cases.yml` or `cases.json`) is a test of that definition. Each
 * case names a fixture (an inline `resource`, or a `file`: raw resource JSON, an ARM template, a
 * Bicep file or an export, relative to the folder) and the outcome expected: compliant,
 * non-compliant (with the `effect`, when given), undecided or not-applicable. Layout and
 * format: docs/policy.md#testing-your-own-definitions.
 */

export type Expected = 'compliant' | 'non-compliant' | 'undecided' | 'not-applicable';
const EXPECTED: readonly Expected[] = ['compliant', 'non-compliant', 'undecided', 'not-applicable'];
const CASE_FILES = ['cases.yaml', 'cases.yml', 'cases.json'];
const CASE_KEYS = new Set(['name', 'resource', 'file', 'expect', 'effect', 'parameters', 'resourceName', 'now']);

interface SuiteCase {
  name: string;
  resource?: Value;
  file?: string;
  /** In a template with several resources the policy looks at: the one the case is about (its name, as deployed). */
  resourceName?: string;
  expect: Expected;
  effect?: string;
  parameters?: Record<string, unknown>;
  now?: string;
}

interface Outcome {
  outcome: Expected | 'error';
  effect?: string;
  why: string;
}

/** One case in `-f json`: `actual` is the outcome seen, or why the cases file could not be read. */
interface CaseResult {
  folder: string;
  name?: string;
  status: 'passed' | 'failed' | 'not run';
  expected?: Expected;
  expectedEffect?: string;
  actual?: Outcome | string;
}

export interface SuiteFlags {
  format?: string;
}

export function runPolicySuite(dir: string, flags: SuiteFlags = {}): number {
  const cwd = process.cwd();
  const root = path.resolve(cwd, dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    say(process.stderr, `tollgate: --suite ${dir}: not a folder\n`);
    return EXIT.usage;
  }
  const folders = suiteFolders(root);
  if (!folders.length) {
    say(process.stderr, `tollgate: --suite ${dir}: no folder with a policy.json and a cases.yaml (see docs/policy.md#testing-your-own-definitions)\n`);
    return EXIT.usage;
  }
  let passed = 0;
  let failed = 0;
  let broken = 0;
  const lines: string[] = [];
  // For -f json: one entry per case (or per cases file that cannot be read).
  const caseResults: CaseResult[] = [];
  for (const folder of folders) {
    const shown = path.relative(cwd, folder) || '.';
    lines.push(shown);
    const cases = readCases(folder, shown);
    if (typeof cases === 'string') {
      lines.push(`  ✗ ${cases}`);
      caseResults.push({ folder: shown, status: 'not run', actual: cases });
      broken++;
      continue;
    }
    const policies = new Map<string, Result<PolicyRule, number>>();
    for (const c of cases) {
      const key = JSON.stringify(c.parameters ?? {});
      if (!policies.has(key)) policies.set(key, loadPolicy(path.join(folder, 'policy.json'), c.parameters ?? {}, undefined, cwd));
      const loaded = policies.get(key)!;
      if (!loaded.ok) {
        lines.push(`  ✗ ${c.name}: the definition cannot be evaluated (the error is above)`);
        caseResults.push({ folder: shown, name: c.name, status: 'not run', expected: c.expect, ...(c.effect ? { expectedEffect: c.effect } : {}) });
        broken++;
        continue;
      }
      const got = outcomeOf(loaded.value, c, folder, cwd);
      const ok = got.outcome === c.expect && (c.effect === undefined || c.expect !== 'non-compliant' || got.effect?.toLowerCase() === c.effect.toLowerCase());
      caseResults.push({
        folder: shown,
        name: c.name,
        status: ok ? 'passed' : 'failed',
        expected: c.expect,
        ...(c.effect ? { expectedEffect: c.effect } : {}),
        actual: got,
      });
      if (ok) {
        passed++;
        lines.push(`  ✓ ${c.name}: ${c.expect}${got.effect && c.expect === 'non-compliant' ? ` (effect ${got.effect})` : ''}`);
      } else {
        failed++;
        lines.push(
          `  ✗ ${c.name}`,
          `      expected: ${c.expect}${c.effect && c.expect === 'non-compliant' ? ` (effect ${c.effect})` : ''}`,
          `      actual:   ${got.outcome}${got.effect ? ` (effect ${got.effect})` : ''}: ${got.why}`,
        );
      }
    }
  }
  const total = passed + failed + broken;
  const counted = `${total} case${total === 1 ? '' : 's'} in ${folders.length} definition${folders.length === 1 ? '' : 's'}`;
  const summary = `${counted}: ${passed} passed, ${failed} failed${broken ? `, ${broken} could not run` : ''}`;
  if (flags.format === 'json') process.stdout.write(JSON.stringify({ summary: { passed, failed, notRun: broken }, cases: caseResults }, null, 2) + '\n');
  else say(process.stdout, `${lines.join('\n')}\n\n${summary}\n`);
  if (broken) return EXIT.inputErrors;
  return failed ? EXIT.findings : EXIT.ok;
}

/** Folders (DIR itself or any below it, sorted) that hold a policy.json and a cases file. */
function suiteFolders(root: string): string[] {
  const out: string[] = [];
  const visit = (dir: string): void => {
    const names = readdirSync(dir).sort();
    if (names.includes('policy.json') && CASE_FILES.some((f) => names.includes(f))) out.push(dir);
    for (const n of names) {
      if (n === 'node_modules' || n.startsWith('.')) continue;
      const p = path.join(dir, n);
      if (statSync(p).isDirectory()) visit(p);
    }
  };
  visit(root);
  return out;
}

function readCases(folder: string, shown: string): SuiteCase[] | string {
  const name = CASE_FILES.find((f) => existsSync(path.join(folder, f)))!;
  const where = `${shown}/${name}`;
  let data: unknown;
  try {
    const { parse } = yamlLib();
    data = parse(readFileSync(path.join(folder, name), 'utf8'), { maxAliasCount: 100 });
  } catch (err) {
    return `${where}: ${(err as Error).message.split('\n')[0]}`;
  }
  const list = Array.isArray(data) ? data : isRecord(data) && Array.isArray(data['cases']) ? data['cases'] : undefined;
  if (!list) return `${where}: expected a list of cases (or { cases: [...] })`;
  const shared = isRecord(data) && isRecord(data['parameters']) ? data['parameters'] : undefined;
  const out: SuiteCase[] = [];
  for (const [i, raw] of list.entries()) {
    const at = `${where}: cases[${i}]`;
    if (!isRecord(raw)) return `${at}: a case is a mapping with name, expect and resource or file`;
    const unknown = Object.keys(raw).find((k) => !CASE_KEYS.has(k));
    if (unknown) return `${at}: unknown key '${unknown}' (a case has ${[...CASE_KEYS].join(', ')})`;
    if (typeof raw['name'] !== 'string' || !raw['name']) return `${at}: 'name' is required`;
    if (!EXPECTED.includes(raw['expect'] as Expected)) return `${at} (${raw['name']}): 'expect' must be one of ${EXPECTED.join(', ')}`;
    if ((raw['resource'] === undefined) === (raw['file'] === undefined))
      return `${at} (${raw['name']}): give either 'resource' (the resource's JSON) or 'file' (a fixture beside cases)`;
    if (raw['file'] !== undefined && typeof raw['file'] !== 'string') return `${at} (${raw['name']}): 'file' is a path`;
    if (raw['effect'] !== undefined && typeof raw['effect'] !== 'string') return `${at} (${raw['name']}): 'effect' is an effect name (Audit, Deny, …)`;
    if (raw['parameters'] !== undefined && !isRecord(raw['parameters'])) return `${at} (${raw['name']}): 'parameters' is a mapping of parameter values`;
    out.push({
      name: raw['name'],
      expect: raw['expect'] as Expected,
      ...(raw['resource'] !== undefined ? { resource: raw['resource'] as Value } : {}),
      ...(typeof raw['file'] === 'string' ? { file: raw['file'] } : {}),
      ...(typeof raw['effect'] === 'string' ? { effect: raw['effect'] } : {}),
      ...(typeof raw['resourceName'] === 'string' ? { resourceName: raw['resourceName'] } : {}),
      ...(typeof raw['now'] === 'string' ? { now: raw['now'] } : {}),
      ...(shared || raw['parameters'] ? { parameters: { ...shared, ...(raw['parameters'] as Record<string, unknown> | undefined) } } : {}),
    });
  }
  return out;
}

function outcomeOf(rule: PolicyRule, c: SuiteCase, folder: string, cwd: string): Outcome {
  const deployment = { ...DEFAULT_DEPLOYMENT, ...(c.now ? { now: c.now } : {}) };
  if (c.resource !== undefined) return rawOutcome(rule, c.resource, deployment);
  const abs = path.resolve(folder, c.file!);
  const shown = path.relative(cwd, abs);
  const classified = classify({ absPath: abs, explicit: true }, cwd);
  if (classified.ok && (classified.file.kind === 'template' || classified.file.kind === 'export')) return scannedOutcome(rule, shown, c, cwd);
  let json: Value;
  try {
    json = readJsonDocument(abs, shown).value as Value;
  } catch (err) {
    return {
      outcome: 'error',
      why:
        err instanceof InputError
          ? `${formatLocation(err.diagnostic)}: ${err.diagnostic.message}`
          : `cannot read ${shown}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    };
  }
  return rawOutcome(rule, json, deployment);
}

function rawOutcome(rule: PolicyRule, json: Value, deployment: typeof DEFAULT_DEPLOYMENT): Outcome {
  // As in a scan (and as Azure reports a resource its type conditions exclude): not applicable, not compliant.
  const type = isRecord(json) && typeof json['type'] === 'string' ? json['type'].toLowerCase() : undefined;
  if (type !== undefined && !rule.meta.appliesTo.some((t) => t === '*' || t.toLowerCase() === type)) {
    return {
      outcome: 'not-applicable',
      why: `the policy looks at ${rule.meta.appliesTo.join(', ')}, not ${String((json as Record<string, unknown>)['type'])}`,
    };
  }
  try {
    const result = evaluatePolicy(rule.compiled, rawTarget(json, deployment), deployment.now ? { env: { now: policyTime(new Date(deployment.now)) } } : {});
    switch (result.kind) {
      case 'compliant':
        return { outcome: 'compliant', why: 'the if condition is false' };
      case 'non-compliant':
        return { outcome: 'non-compliant', effect: result.effect, why: result.reason ?? 'the if condition is true' };
      case 'not-applicable':
        return { outcome: 'not-applicable', why: result.reason };
      case 'unknown':
        return { outcome: 'undecided', why: result.missingAlias ? `the alias '${result.missingAlias}' is not in Tollgate's alias table` : result.reason };
      case 'error':
        return { outcome: 'error', why: result.message };
    }
  } catch (err) {
    return { outcome: 'error', why: (err as Error).message };
  }
}

const FROM_OUTCOME = { pass: 'compliant', fail: 'non-compliant', skip: 'not-applicable', unknown: 'undecided', error: 'error' } as const;

/** A template, Bicep file or export: the scan's outcome for the resources the policy looks at. */
function scannedOutcome(rule: PolicyRule, shown: string, c: SuiteCase, cwd: string): Outcome {
  const only: Rule = { meta: rule.meta, enabled: true, check: (r, ctx) => rule.check(r, ctx) };
  const notRun = loadRuleSet().rules.map((r) => r.meta);
  const out = scan({
    paths: [shown],
    cwd,
    ...(c.now ? { deployment: { now: c.now } } : {}),
    ruleSet: { rules: [only], diagnostics: [], effectErrors: [], notRun },
  });
  const errors = out.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) return { outcome: 'error', why: errors.map((d) => `${formatLocation(d)}: ${d.message}`).join('; ') };
  const results = c.resourceName ? out.results.filter((r) => r.resource.name.toLowerCase() === c.resourceName!.toLowerCase()) : out.results;
  if (!results.length)
    return {
      outcome: 'not-applicable',
      why: c.resourceName
        ? `no resource named '${c.resourceName}' that the policy looks at`
        : `no resource of a type the policy looks at (${rule.meta.appliesTo.join(', ')})`,
    };
  const outcomes = new Set(results.map((r) => FROM_OUTCOME[r.outcome]));
  if (outcomes.size > 1)
    return {
      outcome: 'error',
      why: `the resources differ (${results.map((r) => `${r.resource.name}: ${FROM_OUTCOME[r.outcome]}`).join(', ')}): name one with resourceName`,
    };
  const first = results[0]!;
  const finding = first.findings[0];
  return { outcome: FROM_OUTCOME[first.outcome], ...(finding ? { effect: finding.effect ?? rule.effect } : {}), why: finding?.message ?? first.reason ?? '' };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// yaml is loaded only when a suite is read (as for configuration files).
const yamlLib = () => createRequire(import.meta.url)('yaml') as typeof import('yaml');

function say(stream: NodeJS.WriteStream, text: string): void {
  stream.write(visible(text, 'lf'));
}
