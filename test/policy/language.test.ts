/**
 * The policy language as Tollgate implements it, one test per rule of docs/policy-semantics.md
 * (where the Azure docs are silent, the choice made is the one tested here).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aliasTableFromProviders, combineAliasTables } from '../../src/policy/aliases.js';
import { readPolicyDefinition } from '../../src/policy/definition.js';
import { PolicyCompileError } from '../../src/policy/errors.js';
import type { PolicyResult } from '../../src/policy/engine.js';
import { createPolicyRule } from '../../src/policy/policy-rule.js';
import { compileRawPolicy, definitionFromJson, evaluateRaw, type RawOptions } from '../../src/policy/raw.js';
import type { Value } from '../../src/resources/value.js';
import { check, makeResource, ruleWith } from './helpers.js';

/** What a bare rule (`{ if, then }`) does to a raw resource: the effect, 'none', 'unknown' or 'implicit deny'. */
function run(ifPart: unknown, resource: Value = {}, options: RawOptions & { then?: unknown; definition?: unknown } = {}): string {
  return describe(result(ifPart, resource, options));
}

function result(ifPart: unknown, resource: Value = {}, options: RawOptions & { then?: unknown; definition?: unknown } = {}): PolicyResult {
  const { then, definition, ...raw } = options;
  const def = definition
    ? definitionFromJson(definition, 'definition')
    : definitionFromJson({ if: ifPart, then: then ?? { effect: 'audit' } }, 'rule', raw.parameters ?? {});
  return evaluateRaw(compileRawPolicy(def, raw), resource, raw);
}

function describe(r: PolicyResult): string {
  switch (r.kind) {
    case 'non-compliant':
      return r.effect;
    case 'error':
      return 'implicit deny';
    case 'unknown':
      return 'unknown';
    default:
      return 'none';
  }
}

const compileError = (ifPart: unknown, pattern: RegExp, options: RawOptions & { then?: unknown } = {}) =>
  assert.throws(
    () => result(ifPart, {}, options),
    (e: unknown) => e instanceof PolicyCompileError && pattern.test(e.message),
  );

test('like / notLike: many stars against a long name finish (no regular-expression backtracking)', () => {
  // As a regular expression (^.*a.*a…b$) this pattern backtracks exponentially: without the
  // linear matcher the test would never finish.
  const stars = '*a*a*a*a*a*a*a*a*a*a*b';
  const long = 'a'.repeat(10_000);
  assert.equal(run({ field: 'name', like: stars }, { name: long }), 'none');
  assert.equal(run({ field: 'name', notLike: stars }, { name: long }), 'audit');
  assert.equal(run({ field: 'name', like: stars }, { name: `${long}B` }), 'audit');
  assert.equal(run({ field: 'name', like: stars }, { name: 'a'.repeat(40) }), 'none');
});

test('like: stars match empty runs, pieces must not overlap, case is ignored', () => {
  assert.equal(run({ field: 'name', like: '*' }, { name: '' }), 'audit');
  assert.equal(run({ field: 'name', like: 'ab*ba' }, { name: 'aba' }), 'none');
  assert.equal(run({ field: 'name', like: 'ab*ba' }, { name: 'abba' }), 'audit');
  assert.equal(run({ field: 'name', like: 'a**b' }, { name: 'AB' }), 'audit');
  assert.equal(run({ field: 'name', like: '*x*y*' }, { name: 'yx' }), 'none');
  assert.equal(run({ field: 'name', like: '*x*y*' }, { name: 'axbyc' }), 'audit');
  assert.equal(run({ field: 'name', like: 'straße-*' }, { name: 'STRASSE-1' }), 'audit');
  assert.equal(run({ field: 'name', like: 'a.b' }, { name: 'axb' }), 'none');
});

test('match / matchInsensitively on a long value finish and stay whole-string', () => {
  const long = '1'.repeat(10_000);
  assert.equal(run({ field: 'name', match: '#'.repeat(10_000) }, { name: long }), 'audit');
  assert.equal(run({ field: 'name', matchInsensitively: '.'.repeat(9_999) + '?' }, { name: long }), 'none');
});

test('like: `*` is the only wildcard; `?` is a literal question mark', () => {
  assert.equal(run({ field: 'name', like: 'vm-*' }, { name: 'VM-01' }), 'audit');
  assert.equal(run({ field: 'name', like: 'vm-?' }, { name: 'vm-1' }), 'none');
  assert.equal(run({ field: 'name', like: 'vm-?' }, { name: 'vm-?' }), 'audit');
  assert.equal(run({ field: 'name', notLike: 'vm-*' }, { name: 'db-1' }), 'audit');
});

test('match: # a digit, ? a letter, . any character, the rest literal; matchInsensitively ignores case', () => {
  assert.equal(run({ field: 'name', match: 'ab#-?.' }, { name: 'ab7-x!' }), 'audit');
  assert.equal(run({ field: 'name', match: 'ab#' }, { name: 'AB7' }), 'none');
  assert.equal(run({ field: 'name', matchInsensitively: 'ab#' }, { name: 'AB7' }), 'audit');
  assert.equal(run({ field: 'name', notMatch: 'ab#' }, { name: 'abc' }), 'audit');
  assert.equal(run({ field: 'name', notMatchInsensitively: 'AB#' }, { name: 'ab1' }), 'none');
  assert.equal(run({ field: 'name', match: 'a(b)' }, { name: 'a(b)' }), 'audit', 'regex characters are literal');
});

test('containsKey / notContainsKey look at object keys, ignoring case', () => {
  assert.equal(run({ field: 'tags', containsKey: 'ENV' }, { tags: { env: 'x' } }), 'audit');
  assert.equal(run({ field: 'tags', notContainsKey: 'owner' }, { tags: { env: 'x' } }), 'audit');
  assert.equal(run({ field: 'tags', containsKey: 'env' }, {}), 'none');
});

