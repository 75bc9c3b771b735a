/**
 * The regorus Azure Policy conformance suite (microsoft/regorus tests/azure_policy, data only,
 * in test/fixtures/upstream/regorus): every case is parsed, evaluated by Tollgate's engine and
 * compared with its expectation.
 *
 * Where regorus departs from Microsoft's documented behaviour Tollgate follows the docs: those
 * cases are in DIVERGENCES with the outcome Tollgate gives instead (asserted), and the reason;
 * docs/policy-semantics.md explains each. Cases Tollgate gets wrong and cannot yet fix are in
 * KNOWN_FAILURES, with why. Both lists are a ratchet: a listed case whose outcome changes makes
 * the test fail, so the lists stay true.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { aliasTableFromProviders, type AliasTable } from '../../src/policy/aliases.js';
import { PolicyDefinitionError } from '../../src/policy/definition.js';
import { PolicyCompileError } from '../../src/policy/errors.js';
import { compileRawPolicy, definitionFromJson, evaluateRaw } from '../../src/policy/raw.js';
import { isObject, type ObjectValue, type Value } from '../../src/resources/value.js';
import { repoRoot } from '../helpers.js';

const ROOT = path.join(repoRoot(), 'test', 'fixtures', 'upstream', 'regorus');

interface Case {
  note: string;
  policy_rule?: string;
  policy_definition?: string;
  resource?: Value;
  parameters?: Record<string, unknown>;
  want_effect?: string | null;
  want_details?: Value;
  want_undefined?: boolean;
  want_parse_error?: boolean;
  want_compile_error?: boolean;
  api_version?: string;
  request_context?: Value;
  context?: ObjectValue;
  host_await?: { key?: Value; resource_type?: string; response: Value }[];
}

interface CaseFile {
  aliases?: string;
  policy_rule?: string;
  policy_definition?: string;
  cases: Case[];
}

/** What Tollgate made of a case. */
type Got =
  | { kind: 'rejected'; message: string }
  | { kind: 'effect'; effect: string; details?: Value }
  | { kind: 'none'; why: string }
  | { kind: 'unknown'; reason: string };

/** The context regorus's runner gives a case that sets none. */
const DEFAULT_CONTEXT: ObjectValue = {
  resourceGroup: { name: 'myResourceGroup', location: 'eastus' },
  subscription: { subscriptionId: '00000000-0000-0000-0000-000000000000' },
};

function run(file: CaseFile, c: Case, aliases: AliasTable | undefined): Got {
  const text = c.policy_definition ?? c.policy_rule ?? file.policy_definition ?? file.policy_rule;
  const kind = c.policy_definition !== undefined || (c.policy_rule === undefined && file.policy_definition !== undefined) ? 'definition' : 'rule';
  if (text === undefined) throw new Error(`case ${c.note} has no policy`);
  let compiled;
  try {
    const json: unknown = JSON.parse(text);
    const definition = definitionFromJson(json, kind, c.parameters ?? {});
    compiled = compileRawPolicy(definition, { aliases, parameters: c.parameters ?? {} });
  } catch (err) {
    if (err instanceof SyntaxError || err instanceof PolicyDefinitionError || err instanceof PolicyCompileError)
      return { kind: 'rejected', message: err.message };
    throw err;
  }
  const context: ObjectValue = { ...(c.context ?? DEFAULT_CONTEXT) };
  if (c.request_context !== undefined && context.requestContext === undefined) context.requestContext = c.request_context;
  const responses = c.host_await?.map((h) => h.response);
  const result = evaluateRaw(compiled, c.resource ?? {}, {
    aliases,
    parameters: c.parameters,
    apiVersion: c.api_version,
    context,
    related: responses ? () => responses.filter((r) => r !== null && r !== undefined) : undefined,
  });
  switch (result.kind) {
    case 'non-compliant':
      return result.details === undefined ? { kind: 'effect', effect: result.effect } : { kind: 'effect', effect: result.effect, details: result.details };
    case 'error':
      // Azure: "A failed evaluation is an implicit deny."
      return { kind: 'effect', effect: 'deny', details: { implicitDeny: result.message } };
    case 'unknown':
      return { kind: 'unknown', reason: result.reason };
    case 'compliant':
      return { kind: 'none', why: 'compliant' };
    case 'not-applicable':
      return { kind: 'none', why: result.reason };
  }
}

