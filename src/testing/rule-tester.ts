import { AssertionError } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as nodeTest from 'node:test';
import type { Finding, RuleResult } from '../findings/finding.js';
import { formatLocation } from '../load/format-location.js';
import { applyEdits } from '../findings/text-edits.js';
import { isDefinedRule } from '../rules/define-rule.js';
import { validateRuleOptions } from '../rules/rule-options.js';
import type { Rule } from '../rules/rule.js';
import { scan } from '../scan.js';
import { armTemplate, bicepFile, exportFile, notPortable, SHAPES, type ResourceInput, type Shape } from './shapes.js';

export type { ResourceInput, Shape } from './shapes.js';

/** One input for the rule: a resource (and its siblings), or the text of a template, Bicep file or export. */
export interface RuleTestCase {
  /** Shown in test names and failures. */
  name?: string;
  /** The resource the case is about; the three shapes are made from it (with `resources`). */
  resource?: ResourceInput;
  /** Other resources deployed with it (a service's children, an API's collection). */
  resources?: ResourceInput[];
  /** Parameters of the synthesised ARM template (`{ p: { type: 'array' } }` leaves `parameters('p')` unknown). */
  parameters?: Readonly<Record<string, unknown>>;
  /** The ARM template's text, instead of the one made from `resource`: for cases where the line matters. */
  template?: string;
  /** The Bicep file's text, instead of the one made from `resource`. */
  bicep?: string;
  /** The export's JSON text (ARM GET shape), instead of the one made from `resource`. */
  export?: string;
  /** Only these shapes (default: every shape the case can be written in). */
  shapes?: readonly Shape[];
  /** `rules.<id>.options`, validated against the rule's options schema. */
  options?: Readonly<Record<string, unknown>>;
  /** The clock (ISO date), as `--now`. */
  now?: string;
}

/** A finding the rule must report. Each given field must match. */
export interface ExpectedFinding {
  messageId?: string;
  /** The exact text, or a pattern it matches. */
  message?: string | RegExp;
  /** The property path given to `report`, e.g. `properties.protocols`. */
  path?: string;
  /** The line in the case's own text: a number for every shape given as text, or per shape. */
  line?: number | Partial<Record<Shape, number>>;
  /**
   * The case's text after the finding's safe fix is applied; `null`: the finding has no fix. A string is checked
   * for the shapes given as text (`template`, `bicep`), or per shape; `null` in every shape.
   */
  output?: string | null | Partial<Record<Shape, string | null>>;
}

export interface InvalidTestCase extends RuleTestCase {
  /** The findings, in order of line then path; a number checks the count only. */
  errors: number | readonly ExpectedFinding[];
}

export interface RuleTestCases {
  /** The rule runs and passes. */
  valid?: readonly RuleTestCase[];
  /** The rule fails with exactly these findings. */
  invalid?: readonly InvalidTestCase[];
  /** The rule cannot decide: a value it needs is unknown before deployment. */
  undecided?: readonly RuleTestCase[];
  /** The rule does not apply (it skips the resource, or the resource is not of a type it checks). */
  notApplicable?: readonly RuleTestCase[];
}

type Kind = keyof RuleTestCases;
type Hook = (name: string, fn: () => void | Promise<void>) => unknown;
type SkipHook = (name: string, reason: string) => unknown;

/** What a case produced in one shape. */
export interface ShapeRun {
  shape: Shape;
  results: RuleResult[];
  findings: Finding[];
  errors: string[];
}

/**
 * Tests a rule like ESLint's RuleTester: each case runs through the real scan pipeline as an ARM
 * template, a Bicep file and an export, each its own test. `describe`, `it` and `skip` default to
 * node:test's and can be replaced (`RuleTester.it = mocha's it`) for other runners.
 */
export class RuleTester {
  static describe: Hook = (name, fn) => nodeTest.describe(name, fn);
  static it: Hook = (name, fn) => nodeTest.it(name, fn);
  /** A shape the case cannot be written in: reported as a skipped test with the reason. */
  static skip: SkipHook = (name, reason) => nodeTest.it(name, { skip: reason }, () => undefined);

  run(ruleName: string, rule: Rule, cases: RuleTestCases): void {
    const hooks = this.constructor as typeof RuleTester;
    hooks.describe(ruleName, () => {
      for (const kind of ['valid', 'invalid', 'undecided', 'notApplicable'] as const) {
        (cases[kind] ?? []).forEach((c, i) => {
          const label = `${kind} #${i + 1}${c.name ? ` (${c.name})` : ''}`;
          for (const shape of SHAPES) {
            const plan = planShape(c, shape);
            if (plan.skip !== undefined) hooks.skip(`${label} [${shape}]`, plan.skip);
            else if (plan.file) hooks.it(`${label} [${shape}]`, () => void checkCase(rule, kind, c, `${ruleName} › ${label} [${shape}]`, shape, plan.file!));
          }
        });
      }
    });
  }
}