test('less / greater: numbers with numbers, strings with strings ignoring case; other pairs are an implicit deny; absent is neither', () => {
  assert.equal(run({ field: 'properties.n', greater: 2 }, { properties: { n: 3 } }), 'audit');
  assert.equal(run({ field: 'properties.v', lessOrEquals: 'TLS1_2' }, { properties: { v: 'tls1_0' } }), 'audit');
  assert.equal(run({ field: 'properties.d', less: '2024-01-01' }, { properties: { d: '2023-12-31T23:00:00Z' } }), 'audit');
  assert.equal(run({ field: 'properties.n', greater: 2 }, { properties: { n: '3' } }), 'implicit deny');
  assert.equal(run({ field: 'properties.n', greater: 2 }, { properties: {} }), 'none');
  assert.equal(run({ field: 'properties.n', less: 2 }, { properties: { n: null } }), 'none');
});

test('less / greater compare two ISO 8601 date-times as instants: offsets and fractions count', () => {
  const d = (v: string) => ({ properties: { d: v } });
  // 10:00 at +02:00 is 08:00Z, before 08:30Z (as text it would sort after).
  assert.equal(run({ field: 'properties.d', less: '2024-01-01T08:30:00Z' }, d('2024-01-01T10:00:00+02:00')), 'audit');
  assert.equal(run({ field: 'properties.d', greater: '2024-01-01T08:30:00Z' }, d('2024-01-01T10:00:00+02:00')), 'none');
  // The same instant written two ways: neither less nor greater, both OrEquals.
  for (const [op, want] of [
    ['less', 'none'],
    ['greater', 'none'],
    ['lessOrEquals', 'audit'],
    ['greaterOrEquals', 'audit'],
  ] as const) {
    assert.equal(run({ field: 'properties.d', [op]: '2024-01-01T08:00:00Z' }, d('2024-01-01T10:00:00+02:00')), want, op);
    assert.equal(run({ field: 'properties.d', [op]: '2024-01-01T08:00:00Z' }, d('2024-01-01T03:00:00-0500')), want, op);
  }
  // Fractions: seven digits (utcNow()'s precision), and fewer digits read as the same value.
  assert.equal(run({ field: 'properties.d', less: '2024-01-01T00:00:00.0000002Z' }, d('2024-01-01T00:00:00.0000001Z')), 'audit');
  assert.equal(run({ field: 'properties.d', less: '2024-01-01T00:00:00.5Z' }, d('2024-01-01T00:00:00.4999999Z')), 'audit');
  assert.equal(run({ field: 'properties.d', greaterOrEquals: '2024-01-01T00:00:00.5000000Z' }, d('2024-01-01T00:00:00.5Z')), 'audit');
  // Across a day boundary with a negative offset: 2023-12-31T23:00-02:00 is 2024-01-01T01:00Z.
  assert.equal(run({ field: 'properties.d', greater: '2024-01-01T00:30:00Z' }, d('2023-12-31T23:00:00-02:00')), 'audit');
  // No zone reads as UTC.
  assert.equal(run({ field: 'properties.d', less: '2024-01-01T08:30:00Z' }, d('2024-01-01T08:00:00')), 'audit');
  // Against utcNow() (yyyy-MM-ddTHH:mm:ss.fffffffZ) and addDays over it.
  const context = { utcNow: '2026-01-01T00:00:00.0000000Z' };
  assert.equal(run({ field: 'properties.d', less: '[utcNow()]' }, d('2026-01-01T01:00:00+02:00'), { context }), 'audit');
  assert.equal(run({ field: 'properties.d', less: '[utcNow()]' }, d('2025-12-31T23:00:00-02:00'), { context }), 'none');
  assert.equal(run({ field: 'properties.d', less: '[addDays(utcNow(), 30)]' }, d('2026-01-30T23:59:59.9999999Z'), { context }), 'audit');
  // A date alone, or text that is not a valid date-time, compares as text.
  assert.equal(run({ field: 'properties.d', less: '2024-01-01' }, d('2023-12-31T23:00:00Z')), 'audit');
  assert.equal(run({ field: 'properties.d', less: '2024-02-30T00:00:00Z' }, d('2024-02-29T00:00:00Z')), 'audit');
});

test('string comparisons fold case fully: Straße equals STRASSE, ß and ﬃ included', () => {
  assert.equal(run({ field: 'properties.s', equals: 'STRASSE' }, { properties: { s: 'Straße' } }), 'audit');
  assert.equal(run({ field: 'properties.s', contains: 'ffi' }, { properties: { s: 'the oﬃce' } }), 'audit');
  assert.equal(run({ field: 'properties.s', in: ['strasse'] }, { properties: { s: 'STRAßE' } }), 'audit');
});

test('an absent field equals null, is not equal to anything else, and does not exist', () => {
  assert.equal(run({ field: 'properties.x', equals: null }, { properties: {} }), 'audit');
  assert.equal(run({ field: 'properties.x', notEquals: 'a' }, { properties: {} }), 'audit');
  assert.equal(run({ field: 'properties.x', equals: '' }, { properties: {} }), 'none');
  assert.equal(run({ field: 'properties.x', exists: false }, { properties: { x: null } }), 'audit');
});