/** Undefined when Tollgate's outcome is the case's expectation; else what differs. */
function judge(c: Case, got: Got): string | undefined {
  if (c.want_parse_error || c.want_compile_error) return got.kind === 'rejected' ? undefined : `expected the definition to be rejected, got ${show(got)}`;
  if (got.kind === 'rejected') return `rejected: ${got.message}`;
  if (got.kind === 'unknown') return `unknown: ${got.reason}`;
  const wantNone = c.want_undefined === true || ('want_effect' in c && c.want_effect === null);
  if (wantNone) return got.kind === 'none' ? undefined : `expected no effect, got ${show(got)}`;
  if (typeof c.want_effect === 'string') {
    if (got.kind !== 'effect' || got.effect !== c.want_effect) return `expected effect ${c.want_effect}, got ${show(got)}`;
    if (c.want_details !== undefined) {
      try {
        assert.deepStrictEqual(got.details, c.want_details);
      } catch {
        return `details differ: got ${JSON.stringify(got.details)}, expected ${JSON.stringify(c.want_details)}`;
      }
    }
  }
  return undefined;
}

function show(got: Got): string {
  switch (got.kind) {
    case 'rejected':
      return `a rejection (${got.message})`;
    case 'effect':
      return `effect ${got.effect}${got.details !== undefined ? ` ${JSON.stringify(got.details)}` : ''}`;
    case 'none':
      return `no effect (${got.why})`;
    case 'unknown':
      return `unknown (${got.reason})`;
  }
}

/** What Tollgate gives instead, for a divergence: asserted exactly. */
type Instead = 'rejected' | 'none' | 'unknown' | { effect: string };

interface Listed {
  file: string;
  note: string;
  reason: string;
}

const LIKE_WILDCARD = '`like` has one documented wildcard, `*`; regorus also takes `?` as one character';
const FLOAT_LITERAL = 'template expressions have integer literals only (fractions come from float() or json()); the parser rejects -2.5';
const ALLOWED_FUNCTION = 'guid() and uniqueString() are not in the documented list of template functions unavailable in policy rules, so the rule compiles';
const FORBIDDEN_FUNCTION =
  'dateTimeAdd, dateTimeFromEpoch and dateTimeToEpoch are documented as unavailable in policy rules (addDays is the policy function); the rule is rejected';
const MODIFY_CONDITION =
  "a modify operation's `condition` decides whether it applies (documented); it is false for this API version, so Tollgate reports no operation while regorus lists it unevaluated";
const APPEND_FIELD =
  "append's details.field is an expression that Azure evaluates (the built-in 'Append a tag and its value' depends on it); Tollgate reports `tags[environment]`, regorus the expression text";
const TAGS_IN_PROPERTIES =
  'the resource puts its tags under `properties`; ARM resources carry tags at the top level, where `tags` fields read them (regorus lifts every `properties` key to the top)';
const ALIAS_NAME_SHAPE =
  "the resource puts the value where the alias *name* suggests, not at the alias's path in the alias table (the path Azure reads), which regorus's normalizer happens to find";
const EMPTY_COLLECTION =
  'a [*] alias over a missing array selects "an empty collection of values" and a field condition checks that all selected values meet it (author-policies-for-arrays), so the condition holds; regorus makes it false';
const NO_API_VERSION = 'the case gives no request API version, which requestContext().apiVersion reads: Tollgate answers unknown rather than guess';

/**
 * Cases where regorus departs from the Azure Policy documentation, or from how Azure reads a
 * resource; Tollgate follows the docs. Each is explained in docs/policy-semantics.md.
 */