/** The file a case gives for a shape, the one made from its resources, or why there is none. */
function planShape(c: RuleTestCase, shape: Shape): { file?: { name: string; text: string }; skip?: string } {
  if (c.shapes && !c.shapes.includes(shape)) return {};
  const given = shape === 'arm' ? c.template : shape === 'bicep' ? c.bicep : c.export;
  const ext = shape === 'bicep' ? 'bicep' : 'json';
  if (given !== undefined) return { file: { name: `${shape === 'export' ? 'export' : 'main'}.${ext}`, text: given } };
  const resources = [...(c.resource ? [c.resource] : []), ...(c.resources ?? [])];
  if (!resources.length)
    return c.template !== undefined || c.bicep !== undefined || c.export !== undefined ? {} : { skip: 'the case gives no resource and no text' };
  if (shape === 'arm') return { file: { name: 'main.json', text: armTemplate(resources, c.parameters) } };
  const why = notPortable(resources, shape);
  if (why !== undefined) return c.shapes?.includes(shape) ? { skip: why } : {};
  return { file: shape === 'bicep' ? { name: 'main.bicep', text: bicepFile(resources) } : { name: 'export.json', text: exportFile(resources) } };
}

/** Runs one case in one shape and throws an AssertionError naming the case and the shape when it does not hold. */
export function checkCase(
  rule: Rule,
  kind: Kind,
  c: RuleTestCase | InvalidTestCase,
  label: string,
  shape: Shape,
  file: { name: string; text: string },
): ShapeRun {
  const run = runShape(rule, c, shape, file);
  const fail = (what: string): never => {
    throw new AssertionError({ message: `${label}: ${what}\n${describeRun(run, file)}` });
  };
  if (run.errors.length) fail(`the input did not load cleanly:\n  ${run.errors.join('\n  ')}`);
  const subject = subjectResults(run.results, c, shape);
  const outcomes = subject.map((r) => r.outcome);
  const findings = subject.flatMap((r) => r.findings);
  switch (kind) {
    case 'valid':
      if (!subject.length) fail('expected the rule to pass, but it did not run on the resource (is its type in appliesTo?)');
      if (outcomes.some((o) => o !== 'pass')) fail(`expected the rule to pass, got ${outcomes.join(', ')}`);
      break;
    case 'undecided':
      if (!subject.length || outcomes.some((o) => o !== 'unknown'))
        fail(`expected the rule to be undecided (unknown), got ${outcomes.join(', ') || 'no result'}`);
      break;
    case 'notApplicable':
      if (findings.length || outcomes.some((o) => o !== 'skip')) fail(`expected the rule not to apply (skip, or no result), got ${outcomes.join(', ')}`);
      break;
    case 'invalid': {
      const { errors } = c as InvalidTestCase;
      if (errors === undefined) fail('an invalid case needs `errors`: the number of findings, or the list of expected findings');
      if (!outcomes.includes('fail')) fail(`expected the rule to fail, got ${outcomes.join(', ') || 'no result'}`);
      const expected = typeof errors === 'number' ? undefined : errors;
      const count = typeof errors === 'number' ? errors : errors.length;
      if (findings.length !== count) fail(`expected ${count} finding${count === 1 ? '' : 's'}, got ${findings.length}`);
      const sorted = [...findings].sort((a, b) => (a.location?.start.line ?? 0) - (b.location?.start.line ?? 0) || (a.path ?? '').localeCompare(b.path ?? ''));
      expected?.forEach((want, i) => {
        const got = sorted[i]!;
        const at = `finding ${i + 1}`;
        if (want.messageId !== undefined) {
          if (isDefinedRule(rule) && !Object.hasOwn(rule.definition.messages, want.messageId))
            fail(`${at}: the rule has no message '${want.messageId}' (it has: ${Object.keys(rule.definition.messages).join(', ') || 'none'})`);
          if (got.messageId !== want.messageId)
            fail(`${at}: expected messageId '${want.messageId}', got ${got.messageId === undefined ? 'a message without id' : `'${got.messageId}'`}`);
        }
        if (typeof want.message === 'string' && got.message !== want.message)
          fail(`${at}: expected the message ${JSON.stringify(want.message)}, got ${JSON.stringify(got.message)}`);
        if (want.message instanceof RegExp && !want.message.test(got.message))
          fail(`${at}: expected a message matching ${String(want.message)}, got ${JSON.stringify(got.message)}`);
        if (want.path !== undefined && got.path !== want.path)
          fail(`${at}: expected path '${want.path}', got ${got.path === undefined ? 'none' : `'${got.path}'`}`);
        const line = typeof want.line === 'number' ? (ownText(c, shape) ? want.line : undefined) : want.line?.[shape];
        if (line !== undefined && got.location?.start.line !== line) fail(`${at}: expected line ${line}, got ${got.location?.start.line ?? 'none'}`);
        const output =
          want.output === null || typeof want.output === 'string'
            ? want.output === null || ownText(c, shape)
              ? want.output
              : undefined
            : want.output?.[shape];
        if (output === null && got.fix) fail(`${at}: expected no fix, got one: ${got.fix.description}`);
        if (typeof output === 'string') {
          if (!got.fix) fail(`${at}: expected a fix, got none`);
          const own = got.fix!.edits.filter((e) => path.basename(e.absPath) === file.name);
          if (own.length !== got.fix!.edits.length) fail(`${at}: the fix also edits other files: ${got.fix!.edits.map((e) => e.file).join(', ')}`);
          const fixed = applyEdits(
            file.text,
            [...own].sort((a, b) => a.startOffset - b.startOffset),
          );
          if (fixed !== output) fail(`${at}: the fixed text differs from the expected output:\n${fixed}`);
        }
      });
      break;
    }
  }
  return run;
}