test('[*] outside a count: every member must satisfy it; an empty or missing array selects an empty collection, which does', () => {
  // author-policies-for-arrays: "missingArray[*]" and "missingArray[*].property" select "An empty
  // collection of values", and a field condition checks that all selected values meet it.
  const rule = { field: 'properties.rules[*].port', equals: 22 };
  assert.equal(run(rule, { properties: { rules: [{ port: 22 }, { port: 22 }] } }), 'audit');
  assert.equal(run(rule, { properties: { rules: [{ port: 22 }, { port: 80 }] } }), 'none');
  assert.equal(run(rule, { properties: { rules: [] } }), 'audit');
  assert.equal(run(rule, { properties: {} }), 'audit');
  assert.equal(run(rule, {}), 'audit');
  assert.equal(run({ field: 'properties.rules[*]', equals: 'x' }, { properties: {} }), 'audit');
  // Any condition holds for the empty collection, exists true and false alike.
  assert.equal(run({ field: 'properties.rules[*].port', exists: false }, { properties: {} }), 'audit');
  assert.equal(run({ field: 'properties.rules[*].port', exists: true }, { properties: {} }), 'audit');
  assert.equal(run({ field: 'properties.rules[*].port', notEquals: 22 }, { properties: {} }), 'audit');
  // So `not` of it is false: a missing array never satisfies "not all are 22".
  assert.equal(run({ not: rule }, { properties: {} }), 'none');
  assert.equal(run({ not: rule }, { properties: { rules: [{ port: 80 }] } }), 'audit');
  // The docs' own guard: check the array exists first, then the members.
  const guarded = {
    allOf: [
      { field: 'properties.rules', exists: true },
      { field: 'properties.rules[*].port', notEquals: 22 },
    ],
  };
  assert.equal(run(guarded, { properties: {} }), 'none');
  assert.equal(run(guarded, { properties: { rules: [{ port: 80 }] } }), 'audit');
  // Nested arrays: every member of every member; an inner missing array selects nothing for that member.
  const nested = { field: 'properties.g[*].m[*]', equals: 'ok' };
  assert.equal(run(nested, { properties: { g: [{ m: ['ok'] }, { m: [] }] } }), 'audit');
  assert.equal(run(nested, { properties: { g: [{ m: ['ok'] }, {}] } }), 'audit');
  assert.equal(run(nested, { properties: { g: [{ m: ['ok'] }, { m: ['no'] }] } }), 'none');
  // count over a missing array is 0, and field() of it is [].
  assert.equal(run({ count: { field: 'properties.rules[*]' }, equals: 0 }, { properties: {} }), 'audit');
  assert.equal(run({ count: { field: 'properties.rules[*]', where: { field: 'properties.rules[*].port', equals: 22 } }, equals: 0 }, {}), 'audit');
  assert.equal(run({ value: "[field('properties.rules[*].port')]", equals: [] }, {}), 'audit');
});

test('field() in an expression: absent reads as empty; a [*] alias gives an array, of the current member inside a count', () => {
  assert.equal(run({ value: "[field('properties.x')]", equals: '' }, { properties: {} }), 'audit');
  assert.equal(run({ value: "[if(equals(field('properties.n'), ''), 0, int(field('properties.n')))]", equals: 0 }, { properties: {} }), 'audit');
  assert.equal(run({ value: "[length(field('properties.a[*].b'))]", equals: 2 }, { properties: { a: [{ b: 1 }, { c: 1 }, { b: 2 }] } }), 'audit');
  assert.equal(run({ value: "[length(field('properties.a[*]'))]", equals: 0 }, {}), 'audit');
  const inCount = { count: { field: 'properties.a[*]', where: { value: "[first(field('properties.a[*].b'))]", equals: 'x' } }, equals: 1 };
  assert.equal(run(inCount, { properties: { a: [{ b: 'x' }, { b: 'y' }] } }), 'audit');
});

test('field count: where sees the current member; nested counts narrow to the outer member; a missing array counts 0', () => {
  const rules = {
    properties: {
      rules: [
        { a: 'Allow', ports: ['22', '80'] },
        { a: 'Deny', ports: ['22'] },
        { a: 'Allow', ports: [] },
      ],
    },
  };
  assert.equal(run({ count: { field: 'properties.rules[*]', where: { field: 'properties.rules[*].a', equals: 'allow' } }, equals: 2 }, rules), 'audit');
  const nested = {
    count: {
      field: 'properties.rules[*]',
      where: { count: { field: 'properties.rules[*].ports[*]', where: { field: 'properties.rules[*].ports[*]', equals: '22' } }, greater: 0 },
    },
    equals: 2,
  };
  assert.equal(run(nested, rules), 'audit');
  assert.equal(run({ count: { field: 'properties.rules[*].ports[*]' }, equals: 3 }, rules), 'audit', 'an outer [*] flattens');
  assert.equal(run({ count: { field: 'properties.rules[*]' }, equals: 0 }, {}), 'audit');
});

test("value count: name and current('name'); current() is the innermost member", () => {
  const tags = {
    count: { value: "[parameters('required')]", name: 't', where: { field: "[concat('tags[', current('t'), ']')]", exists: true } },
    less: "[length(parameters('required'))]",
  };
  assert.equal(run(tags, { tags: { env: 'x' } }, { parameters: { required: ['env', 'owner'] } }), 'audit');
  assert.equal(run(tags, { tags: { env: 'x', OWNER: 'y' } }, { parameters: { required: ['env', 'owner'] } }), 'none');
  assert.equal(run({ count: { value: [1, 2, 3], where: { value: '[current()]', greater: 1 } }, equals: 2 }), 'audit');
  assert.equal(run({ value: '[current()]', equals: 1 }), 'implicit deny', 'current() outside a count fails');
});

