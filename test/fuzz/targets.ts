// The entry points one fuzz input runs through, in the worker thread. Each target is a real part
// of the pipeline called the way the scanner calls it; only the errors a caller is meant to catch
// (the "input" error classes below) count as a normal outcome. Everything else that escapes, and
// any rule that throws something other than an input error, is a crash.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_DEPLOYMENT } from '../../src/arm/expression/context.js';
import { EvaluationError, FunctionError } from '../../src/arm/expression/evaluator.js';
import { ExpressionSyntaxError, parseExpression } from '../../src/arm/expression/parser.js';
import { expandTemplate, type Expansion } from '../../src/arm/template/expand.js';
import type { LinkedLoadFailure } from '../../src/arm/template/expansion-run.js';
import { loadBicep, loadBicepParams } from '../../src/bicep/load-bicep.js';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { evaluateResources } from '../../src/evaluate/engine.js';
import { InputError, type Diagnostic } from '../../src/load/diagnostic.js';
import { parseJsonDocument, type JsonDocument } from '../../src/load/json-document.js';
import { JsonSyntaxError } from '../../src/load/json-parser.js';
import { SourceFile } from '../../src/load/source-file.js';
import { PolicyDefinitionError, readPolicyDefinition } from '../../src/policy/definition.js';
import { PolicyCompileError, PolicyEvaluationError } from '../../src/policy/errors.js';
import { createPolicyRule } from '../../src/policy/policy-rule.js';
import { compileRawPolicy, definitionFromJson, evaluateRaw } from '../../src/policy/raw.js';
import type { Value } from '../../src/resources/value.js';
import { PolicyXmlError } from '../../src/rules/apim/policy-xml.js';
import type { Rule } from '../../src/rules/rule.js';
import { loadRuleSet, scan, type RuleSet } from '../../src/scan.js';

/**
 * json: the JSON parser. arm: a template (aux: its parameter file) expanded and checked with every
 * rule. expr: one ARM expression as a template output. bicep / bicepparam: loaded, lowered,
 * expanded, checked. policy: a definition (or bare rule) compiled and evaluated against aux (a raw
 * resource). config: tollgate.yaml loaded and validated. scan: scan() on a folder with the file.
 * selftest: never generated; `hang`, `oom`, `overflow`, `throw` or `input-error` misbehave on
 * purpose, so that the tests can check the watchdog and the classification themselves.
 */
export const TARGETS = ['json', 'arm', 'expr', 'bicep', 'bicepparam', 'policy', 'config', 'scan', 'selftest'] as const;
export type Target = (typeof TARGETS)[number];

export interface FuzzInput {
  target: Target;
  text: string;
  /** arm/scan: a parameter file; policy: the resource JSON; bicepparam: the template it uses. */
  aux?: string;
}

/** File extension a reproducer of this target is saved with. */
export function extensionOf(target: Target): string {
  return { json: 'json', arm: 'json', expr: 'txt', bicep: 'bicep', bicepparam: 'bicepparam', policy: 'json', config: 'yaml', scan: 'json', selftest: 'txt' }[
    target
  ];
}

/** Where a hang or OOM happened: the worker writes the stage into shared memory before entering it. */
export const PHASES = ['idle', 'parse', 'lower', 'expand', 'evaluate', 'outputs', 'policy-compile', 'policy-evaluate', 'config', 'scan'] as const;
export type Phase = (typeof PHASES)[number];

export type RunResult = { kind: 'ok' } | { kind: 'crash'; name: string; message: string; stack: string; phase: Phase };

// Errors a caller is written to catch and turn into a diagnostic. The CLI prints any other
// error as "internal error", so it is a bug whatever input caused it.
const INPUT_ERRORS = [InputError, JsonSyntaxError, PolicyCompileError, PolicyDefinitionError, ConfigError];
// Inside a rule's check these are reported as a rule-error diagnostic by design (the policy
// engine's and the APIM XML reader's own errors, and a compile error of a definition whose
// parameter has no value, which only shows when the rule runs); anything else a rule throws is a bug.
const RULE_ERRORS = [InputError, PolicyCompileError, PolicyEvaluationError, PolicyXmlError, EvaluationError, FunctionError, ExpressionSyntaxError];

export interface Harness {
  run(input: FuzzInput): RunResult;
}