const DIVERGENCES: (Listed & { instead: Instead })[] = [
  { file: 'operators.yaml', note: 'like_question_mark', instead: 'none', reason: LIKE_WILDCARD },
  { file: 'expressions.yaml', note: 'expr_unary_minus_float', instead: 'rejected', reason: FLOAT_LITERAL },
  { file: 'parse_errors.yaml', note: 'guid_compile_error', instead: 'none', reason: ALLOWED_FUNCTION },
  { file: 'parse_errors.yaml', note: 'uniquestring_compile_error', instead: 'none', reason: ALLOWED_FUNCTION },
  ...[
    'dateTimeAdd_P1D',
    'dateTimeAdd_PT2H',
    'dateTimeAdd_negative_duration',
    'dateTimeAdd_complex_P1DT2H30M',
    'dateTimeFromEpoch_basic',
    'dateTimeFromEpoch_zero',
    'dateTimeToEpoch_basic',
    'dateTimeToEpoch_zero',
    'dateTimeToEpoch_roundtrip',
    'dateTimeToEpoch_with_dateTimeAdd',
  ].map((note) => ({ file: 'template_functions_datetime_ip.yaml', note, instead: 'rejected' as const, reason: FORBIDDEN_FUNCTION })),
  { file: 'implicit_allof.yaml', note: 'allof_missing_array_is_false', instead: { effect: 'deny' }, reason: EMPTY_COLLECTION },
  { file: 'implicit_allof.yaml', note: 'allof_doubly_nested_inner_missing', instead: { effect: 'deny' }, reason: EMPTY_COLLECTION },
  { file: 'e2e_functionapp_https_modify.yaml', note: 'modify_old_api_no_operations', instead: { effect: 'Modify' }, reason: MODIFY_CONDITION },
  { file: 'e2e_storage_public_blob_modify.yaml', note: 'modify_old_api_field_exists', instead: { effect: 'Modify' }, reason: MODIFY_CONDITION },
  { file: 'e2e_tags_append.yaml', note: 'append_tag_missing', instead: { effect: 'append' }, reason: APPEND_FIELD },
  { file: 'e2e_tags_append.yaml', note: 'pass_tag_already_exists', instead: { effect: 'append' }, reason: TAGS_IN_PROPERTIES },
  { file: 'e2e_tags_append.yaml', note: 'pass_tag_matches_value', instead: { effect: 'append' }, reason: TAGS_IN_PROPERTIES },
  { file: 'e2e_tags_inherit_modify.yaml', note: 'pass_tag_matches', instead: { effect: 'modify' }, reason: TAGS_IN_PROPERTIES },
  { file: 'e2e_azupdate_scheduled_patching.yaml', note: 'dine_linux_vm_canonical_ubuntu', instead: 'none', reason: TAGS_IN_PROPERTIES },
  { file: 'e2e_stream_analytics_audit.yaml', note: 'pass_output_eventhub_allowed', instead: { effect: 'Audit' }, reason: ALIAS_NAME_SHAPE },
  { file: 'e2e_stream_analytics_audit.yaml', note: 'pass_output_sql_allowed', instead: { effect: 'Audit' }, reason: ALIAS_NAME_SHAPE },
  { file: 'e2e_stream_analytics_audit.yaml', note: 'audit_output_blob_disallowed', instead: 'none', reason: ALIAS_NAME_SHAPE },
  {
    file: 'e2e_cosmos_max_throughput.yaml',
    note: 'deny_mongodb_throughput_settings',
    instead: 'unknown',
    reason: `${ALIAS_NAME_SHAPE}; and ${NO_API_VERSION}`,
  },
  { file: 'e2e_cosmos_max_throughput.yaml', note: 'deny_table_autoscale', instead: 'unknown', reason: `${ALIAS_NAME_SHAPE}; and ${NO_API_VERSION}` },
  { file: 'e2e_cosmos_max_throughput.yaml', note: 'pass_sql_db_throughput_within_max', instead: 'unknown', reason: NO_API_VERSION },
  { file: 'e2e_cosmos_max_throughput.yaml', note: 'pass_container_no_throughput', instead: 'unknown', reason: NO_API_VERSION },
];

/** Cases Tollgate gets wrong and does not yet fix, with why. Keep this list short. */
const KNOWN_FAILURES: Listed[] = [];

/**
 * Cases where regorus expects `deny` and Tollgate gives it too, but as an implicit deny (the
 * evaluation fails) rather than a match: "80" greater 1024 compares a string with a number,
 * which the docs say throws; int('3.7') and bool('1') fail as ARM functions. Listed so that a
 * change in either engine's reasons is noticed.
 */
const IMPLICIT_DENY_AGREEMENTS: Listed[] = [
  { file: 'deep_nesting.yaml', note: 'coercion_greaterOrEquals_string_number', reason: 'string with number in greaterOrEquals' },
  { file: 'deep_nesting.yaml', note: 'coercion_lessOrEquals_string_number', reason: 'string with number in lessOrEquals' },
  { file: 'type_coercion.yaml', note: 'coercion_string_number_greater', reason: 'string with number in greater' },
  { file: 'type_coercion.yaml', note: 'coercion_string_number_less', reason: 'string with number in less' },
  { file: 'template_functions.yaml', note: 'fn_int_from_float_string', reason: "int('3.7') fails" },
  { file: 'template_functions.yaml', note: 'fn_bool_from_1_string', reason: "bool('1') fails" },
];