test('count limits are authoring checks: 10 value counts per rule, 100 iterations over literal arrays (nested included), refused at load, never per resource', () => {
  // definition-structure-policy-rule, "Limits enforced during authoring": attempts to create
  // definitions that exceed them fail.
  const one = { count: { value: [1] }, equals: 1 };
  assert.equal(run({ allOf: Array(10).fill(one) }), 'audit');
  compileError({ allOf: Array(11).fill(one) }, /at most 10 value count expressions/);
  assert.equal(run({ count: { value: Array(100).fill(1) }, equals: 100 }), 'audit');
  compileError({ count: { value: Array(101).fill(1) }, equals: 101 }, /at most 100 iterations.*does 101.*refuses it/);
  // Nested: 10 outer iterations and 10 x 10 inner ones.
  const ten = Array.from({ length: 10 }, (_, i) => i);
  compileError({ count: { value: ten, where: { count: { value: ten }, equals: 10 } }, equals: 10 }, /does 110 with the value counts around it/);
  assert.equal(run({ count: { value: ten.slice(0, 5), where: { count: { value: ten }, equals: 10 } }, equals: 5 }), 'audit', '5 + 5 x 10 iterations');
  // Over a parameter or an expression: not counted. Azure's built-in MANAExistingVMNVASupport_Modify
  // counts over a parameter whose default has 115 offers, and no evaluation fails for it.
  const overParameter = { count: { value: "[parameters('items')]" }, equals: 150 };
  assert.equal(run(overParameter, {}, { parameters: { items: Array(150).fill('x') } }), 'audit');
  assert.equal(run({ count: { value: '[range(0, 101)]' }, equals: 101 }), 'audit');
  assert.equal(run({ count: { value: "[field('properties.list')]" }, equals: 150 }, { properties: { list: Array(150).fill(1) } }), 'audit');
});

test('malformed counts are compile errors naming where', () => {
  compileError({ count: { field: 'properties.rules' }, equals: 0 }, /'count.field' must be an array alias ending in \[\*\].*\(at policyRule\.if\.count\)/);
  compileError({ count: { field: 'a[*]', value: [1] }, equals: 0 }, /exactly one of 'field' and 'value'/);
  compileError({ count: { field: 'a[*]', name: 'x' }, equals: 0 }, /'count.name' only goes with 'count.value'/);
  compileError({ count: { value: 'abc' }, equals: 0 }, /'count.value' must be an array/);
  compileError(
    { allOf: [{ count: { value: [1], where: { field: 'x' } }, equals: 1 }] },
    /exactly one operator, found: none \(at policyRule\.if\.allOf\[0\]\.count\.where\)/,
  );
});

test('logic: allOf [] holds, anyOf [] does not; not takes one condition', () => {
  assert.equal(run({ allOf: [] }), 'audit');
  assert.equal(run({ anyOf: [] }), 'none');
  compileError({ not: [{ field: 'type', equals: 'x' }] }, /'not' takes one condition/);
});

test('fields: name is the last segment, fullName the whole; location is normalised; every tag syntax; identity.*; apiVersion', () => {
  const r = {
    type: 'A.B/c/d',
    name: 'parent/child',
    location: 'East US 2',
    tags: { "it's": 'q', 'cost.centre': 'cc' },
    identity: { type: 'UserAssigned', userAssignedIdentities: { id1: {} } },
  };
  assert.equal(run({ field: 'name', equals: 'child' }, r), 'audit');
  assert.equal(run({ field: 'fullName', equals: 'parent/child' }, r), 'audit');
  assert.equal(run({ field: 'location', equals: 'eastus2' }, r), 'audit');
  assert.equal(run({ field: "tags['it''s']", equals: 'q' }, r), 'audit');
  assert.equal(run({ field: 'tags[cost.centre]', equals: 'cc' }, r), 'audit');
  assert.equal(run({ field: 'identity.userAssignedIdentities', containsKey: 'id1' }, r), 'audit');
  assert.equal(run({ field: 'apiVersion', less: '2020-01-01' }, r, { apiVersion: '2019-01-01' }), 'audit');
  assert.equal(run({ field: "[concat('tags[', 'cost.centre', ']')]", equals: 'cc' }, r), 'audit', 'a field given as an expression');
});

test('a computed tag field with an empty tag name reads a tag no resource has (absent), in a scan too, not an unknown alias', () => {
  // "Require a tag on resources" (871b6d14) with tagName ''.
  const requireTag = { field: "[concat('tags[', parameters('tagName'), ']')]", exists: 'false' };
  const extra = { parameters: { tagName: { type: 'String' } } };
  const storage = makeResource('Microsoft.Storage/storageAccounts', 'store', { location: 'eastus', tags: { env: 'prod' } });
  const r = check(ruleWith(requireTag, { extra, parameters: { tagName: '' } }), storage);
  assert.equal(r.outcome, 'fail', r.unknowns.join('; '));
  assert.equal(check(ruleWith(requireTag, { extra, parameters: { tagName: 'env' } }), storage).outcome, 'pass');
  for (const field of ['tags[]', 'tags.', "tags['']", 'tags[""]']) {
    assert.equal(check(ruleWith({ field, exists: false }), storage).outcome, 'fail', field);
    assert.equal(check(ruleWith({ field, equals: 'prod' }), storage).outcome, 'pass', field);
  }
});

test('functions Azure Policy forbids, unknown functions and wrong argument counts are compile errors', () => {
  for (const fn of ['dateTimeAdd', 'reference', 'resourceId', 'variables', 'listKeys', 'deployment', 'newGuid']) {
    compileError({ value: `[${fn}('x', 'y')]`, equals: 1 }, new RegExp(`the function '${fn}' is not available in policy rules`));
  }
  compileError({ value: "[noSuchFunction('x')]", equals: 1 }, /unknown function 'noSuchFunction'/);
  compileError({ value: "[toLower('a', 'b')]", equals: 1 }, /'toLower' takes 1 argument, not 2/);
  assert.equal(run({ value: "[guid('a')]", notEquals: '' }), 'audit', 'guid() is not forbidden');
});