/** Builds the harness once per worker: the rule set (every built-in policy and native rule) is loaded once. */
export function createHarness(setPhase: (p: Phase) => void): Harness {
  let phase: Phase = 'idle';
  const enter = (p: Phase) => {
    phase = p;
    setPhase(p);
  };
  let ruleCrash: Error | undefined;
  const base = loadRuleSet({}, {}, { all: true });
  // Every rule wrapped so that an unexpected error inside a check is seen here: the engine
  // would otherwise turn it into a `rule-error` diagnostic and the crash would go unnoticed.
  const rules: Rule[] = base.rules.map((rule) =>
    Object.assign(Object.create(rule) as Rule, {
      check(this: Rule, resource: Parameters<Rule['check']>[0], ctx: Parameters<Rule['check']>[1]) {
        try {
          rule.check(resource, ctx);
        } catch (err) {
          if (!RULE_ERRORS.some((c) => err instanceof c)) ruleCrash ??= err instanceof Error ? err : new Error(String(err));
          throw err;
        }
      },
    }),
  );
  const ruleSet: RuleSet = { ...base, rules };
  const scratch = mkdtempSync(path.join(tmpdir(), 'tollgate-fuzz-'));
  let scanCount = 0;

  const evaluateAll = (doc: JsonDocument, params: JsonDocument | undefined): Diagnostic[] => {
    enter('expand');
    const expansion: Expansion = expandTemplate(doc, params, { deployment: DEFAULT_DEPLOYMENT, loadLinked: (_from, rel) => linked(doc, rel) });
    enter('evaluate');
    const evaluation = evaluateResources({ file: doc.file.path, resources: expansion.resources }, ruleSet.rules, { now: new Date('2026-01-01T00:00:00Z') });
    enter('outputs');
    expansion.outputs();
    return [...expansion.diagnostics, ...evaluation.diagnostics];
  };

  const runTarget = (input: FuzzInput): Diagnostic[] => {
    const { text } = input;
    switch (input.target) {
      case 'json': {
        enter('parse');
        const d = parseJsonDocument(new SourceFile('/fuzz/input.json', 'input.json', text));
        void d.value;
        return [];
      }
      case 'arm': {
        enter('parse');
        const doc = parseJsonDocument(new SourceFile('/fuzz/main.json', 'main.json', text));
        const params = input.aux !== undefined ? tryParse(input.aux, 'main.parameters.json') : undefined;
        return evaluateAll(doc, params);
      }
      case 'expr': {
        enter('parse');
        // The parser alone first: it must only ever throw its syntax error.
        try {
          parseExpression(text);
        } catch (err) {
          if (!(err instanceof ExpressionSyntaxError)) throw err;
        }
        const template = {
          $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
          contentVersion: '1.0.0.0',
          parameters: {
            p: { type: 'string', defaultValue: 'abc' },
            n: { type: 'int', defaultValue: 3 },
            o: { type: 'object', defaultValue: { a: [1, 2], b: 'x' } },
          },
          variables: { v: [1, 2, 3], s: 'hello' },
          functions: [
            { namespace: 'f', members: { id: { parameters: [{ name: 'x', type: 'string' }], output: { type: 'string', value: "[parameters('x')]" } } } },
          ],
          resources: [],
          outputs: { o: { type: 'object', value: text } },
        };
        const doc = parseJsonDocument(new SourceFile('/fuzz/expr.json', 'expr.json', JSON.stringify(template)));
        return evaluateAll(doc, undefined);
      }
      case 'bicep': {
        enter('lower');
        const { document, diagnostics } = loadBicep(new SourceFile('/fuzz-nonexistent/main.bicep', 'main.bicep', text));
        return [...diagnostics, ...evaluateAll(document, undefined)];
      }
      case 'bicepparam': {
        enter('lower');
        const { document, diagnostics } = loadBicepParams(new SourceFile('/fuzz-nonexistent/main.bicepparam', 'main.bicepparam', text), (template) => {
          enter('expand');
          const expansion = expandTemplate(template, undefined, { deployment: DEFAULT_DEPLOYMENT });
          return { outputs: expansion.outputs() as Record<string, unknown>, diagnostics: expansion.diagnostics };
        });
        void document.value;
        if (input.aux === undefined) return diagnostics;
        enter('lower');
        const template = loadBicep(new SourceFile('/fuzz-nonexistent/main.bicep', 'main.bicep', input.aux));
        return [...diagnostics, ...template.diagnostics, ...evaluateAll(template.document, document)];
      }
      case 'policy': {
        enter('parse');
        const json = parseJsonDocument(new SourceFile('/fuzz/policy.json', 'policy.json', text)).value;
        enter('policy-compile');
        const bare = typeof json === 'object' && json !== null && 'if' in json && 'then' in json;
        const definition = bare ? definitionFromJson(json, 'rule') : readPolicyDefinition(json, 'policy.json');
        const compiled = compileRawPolicy(definition);
        // The same definition as a scan rule: its effect and metadata handling too.
        createPolicyRule(definition);
        enter('policy-evaluate');
        const resource = input.aux !== undefined ? (tryParse(input.aux, 'resource.json')?.value as Value | undefined) : undefined;
        evaluateRaw(compiled, resource ?? { type: 'Microsoft.ApiManagement/service', name: 'svc', properties: {} });
        return [];
      }
      case 'config': {
        enter('config');
        const file = path.join(scratch, 'tollgate.yaml');
        writeFileSync(file, text);
        loadConfig(file, 'tollgate.yaml');
        return [];
      }
      case 'selftest': {
        enter('evaluate');
        if (text === 'hang') for (;;);
        if (text === 'oom') {
          // Big arrays of objects: the heap limit is reached in a few steps rather than after long GC thrashing.
          const hoard: object[][] = [];
          for (let i = 0; ; i++) hoard.push(new Array(1_000_000).fill({ i }));
        }
        if (text === 'overflow') {
          const down = (n: number): number => down(n + 1) + 1;
          return [{ severity: 'error', code: 'never', message: String(down(0)) }];
        }
        if (text === 'throw') throw new TypeError('selftest');
        if (text === 'input-error') throw new InputError({ severity: 'error', code: 'selftest', message: 'selftest' });
        return [];
      }
      case 'scan': {
        enter('scan');
        // A fresh folder per input: scan() reads from disk, and linked files must not leak between inputs.
        const dir = path.join(scratch, `s${scanCount++}`);
        mkdirSync(dir);
        try {
          writeFileSync(path.join(dir, 'main.json'), text);
          if (input.aux !== undefined) writeFileSync(path.join(dir, 'main.parameters.json'), input.aux);
          const out = scan({ paths: [dir], cwd: dir, ruleSet, today: new Date('2026-01-01T00:00:00Z') });
          return out.diagnostics;
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
    }
  };

  return {
    run(input) {
      ruleCrash = undefined;
      try {
        const diagnostics = runTarget(input);
        if (ruleCrash) return crash(ruleCrash, phase);
        const internal = diagnostics.find((d) => d.code === 'internal-error');
        if (internal) return { kind: 'crash', name: 'internal-error', message: internal.message, stack: '', phase };
        return { kind: 'ok' };
      } catch (err) {
        if (ruleCrash) return crash(ruleCrash, phase);
        if (INPUT_ERRORS.some((c) => err instanceof c)) return { kind: 'ok' };
        return crash(err, phase);
      } finally {
        enter('idle');
      }
    },
  };
}

function crash(err: unknown, phase: Phase): RunResult {
  const e = err instanceof Error ? err : new Error(`non-Error thrown: ${String(err)}`);
  return { kind: 'crash', name: e.name || e.constructor?.name || 'Error', message: e.message, stack: e.stack ?? '', phase };
}

function tryParse(text: string, name: string): JsonDocument | undefined {
  try {
    return parseJsonDocument(new SourceFile(`/fuzz/${name}`, name, text));
  } catch (err) {
    if (err instanceof InputError) return undefined;
    throw err;
  }
}

// Linked templates: a deployment linking `self.json` (or `self.bicep`) gets the same template
// back, so self-linking deployments reach the nesting limit as they would on disk. Only that name:
// the corpora's Bicep test files all link '../../../main.bicep', and a self-link in every mutated
// one would make most inputs the same exponential case.
function linked(self: JsonDocument, relativePath: string): JsonDocument | LinkedLoadFailure {
  if (/^(\.\/)?self\.(json|bicep)(\?.*)?$/i.test(relativePath)) return self;
  return { reason: 'the file does not exist', refused: false };
}