function key(file: string, note: string): string {
  return `${file}#${note}`;
}

test('regorus Azure Policy conformance suite', () => {
  const files = readdirSync(path.join(ROOT, 'cases'))
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  const divergences = new Map(DIVERGENCES.map((d) => [key(d.file, d.note), d]));
  const known = new Map(KNOWN_FAILURES.map((d) => [key(d.file, d.note), d]));
  const implicit = new Map(IMPLICIT_DENY_AGREEMENTS.map((d) => [key(d.file, d.note), d]));
  const seen = new Set<string>();
  const problems: string[] = [];
  const rows: { file: string; cases: number; pass: number; divergent: number; known: number; fail: number }[] = [];
  for (const name of files) {
    const file = parseYaml(readFileSync(path.join(ROOT, 'cases', name), 'utf8')) as CaseFile;
    const aliases = file.aliases ? aliasTableFromProviders(JSON.parse(readFileSync(path.join(ROOT, 'aliases', file.aliases), 'utf8'))) : undefined;
    const row = { file: name, cases: file.cases.length, pass: 0, divergent: 0, known: 0, fail: 0 };
    for (const c of file.cases) {
      const k = key(name, c.note);
      seen.add(k);
      let got: Got;
      try {
        got = run(file, c, aliases);
      } catch (err) {
        got = { kind: 'unknown', reason: `crashed: ${((err as Error).stack ?? String(err)).split('\n').slice(0, 3).join(' ')}` };
      }
      const failure = judge(c, got);
      const divergence = divergences.get(k);
      const knownFailure = known.get(k);
      if (divergence) {
        row.divergent++;
        const instead = divergence.instead;
        const ok = failure !== undefined && (typeof instead === 'string' ? got.kind === instead : got.kind === 'effect' && got.effect === instead.effect);
        if (!ok)
          problems.push(
            `${k}: listed as a divergence (Tollgate gives ${JSON.stringify(instead)}), but Tollgate gives ${show(got)}${failure ? '' : ', which regorus expects: remove it from DIVERGENCES'}`,
          );
      } else if (knownFailure) {
        row.known++;
        if (failure === undefined) problems.push(`${k}: listed as a known failure, but it passes now: remove it from KNOWN_FAILURES`);
      } else if (failure === undefined) {
        row.pass++;
        const isImplicit = got.kind === 'effect' && isObject(got.details) && 'implicitDeny' in got.details;
        if (isImplicit !== implicit.has(k)) {
          problems.push(
            `${k}: ${isImplicit ? 'passes through an implicit deny: list it in IMPLICIT_DENY_AGREEMENTS' : 'no longer an implicit deny: remove it from IMPLICIT_DENY_AGREEMENTS'}`,
          );
        }
      } else {
        row.fail++;
        problems.push(`${k}: ${failure}`);
      }
    }
    rows.push(row);
  }
  for (const k of [...divergences.keys(), ...known.keys(), ...implicit.keys()]) if (!seen.has(k)) problems.push(`${k}: listed, but no such case`);

  const total = rows.reduce(
    (t, r) => ({ cases: t.cases + r.cases, pass: t.pass + r.pass, divergent: t.divergent + r.divergent, known: t.known + r.known, fail: t.fail + r.fail }),
    {
      cases: 0,
      pass: 0,
      divergent: 0,
      known: 0,
      fail: 0,
    },
  );
  const width = Math.max(...rows.map((r) => r.file.length), 5);
  const line = (f: string, c: number | string, p: number | string, d: number | string, k: number | string, x: number | string) =>
    `${f.padEnd(width)}  ${String(c).padStart(5)}  ${String(p).padStart(5)}  ${String(d).padStart(9)}  ${String(k).padStart(5)}  ${String(x).padStart(4)}`;
  console.log(
    [
      line('file', 'cases', 'pass', 'divergent', 'known', 'fail'),
      ...rows.map((r) => line(r.file, r.cases, r.pass, r.divergent, r.known, r.fail)),
      line('total', total.cases, total.pass, total.divergent, total.known, total.fail),
    ].join('\n'),
  );
  if (problems.length) console.log(`\n${problems.length} problem(s):\n${problems.join('\n')}`);
  assert.deepEqual(problems, []);
});