test('policy functions: ipRangeContains, addDays, utcNow, requestContext, policy, resourceGroup', () => {
  assert.equal(run({ value: "[ipRangeContains('10.0.0.0/16', '10.0.3.0/24')]", equals: true }), 'audit');
  assert.equal(run({ value: "[ipRangeContains('10.0.0.0-10.0.0.9', '10.0.0.10')]", equals: false }), 'audit');
  assert.equal(run({ value: "[ipRangeContains('2001:db8::/32', '2001:db8:ffff::1')]", equals: true }), 'audit');
  assert.equal(run({ value: "[ipRangeContains('10.0.0.0/8', '2001:db8::1')]", equals: true }), 'implicit deny', 'mixing IP families fails');
  assert.equal(run({ value: "[addDays('2024-02-28T10:00:00Z', 2)]", equals: '2024-03-01T10:00:00Z' }), 'audit');
  assert.equal(run({ value: '[utcNow()]', equals: '2025-01-01T00:00:00.0000000Z' }, {}, { context: { utcNow: '2025-01-01T00:00:00.0000000Z' } }), 'audit');
  assert.equal(run({ value: '[utcNow()]', equals: 'x' }), 'unknown', 'without a clock, utcNow() is unknown');
  assert.equal(run({ value: '[requestContext().apiVersion]', equals: '2023-01-01' }, {}, { apiVersion: '2023-01-01' }), 'audit');
  assert.equal(run({ value: '[requestContext().apiVersion]', equals: 'x' }), 'unknown');
  assert.equal(run({ value: '[policy().definitionId]', like: '*/policyDefinitions/policy-rule' }), 'audit');
  assert.equal(run({ value: '[resourceGroup().name]', equals: 'rg1' }, {}, { context: { resourceGroup: { name: 'rg1' } } }), 'audit');
});

test('a failing template function is an implicit deny', () => {
  assert.equal(run({ value: "[substring(field('name'), 0, 10)]", equals: 'x' }, { name: 'short' }), 'implicit deny');
  assert.equal(run({ field: 'location', in: "[parameters('p')]" }, { location: 'x' }, { parameters: { p: 'not-an-array' } }), 'implicit deny');
});

test('effects: details of append and modify, evaluated; a modify operation whose condition is false is left out', () => {
  const modify = {
    effect: 'modify',
    details: {
      roleDefinitionIds: ['r'],
      conflictEffect: 'audit',
      operations: [
        { operation: 'addOrReplace', field: "[concat('tags[', 'env', ']')]", value: "[toUpper('prod')]" },
        { operation: 'addOrReplace', field: 'tags.x', value: 1, condition: "[greaterOrEquals(requestContext().apiVersion, '2021-01-01')]" },
        { operation: 'remove', field: 'tags.old' },
      ],
    },
  };
  const r = result({ field: 'type', equals: 'A.B/c' }, { type: 'A.B/c' }, { then: modify, apiVersion: '2020-01-01' });
  assert.equal(r.kind, 'non-compliant');
  assert.deepEqual(r.kind === 'non-compliant' && r.details, {
    roleDefinitionIds: ['r'],
    operations: [
      { operation: 'addOrReplace', field: 'tags[env]', value: 'PROD' },
      { operation: 'remove', field: 'tags.old' },
    ],
  });
  const append = result(
    { field: 'type', equals: 'A.B/c' },
    { type: 'A.B/c' },
    { then: { effect: 'append', details: [{ field: 'properties.x', value: "[concat('a', 'b')]" }] } },
  );
  assert.deepEqual(append.kind === 'non-compliant' && append.details, [{ field: 'properties.x', value: 'ab' }]);
  for (const effect of ['manual', 'denyAction', 'Deny', 'AUDIT']) assert.equal(run({ allOf: [] }, {}, { then: { effect } }), effect);
  assert.equal(run({ allOf: [] }, {}, { then: { effect: 'disabled' } }), 'none');
  compileError({ allOf: [] }, /'quarantine' is not an effect of Azure Policy/, { then: { effect: 'quarantine' } });
  compileError({ allOf: [] }, /an operation is addOrReplace, add or remove/, {
    then: { effect: 'modify', details: { operations: [{ operation: 'set', field: 'tags.x', value: 1 }] } },
  });
});

test('modify may only change aliases with the Modifiable attribute', () => {
  const aliases = aliasTableFromProviders([
    {
      namespace: 'A.B',
      resourceTypes: [
        {
          resourceType: 'c',
          aliases: [
            { name: 'A.B/c/open', defaultPath: 'properties.open', paths: [], defaultMetadata: { attributes: 'Modifiable' } },
            { name: 'A.B/c/endpoint', defaultPath: 'properties.endpoint', paths: [], defaultMetadata: { attributes: 'None' } },
          ],
        },
      ],
    },
  ]);
  const then = (field: string) => ({ effect: 'modify', details: { roleDefinitionIds: [], operations: [{ operation: 'addOrReplace', field, value: 1 }] } });
  assert.equal(run({ field: 'type', equals: 'A.B/c' }, { type: 'A.B/c' }, { aliases, then: then('A.B/c/open') }), 'modify');
  compileError({ field: 'type', equals: 'A.B/c' }, /the alias 'A.B\/c\/endpoint' is not modifiable.*\(at policyRule\.then\.details\.operations\[0\]\)/, {
    aliases,
    then: then('A.B/c/endpoint'),
  });
});

test('auditIfNotExists: compliant when a related resource satisfies the existence condition, where field() still reads the if resource', () => {
  const then = {
    effect: 'auditIfNotExists',
    details: { type: 'A.B/c/settings', name: "[concat(field('name'), '-s')]", existenceCondition: { field: 'properties.owner', equals: "[field('name')]" } },
  };
  const asked: unknown[] = [];
  const related = (owner: string) => (query: unknown) => {
    asked.push(query);
    return [{ name: 'x', properties: { owner } }];
  };
  assert.equal(run({ field: 'type', equals: 'A.B/c' }, { type: 'A.B/c', name: 'n1' }, { then, related: related('n1') }), 'none');
  assert.deepEqual(asked[0], { type: 'A.B/c/settings', name: 'n1-s' });
  assert.equal(run({ field: 'type', equals: 'A.B/c' }, { type: 'A.B/c', name: 'n1' }, { then, related: related('other') }), 'auditIfNotExists');
  assert.equal(run({ field: 'type', equals: 'A.B/c' }, { type: 'A.B/c', name: 'n1' }, { then, related: () => [] }), 'auditIfNotExists');
  assert.equal(run({ field: 'type', equals: 'A.B/c' }, { type: 'A.B/c', name: 'n1' }, { then }), 'unknown', 'whether one exists is not known');
});