function ownText(c: RuleTestCase, shape: Shape): boolean {
  return (shape === 'arm' ? c.template : shape === 'bicep' ? c.bicep : c.export) !== undefined;
}

/** The results about the case's resource (by type and leaf name); every result when it names none. */
function subjectResults(results: RuleResult[], c: RuleTestCase, shape: Shape): RuleResult[] {
  if (!c.resource || ownText(c, shape)) return results;
  const type = c.resource.type.toLowerCase();
  const leaf = c.resource.name.split('/').pop()!.toLowerCase();
  // A name computed by an expression is not known here: the type alone picks the resource.
  const computed = c.resource.name.trim().startsWith('[');
  return results.filter((r) => r.resource.type.toLowerCase() === type && (computed || r.resource.name.split('/').pop()!.toLowerCase() === leaf));
}

/** The scan of one file with the rule alone (turned on, with the case's options). */
export function runShape(rule: Rule, c: RuleTestCase, shape: Shape, file: { name: string; text: string }): ShapeRun {
  const errors: string[] = [];
  if (c.options) errors.push(...validateRuleOptions(rule, c.options).map((e) => `options: ${e}`));
  const dir = mkdtempSync(path.join(tmpdir(), 'tollgate-rule-tester-'));
  try {
    writeFileSync(path.join(dir, file.name), file.text);
    const enabled = rule.enabled ? rule : (Object.assign(Object.create(rule) as Rule, { enabled: true }) as Rule);
    const out = scan({
      paths: [file.name],
      cwd: dir,
      ruleSet: { rules: [enabled], options: c.options ? { [rule.meta.id]: c.options } : {}, diagnostics: [], effectErrors: [] },
      ...(c.now ? { deployment: { now: c.now } } : {}),
    });
    errors.push(...out.diagnostics.filter((d) => d.severity === 'error').map((d) => `${formatLocation(d)}: ${d.message}`));
    if (shape === 'export' && !out.units.length)
      errors.push(`${file.name} was not read as an export (${out.skipped.map((s) => s.reason).join('; ') || 'no scan unit'})`);
    return { shape, results: out.results, findings: [...out.findings, ...(out.suppressed ?? [])], errors };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function describeRun(run: ShapeRun, file: { name: string; text: string }): string {
  const lines = [
    `  results: ${run.results.map((r) => `${r.resource.type} '${r.resource.name}': ${r.outcome}${r.reason ? ` (${r.reason})` : ''}`).join('; ') || 'none'}`,
  ];
  for (const f of run.results.flatMap((r) => r.findings)) {
    lines.push(`  finding: line ${f.location?.start.line ?? '?'}, path ${f.path ?? '(none)'}${f.messageId ? `, messageId ${f.messageId}` : ''}: ${f.message}`);
  }
  const numbered = file.text
    .split('\n')
    .slice(0, 60)
    .map((l, i) => `  ${String(i + 1).padStart(3)} | ${l}`);
  return [...lines, `  ${file.name}:`, ...numbered].join('\n');
}