test('mode Indexed skips types the alias data says do not support tags and location', () => {
  const aliases = aliasTableFromProviders([
    {
      namespace: 'A.B',
      resourceTypes: [
        { resourceType: 'c', capabilities: 'SupportsTags, SupportsLocation', aliases: [] },
        { resourceType: 'c/d', capabilities: 'None', aliases: [] },
      ],
    },
  ]);
  const definition = (mode: string) => ({ properties: { mode, policyRule: { if: { field: 'name', exists: true }, then: { effect: 'audit' } } } });
  assert.equal(run(undefined, { type: 'A.B/c', name: 'x' }, { aliases, definition: definition('Indexed') }), 'audit');
  assert.equal(run(undefined, { type: 'A.B/c/d', name: 'x/y' }, { aliases, definition: definition('Indexed') }), 'none');
  assert.equal(run(undefined, { type: 'A.B/c/d', name: 'x/y' }, { aliases, definition: definition('All') }), 'audit');
  assert.equal(run(undefined, { type: 'X.Y/z', name: 'x' }, { aliases, definition: definition('Indexed') }), 'audit', 'no data: evaluated');
});

test("mode Indexed: without provider data, Azure's resource type schemas decide, by type (any case) and API version; resource groups are for mode All", () => {
  // An "Allowed locations"-style definition, as the built-in is written.
  const definition = (mode: string) => ({
    properties: { mode, policyRule: { if: { not: { field: 'location', in: ['westeurope'] } }, then: { effect: 'deny' } } },
  });
  const at = (type: string, apiVersion?: string) => ({ type, name: 'x', location: 'eastus', ...(apiVersion ? { apiVersion } : {}) });
  for (const type of [
    'Microsoft.Network/virtualNetworks/subnets',
    'Microsoft.Storage/storageAccounts/blobServices',
    'microsoft.apimanagement/SERVICE/apis',
    'Microsoft.Resources/resourceGroups',
  ]) {
    const r = result(undefined, at(type), { definition: definition('Indexed') });
    assert.equal(r.kind, 'not-applicable', type);
    assert.equal(run(undefined, at(type), { definition: definition('All') }), 'deny', `${type} under All`);
  }
  assert.match(
    (result(undefined, at('Microsoft.Network/virtualNetworks/subnets'), { definition: definition('Indexed') }) as { reason: string }).reason,
    /tags and location: Microsoft.Network\/virtualNetworks\/subnets does not/,
  );
  for (const type of ['Microsoft.Storage/storageAccounts', 'Microsoft.Network/virtualNetworks', 'Microsoft.ApiManagement/service']) {
    assert.equal(run(undefined, at(type), { definition: definition('Indexed') }), 'deny', type);
  }
  assert.equal(run(undefined, at('Contoso.Unlisted/widgets'), { definition: definition('Indexed') }), 'deny', 'a type the data does not know is evaluated');
  assert.equal(
    run(undefined, at('Microsoft.Network/virtualNetworks/subnets'), { definition: definition(undefined as unknown as string) }),
    'none',
    'no mode is Indexed',
  );
  // Microsoft.ApiManagement/service/properties has tags at 2016-07-07 and 2016-10-10 only, and never a location.
  assert.equal(result(undefined, at('Microsoft.ApiManagement/service/properties', '2016-07-07'), { definition: definition('Indexed') }).kind, 'not-applicable');
  // Microsoft.Advisor/recommendations/suppressions has both at 2016-07-12-preview only.
  assert.equal(run(undefined, at('Microsoft.Advisor/recommendations/suppressions', '2016-07-12-preview'), { definition: definition('Indexed') }), 'deny');
  assert.equal(
    result(undefined, at('Microsoft.Advisor/recommendations/suppressions', '2023-01-01'), { definition: definition('Indexed') }).kind,
    'not-applicable',
  );
  assert.equal(
    run(undefined, at('Microsoft.Advisor/recommendations/suppressions'), { definition: definition('Indexed') }),
    'deny',
    'no API version: evaluated, as some version supports both',
  );
});

test('Resource Provider modes load and are not applicable; an unknown mode is a compile error', () => {
  const definition = (mode: string) => ({
    properties: { mode, policyRule: { if: { field: 'Microsoft.KeyVault.Data/vaults/keys/keyType', equals: 'RSA' }, then: { effect: 'audit' } } },
  });
  for (const mode of [
    'Microsoft.Kubernetes.Data',
    'Microsoft.KeyVault.Data',
    'Microsoft.Network.Data',
    'Microsoft.ManagedHSM.Data',
    'Microsoft.DataFactory.Data',
    'Microsoft.MachineLearningServices.v2.Data',
    'Microsoft.LoadTestService.Data',
  ]) {
    const r = result(undefined, { type: 'Microsoft.KeyVault/vaults', name: 'v' }, { definition: definition(mode) });
    assert.equal(r.kind, 'not-applicable', mode);
    assert.match(
      (r as { reason: string }).reason,
      new RegExp(`mode ${mode.replace(/\./g, '\\.')} is a Resource Provider mode: Azure evaluates it on .*not on the resources of a deployment template`),
    );
  }
  // Kubernetes definitions use effects and details of their own: they still load.
  const k8s = {
    properties: {
      mode: 'Microsoft.Kubernetes.Data',
      policyRule: {
        if: { field: 'type', in: ['Microsoft.ContainerService/managedClusters'] },
        then: { effect: 'EnforceOPAConstraint', details: { constraint: 'https://example/constraint.yaml' } },
      },
    },
  };
  assert.equal(result(undefined, { type: 'Microsoft.ContainerService/managedClusters', name: 'k' }, { definition: k8s }).kind, 'not-applicable');
  assert.throws(
    () => result(undefined, {}, { definition: definition('Everything') }),
    (e: unknown) => e instanceof PolicyCompileError && /not a mode of Azure Policy/.test(e.message),
  );
});

test('aliases: the entry of the resource type applies; versioned paths follow the API version; X is the array of X[*]', () => {
  const aliases = aliasTableFromProviders([
    {
      namespace: 'A.B',
      resourceTypes: [
        {
          resourceType: 'c',
          aliases: [
            { name: 'A.B/image', defaultPath: 'properties.image', paths: [] },
            { name: 'A.B/c/tier', defaultPath: 'sku.tier', paths: [{ path: 'properties.pricingTier', apiVersions: ['2015-01-01'] }] },
            { name: 'A.B/c/rules[*]', defaultPath: 'properties.rules[*]', paths: [] },
          ],
        },
        { resourceType: 'd', aliases: [{ name: 'A.B/image', defaultPath: 'properties.profile.image', paths: [] }] },
      ],
    },
  ]);
  const both = combineAliasTables(aliases);
  assert.equal(run({ field: 'A.B/image', equals: 'i' }, { type: 'A.B/c', properties: { image: 'i' } }, { aliases: both }), 'audit');
  assert.equal(run({ field: 'A.B/image', equals: 'i' }, { type: 'A.B/d', properties: { profile: { image: 'i' } } }, { aliases }), 'audit');
  assert.equal(run({ field: 'A.B/image', exists: false }, { type: 'X.Y/z', properties: { image: 'i' } }, { aliases }), 'audit', 'not an alias of this type');
  const tiered = { type: 'A.B/c', sku: { tier: 'Std' }, properties: { pricingTier: 'Old' } };
  assert.equal(run({ field: 'A.B/c/tier', equals: 'Old' }, tiered, { aliases, apiVersion: '2015-01-01' }), 'audit');
  assert.equal(run({ field: 'A.B/c/tier', equals: 'Std' }, tiered, { aliases, apiVersion: '2020-01-01' }), 'audit');
  assert.equal(run({ value: "[length(field('A.B/c/rules'))]", equals: 2 }, { type: 'A.B/c', properties: { rules: [1, 2] } }, { aliases }), 'audit');
  assert.equal(run({ field: 'A.B/c/nope', equals: 1 }, { type: 'A.B/c' }, { aliases }), 'unknown', 'an alias the table lacks');
});

test('an array parameter takes its allowedValues item by item; the effect keeps the allowed spelling, exact case first', () => {
  const definition = {
    properties: {
      parameters: {
        os: { type: 'Array', allowedValues: ['Windows', 'Linux'] },
        effect: { type: 'String', allowedValues: ['audit', 'Audit', 'disabled'], defaultValue: 'Audit' },
      },
      policyRule: { if: { value: "[length(parameters('os'))]", equals: 2 }, then: { effect: "[parameters('effect')]" } },
    },
  };
  assert.equal(run(undefined, {}, { definition, parameters: { os: ['Linux', 'Windows'] } }), 'Audit');
  assert.throws(() => result(undefined, {}, { definition, parameters: { os: ['Linux', 'BeOS'] } }), /not an allowed value of parameter 'os'/);
});

test('allowedValues: [] restricts nothing (NZISM v3.7 declares it beside a default); the effect parameter too', () => {
  const definition = {
    properties: {
      parameters: {
        members: { type: 'String', defaultValue: 'Administrator', allowedValues: [] },
        effect: { type: 'String', defaultValue: 'Audit', allowedValues: [] },
      },
      policyRule: { if: { value: "[parameters('members')]", equals: 'Operators' }, then: { effect: "[parameters('effect')]" } },
    },
  };
  assert.equal(run(undefined, {}, { definition, parameters: { members: 'Operators' } }), 'Audit');
  assert.equal(run(undefined, {}, { definition, parameters: { members: 'Operators', effect: 'Deny' } }), 'Deny');
  assert.equal(run(undefined, {}, { definition }), 'none');
});

test('in a scan: a failed evaluation is a finding saying it is an implicit deny; modify findings say what would change', () => {
  const failing = ruleWith({ value: "[substring(field('name'), 0, 40)]", equals: 'x' });
  const r = check(failing, makeResource('A.B/c', 'short'));
  assert.equal(r.outcome, 'fail');
  assert.match(
    r.findings[0]!.message,
    /^C 'short' cannot be evaluated by policy test-policy: .*substring.*Azure treats a failed evaluation as an implicit deny$/,
  );
  const modify = createRule({
    name: 'tag-it',
    properties: {
      mode: 'All',
      policyRule: {
        if: { field: 'tags.env', exists: false },
        then: { effect: 'modify', details: { roleDefinitionIds: [], operations: [{ operation: 'add', field: 'tags.env', value: 'prod' }] } },
      },
    },
  });
  const m = check(modify, makeResource('A.B/c', 'untagged'));
  assert.deepEqual(
    m.findings.map((f) => [f.path, f.message]),
    [['tags.env', 'C \'untagged\' does not set tags.env: tag-it (policy tag-it, effect modify; would add tags.env = "prod")']],
  );
});

test('in a scan: auditIfNotExists looks for the related resource in the same deployment', () => {
  const SERVICE = 'Microsoft.ApiManagement/service';
  const BACKENDS = `${SERVICE}/backends`;
  const rule = createRule({
    name: 'backend-tls',
    properties: {
      mode: 'All',
      policyRule: {
        if: { field: 'type', equals: SERVICE },
        then: {
          effect: 'auditIfNotExists',
          details: { type: BACKENDS, existenceCondition: { field: `${BACKENDS}/tls.validateCertificateChain`, equals: true } },
        },
      },
    },
  });
  const svc = makeResource(SERVICE, 'svc');
  const good = makeResource(BACKENDS, 'svc/b1', { properties: { tls: { validateCertificateChain: true } } });
  const bad = makeResource(BACKENDS, 'svc/b1', { properties: { tls: { validateCertificateChain: false } } });
  const other = makeResource(BACKENDS, 'other/b1', { properties: { tls: { validateCertificateChain: true } } });
  assert.equal(check(rule, svc, [svc, good]).outcome, 'pass');
  // The definition names no backend: any backend of the service that satisfies it makes it
  // compliant, and one the deployment does not declare may, so a declared one that fails decides nothing.
  const failing = check(rule, svc, [svc, bad, other]);
  assert.equal(failing.outcome, 'unknown', 'a backend of another service does not count');
  assert.match(
    failing.unknowns[0]!,
    /no related Microsoft\.ApiManagement\/service\/backends in the deployment satisfies the existence condition, but the definition matches any/,
  );
  const unknown = check(rule, svc, [svc]);
  assert.equal(unknown.outcome, 'unknown');
  assert.match(unknown.unknowns[0]!, /whether a related Microsoft\.ApiManagement\/service\/backends exists is not known before deployment/);
});

test('in a scan: a related resource named by the definition decides when declared; one matched by type only leaves the verdict undecided', () => {
  // Azure's auditIfNotExists: compliant when any matching related resource satisfies the
  // existence condition. With details.name the declared resource is the one Azure looks at; with
  // the type alone, a resource outside the deployment may be the one that satisfies it.
  const SERVICE = 'Microsoft.ApiManagement/service';
  const BACKENDS = `${SERVICE}/backends`;
  const definition = (name?: string) => ({
    name: 'backend-tls',
    properties: {
      mode: 'All',
      policyRule: {
        if: { field: 'type', equals: SERVICE },
        then: {
          effect: 'auditIfNotExists',
          details: { type: BACKENDS, ...(name ? { name } : {}), existenceCondition: { field: `${BACKENDS}/tls.validateCertificateChain`, equals: true } },
        },
      },
    },
  });
  const svc = makeResource(SERVICE, 'svc');
  const bad = makeResource(BACKENDS, 'svc/b1', { properties: { tls: { validateCertificateChain: false } } });
  const good = makeResource(BACKENDS, 'svc/b2', { properties: { tls: { validateCertificateChain: true } } });
  const named = check(createRule(definition('b1')), svc, [svc, bad, good]);
  assert.equal(named.outcome, 'fail', 'the named backend is declared and fails; another backend does not count');
  assert.match(named.findings[0]!.message, /no related Microsoft\.ApiManagement\/service\/backends named 'b1' satisfies the existence condition/);
  const typeOnly = check(createRule(definition()), svc, [svc, bad]);
  assert.equal(typeOnly.outcome, 'unknown');
  assert.match(typeOnly.unknowns[0]!, /matches any Microsoft\.ApiManagement\/service\/backends, not one by name, and one outside it may/);
  assert.equal(check(createRule(definition()), svc, [svc, bad, good]).outcome, 'pass', 'any declared one that satisfies it decides');
  // Judged as Azure has it (the raw adapter), the related resources given are all there are: the type-only definition fails.
  const raw = evaluateRaw(
    compileRawPolicy(definitionFromJson(definition(), 'definition')),
    { type: SERVICE, name: 'svc', id: '/x/svc' },
    {
      related: () => [{ type: BACKENDS, name: 'svc/b1', properties: { tls: { validateCertificateChain: false } } }],
    },
  );
  assert.equal(raw.kind, 'non-compliant');
});

function createRule(json: unknown) {
  return createPolicyRule(readPolicyDefinition(json));
}

test('in a scan: [*] and count findings point at concrete paths, never at [*]', () => {
  const HC = 'Microsoft.ApiManagement/service/hostnameConfigurations[*]';
  const svc = makeResource('Microsoft.ApiManagement/service', 'apim', {
    properties: {
      hostnameConfigurations: [
        { hostName: 'a.contoso.com', negotiateClientCertificate: true },
        { hostName: 'b.contoso.com', negotiateClientCertificate: false },
      ],
    },
  });
  const every = check(ruleWith({ not: { field: `${HC}.negotiateClientCertificate`, equals: true } }), svc);
  assert.deepEqual(
    every.findings.map((f) => f.path),
    ['properties.hostnameConfigurations[1].negotiateClientCertificate'],
  );
  const counted = check(ruleWith({ count: { field: HC, where: { field: `${HC}.hostname`, like: '*.contoso.com' } }, greater: 1 }), svc);
  assert.deepEqual(
    counted.findings.map((f) => f.path),
    ['properties.hostnameConfigurations'],
  );
  assert.equal(check(ruleWith({ field: `${HC}.hostname`, like: '*.contoso.com' }), svc).outcome, 'fail');
  assert.equal(check(ruleWith({ field: `${HC}.hostname`, like: 'a.*' }), svc).outcome, 'pass');
});

test('policy expressions read a missing object property as null; templates still fail on it', async () => {
  const { evaluateExpressionText } = await import('../../src/arm/expression/evaluator.js');
  const { ARM_FUNCTIONS } = await import('../../src/arm/functions/index.js');
  const { DEFAULT_DEPLOYMENT } = await import('../../src/arm/expression/context.js');
  const base = { functions: ARM_FUNCTIONS, deployment: DEFAULT_DEPLOYMENT };
  assert.equal(evaluateExpressionText("[createObject('a', 1).b]", { ...base, missingPropertyIsNull: true }), null);
  assert.equal(evaluateExpressionText("[createObject('a', 1)['b']]", { ...base, missingPropertyIsNull: true }), null);
  assert.throws(() => evaluateExpressionText("[createObject('a', 1).b]", base), /has no property 'b'/);
});
