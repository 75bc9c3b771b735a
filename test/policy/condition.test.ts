import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCondition } from '../../src/policy/condition.js';
import { PolicyCompileError } from '../../src/policy/errors.js';
import { readPolicyDefinition } from '../../src/policy/definition.js';
import { createPolicyRule } from '../../src/policy/policy-rule.js';
import { Unknown } from '../../src/resources/value.js';
import { BACKENDS, backend, check, makeResource, ruleWith } from './helpers.js';

const SERVICE = 'Microsoft.ApiManagement/service';
const svc = () =>
  makeResource(SERVICE, 'contoso-apim', {
    location: 'West Europe',
    kind: 'premium',
    tags: { Env: 'Prod', 'cost.centre': 'cc-1' },
    identity: { type: 'SystemAssigned' },
    sku: { name: 'Premium', capacity: 2 },
    properties: { publisherEmail: 'api@contoso.example', disableGateway: null, virtualNetworkType: 'None' },
  });

/**
 * Whether the condition holds for the resource: 'fail' = it holds (non-compliant), 'pass' = it does
 * not. A condition only on `type`, `name` or `kind` that does not hold also makes the definition
 * not apply (Azure's applicability, tested below): that counts as not holding here.
 */
const holds = (condition: unknown, resource = svc(), extra?: Record<string, unknown>, parameters?: Record<string, unknown>) => {
  const r = check(ruleWith(condition, { extra, parameters }), resource);
  return r.outcome === 'skip' && /type, name and kind conditions do not hold/.test(r.skips[0] ?? '') ? 'pass' : r.outcome;
};

test('equals / notEquals: strings ignore case; absent fields equal nothing but null', () => {
  assert.equal(holds({ field: 'kind', equals: 'PREMIUM' }), 'fail');
  assert.equal(holds({ field: 'kind', equals: 'developer' }), 'pass');
  assert.equal(holds({ field: 'kind', notEquals: 'developer' }), 'fail');
  assert.equal(holds({ field: 'Microsoft.ApiManagement/service/publisherName', equals: false }), 'pass');
  assert.equal(holds({ field: 'Microsoft.ApiManagement/service/publisherName', notEquals: 'x' }), 'fail');
  assert.equal(holds({ field: 'Microsoft.ApiManagement/service/publisherName', equals: null }), 'fail');
});

test('equals compares strings with numbers and booleans by meaning', () => {
  assert.equal(holds({ field: 'Microsoft.ApiManagement/service/sku.capacity', equals: '2' }), 'fail');
  assert.equal(holds({ field: 'Microsoft.ApiManagement/service/sku.capacity', equals: '02x' }), 'pass');
  assert.equal(holds({ field: 'Microsoft.ApiManagement/service/sku.capacity', equals: 2 }), 'fail');
});

test('in / notIn take arrays, ignore case, and reject a literal non-array when compiled', () => {
  assert.equal(holds({ field: 'location', in: ['northeurope', 'WESTEUROPE'] }), 'fail');
  assert.equal(holds({ field: 'location', notIn: ['northeurope', 'westeurope'] }), 'pass');
  assert.throws(() => ruleWith({ field: 'location', in: 'westeurope' }), /'in' expects an array, got "westeurope" \(at policyRule\.if\)/);
});

test('exists: true/false (or their strings); a null property does not exist', () => {
  assert.equal(holds({ field: 'Microsoft.ApiManagement/service/publisherEmail', exists: true }), 'fail');
  assert.equal(holds({ field: 'Microsoft.ApiManagement/service/publisherEmail', exists: 'false' }), 'pass');
  assert.equal(holds({ field: 'Microsoft.ApiManagement/service/disableGateway', exists: false }), 'fail');
  assert.throws(() => ruleWith({ field: 'kind', exists: 'yes' }), /'exists' expects true or false/);
});

test('like / notLike: * is a wildcard, the whole value must match, case is ignored', () => {
  assert.equal(holds({ field: 'name', like: 'contoso-*' }), 'fail');
  assert.equal(holds({ field: 'name', like: 'CONTOSO*APIM' }), 'fail');
  assert.equal(holds({ field: 'name', like: 'contoso' }), 'pass');
  assert.equal(holds({ field: 'name', like: 'contoso.apim' }), 'pass', 'a dot is literal');
  assert.equal(holds({ field: 'name', notLike: 'fabrikam-*' }), 'fail');
});

test('contains / notContains: substrings of strings, members of arrays', () => {
  assert.equal(holds({ field: 'Microsoft.ApiManagement/service/publisherEmail', contains: '@CONTOSO' }), 'fail');
  assert.equal(holds({ field: 'Microsoft.ApiManagement/service/publisherEmail', notContains: 'fabrikam' }), 'fail');
  const withZones = makeResource(SERVICE, 'z', { zones: ['1', '2'] });
  assert.equal(holds({ field: 'Microsoft.ApiManagement/service/zones', contains: '2' }, withZones), 'fail');
  assert.equal(holds({ field: 'Microsoft.ApiManagement/service/zones', contains: '3' }, withZones), 'pass');
});

test('fields: type, name is the last segment, fullName the whole, id, location normalised, tags, identity.type', () => {
  const b = backend({}, 'contoso-apim/payments');
  assert.equal(holds({ field: 'name', equals: 'payments' }, b), 'fail');
  assert.equal(holds({ field: 'fullName', equals: 'contoso-apim/payments' }, b), 'fail');
  assert.equal(holds({ field: 'id', like: '*/backends/contoso-apim/payments' }, b), 'fail');
  assert.equal(holds({ field: 'TYPE', equals: BACKENDS.toLowerCase() }, b), 'fail');
  assert.equal(holds({ field: 'location', equals: 'westeurope' }), 'fail');
  assert.equal(holds({ field: 'tags.env', equals: 'prod' }), 'fail');
  assert.equal(holds({ field: "tags['cost.centre']", equals: 'CC-1' }), 'fail');
  assert.equal(holds({ field: 'tags[cost.centre]', equals: 'cc-1' }), 'fail');
  assert.equal(holds({ field: 'tags.owner', exists: false }), 'fail');
  assert.equal(holds({ field: 'identity.type', equals: 'systemassigned' }), 'fail');
});

test('allOf / anyOf / not, with keys in any case', () => {
  assert.equal(
    holds({
      ALLOF: [
        { field: 'kind', equals: 'premium' },
        { field: 'location', equals: 'westeurope' },
      ],
    }),
    'fail',
  );
  assert.equal(
    holds({
      allof: [
        { field: 'kind', equals: 'premium' },
        { field: 'location', equals: 'eastus' },
      ],
    }),
    'pass',
  );
  assert.equal(
    holds({
      AnyOf: [
        { field: 'kind', equals: 'basic' },
        { field: 'location', equals: 'westeurope' },
      ],
    }),
    'fail',
  );
  assert.equal(holds({ NOT: { field: 'location', equals: 'westeurope' } }), 'pass');
  assert.equal(holds({ not: { not: { field: 'location', equals: 'westeurope' } } }), 'fail');
});

test('operands and values may be expressions, evaluated with the parameters and field()', () => {
  const params = { parameters: { allowed: { type: 'Array', defaultValue: ['northeurope'] }, sku: { type: 'String' } } };
  assert.equal(holds({ field: 'location', notIn: "[parameters('allowed')]" }, svc(), params), 'fail');
  assert.equal(holds({ field: 'location', notIn: "[parameters('allowed')]" }, svc(), params, { allowed: ['westeurope'] }), 'pass');
  assert.equal(
    holds({ value: "[toLower(field('Microsoft.ApiManagement/service/sku.name'))]", equals: "[parameters('sku')]" }, svc(), params, { sku: 'premium' }),
    'fail',
  );
  assert.equal(holds({ value: "[concat(field('name'), '-x')]", equals: 'contoso-apim-x' }), 'fail');
  assert.equal(holds({ field: 'name', equals: '[[literal]' }, makeResource(SERVICE, '[literal]')), 'fail', '[[ escapes a literal bracket');
});

test('the finding points at the condition that decided, not at a branch that did not hold', () => {
  const rule = ruleWith({
    anyOf: [
      {
        allOf: [
          { field: 'Microsoft.ApiManagement/service/backends/tls.validateCertificateChain', equals: false },
          { field: 'Microsoft.ApiManagement/service/backends/url', like: 'http:*' },
        ],
      },
      { field: 'Microsoft.ApiManagement/service/backends/tls.validateCertificateName', equals: false },
    ],
  });
  const r = check(rule, backend({ url: 'https://x', tls: { validateCertificateChain: false, validateCertificateName: false } }));
  assert.deepEqual(
    r.findings.map((f) => f.path),
    ['properties.tls.validateCertificateName'],
  );
});

test('under not, the property that failed the inner condition is the one reported; absence is said so', () => {
  const rule = ruleWith({
    allOf: [{ field: 'type', equals: BACKENDS }, { not: { field: 'Microsoft.ApiManagement/service/backends/protocol', equals: 'http' } }],
  });
  const r = check(rule, backend({ url: 'https://x' }, 'svc/orders'));
  assert.equal(r.findings[0]!.path, 'properties.protocol');
  assert.equal(r.findings[0]!.message, "Backend 'orders' does not set protocol: Test policy (policy test-policy, effect audit)");
});

test('an alias missing from the table makes the definition not applicable, naming the alias', () => {
  const alias = 'Microsoft.ApiManagement/service/backends/tls.madeUpSetting';
  const rule = ruleWith({
    allOf: [
      { field: 'type', equals: BACKENDS },
      { field: alias, equals: true },
    ],
  });
  const r = check(rule, backend({ tls: { madeUpSetting: true } }));
  assert.equal(r.outcome, 'skip');
  assert.deepEqual(r.skips, [`not applicable: the alias '${alias}' is not in Tollgate's alias table, so policy test-policy cannot be evaluated`]);
  assert.equal(check(ruleWith({ value: `[field('${alias}')]`, equals: true }), backend({})).outcome, 'skip', 'also through field()');
});

test('a missing alias does not matter where the other conditions decide alone', () => {
  const missing = { field: 'Microsoft.ApiManagement/service/backends/nope', equals: true };
  assert.equal(check(ruleWith({ allOf: [missing, { field: 'Microsoft.ApiManagement/service/backends/url', exists: true }] }), backend({})).outcome, 'pass');
  assert.equal(check(ruleWith({ anyOf: [missing, { field: 'name', equals: 'payments' }] }), backend({})).outcome, 'fail');
});

test('unknown values: three-valued logic, so a decided branch still decides', () => {
  const b = backend({ protocol: new Unknown('x'), url: 'https://x' });
  const protocol = { field: 'Microsoft.ApiManagement/service/backends/protocol', equals: 'http' };
  assert.equal(check(ruleWith(protocol), b).outcome, 'unknown');
  assert.equal(check(ruleWith({ not: protocol }), b).outcome, 'unknown');
  assert.equal(check(ruleWith({ allOf: [protocol, { field: 'Microsoft.ApiManagement/service/backends/url', equals: 'http://x' }] }), b).outcome, 'pass');
  assert.equal(check(ruleWith({ anyOf: [protocol, { field: 'name', equals: 'payments' }] }), b).outcome, 'fail');
  const partlyKnown = backend({ tls: { validateCertificateChain: new Unknown('y') } });
  const tls = 'Microsoft.ApiManagement/service/backends/tls';
  assert.equal(check(ruleWith({ field: tls, equals: { validateCertificateChain: true } }), partlyKnown).outcome, 'unknown');
  assert.equal(check(ruleWith({ field: tls, exists: true }), partlyKnown).outcome, 'fail', 'presence is known');
});

test('compile errors name the operator or construct and where it is', () => {
  const compile = (c: unknown) => () => ruleWith(c);
  assert.throws(
    compile({
      allOf: [
        { field: 'type', equals: 'x' },
        { field: 'name', startsWith: 'x' },
      ],
    }),
    (e: unknown) =>
      e instanceof PolicyCompileError && e.message === "unsupported operator 'startsWith' (at policyRule.if.allOf[1])" && e.at === 'policyRule.if.allOf[1]',
  );
  assert.throws(compile({ field: 'type', equals: 'x', notEquals: 'y' }), /exactly one operator, found: equals, notEquals/);
  assert.throws(compile({ field: 'type' }), /exactly one operator, found: none/);
  assert.throws(compile({ allOf: [], field: 'type' }), /must stand alone/);
  assert.throws(compile({ anyOf: {} }), /'anyOf' takes an array/);
  assert.throws(compile({ count: { field: 'x' }, greater: 0 }), /'count.field' must be an array alias ending in \[\*\], not 'x' \(at policyRule.if.count\)/);
  assert.throws(compile({ field: 'type', equals: "[concat('a', ]" }), /cannot parse expression/);
  assert.throws(compile({ value: '[newGuid()]', equals: 'x' }), /the function 'newGuid' is not available in policy rules \(at policyRule.if\)/);
});

test('appliesTo comes from field type equals / in; without one it is * (every resource)', () => {
  assert.deepEqual(ruleWith({ field: 'type', in: ['A.B/c', 'A.B/d', 'a.b/C'] }).meta.appliesTo, ['A.B/c', 'A.B/d']);
  assert.deepEqual(
    ruleWith({
      anyOf: [
        { field: 'type', equals: 'A.B/c' },
        { field: 'type', equals: 'A.B/d' },
      ],
    }).meta.appliesTo,
    ['A.B/c', 'A.B/d'],
  );
  assert.deepEqual(
    ruleWith({
      allOf: [
        { field: 'type', in: ['A.B/c', 'A.B/d'] },
        { field: 'type', equals: 'a.b/d' },
      ],
    }).meta.appliesTo,
    ['A.B/d'],
  );
  assert.deepEqual(
    ruleWith({
      anyOf: [
        { field: 'type', equals: 'A.B/c' },
        { field: 'kind', equals: 'x' },
      ],
    }).meta.appliesTo,
    ['*'],
  );
  assert.deepEqual(ruleWith({ not: { field: 'type', equals: 'A.B/c' } }).meta.appliesTo, ['*']);
  assert.deepEqual(
    ruleWith({ field: 'type', equals: "[parameters('t')]" }, { extra: { parameters: { t: { type: 'String', defaultValue: 'A.B/c' } } } }).meta.appliesTo,
    ['*'],
  );
});

test('a definition read with keys in any case compiles the same', () => {
  const shouting = readPolicyDefinition({
    NAME: 'x',
    PROPERTIES: { DisplayName: 'X', POLICYRULE: { IF: { FIELD: 'type', EQUALS: 'A.B/c' }, THEN: { EFFECT: 'audit' } } },
  });
  const rule = createPolicyRule(shouting);
  assert.equal(rule.meta.id, 'x');
  assert.equal(check(rule, makeResource('A.B/c', 'n')).outcome, 'fail');
  assert.deepEqual(compileCondition({ FIELD: 'type', EQUALS: 'A.B/c' }).types(), ['A.B/c']);
});

test("applicability (Azure's policy-applicability): only type, name and kind decide whether a definition applies; auditIfNotExists needs its whole if", () => {
  const b = backend({ url: 'https://x', protocol: 'http' });
  const skipped = (r: ReturnType<typeof check>) => r.outcome === 'skip' && /type, name and kind conditions do not hold/.test(r.skips[0] ?? '');
  // The type condition fails: not applicable, never compliant.
  assert.ok(
    skipped(
      check(
        ruleWith({
          allOf: [
            { field: 'type', equals: SERVICE },
            { field: 'Microsoft.ApiManagement/service/backends/protocol', equals: 'http' },
          ],
        }),
        b,
      ),
    ),
  );
  // The type holds and a setting does not: applicable and compliant.
  assert.equal(
    check(
      ruleWith({
        allOf: [
          { field: 'type', equals: BACKENDS },
          { field: 'Microsoft.ApiManagement/service/backends/protocol', equals: 'soap' },
        ],
      }),
      b,
    ).outcome,
    'pass',
  );
  // Other conditions count as true, or false under a not, so `not` of a setting never makes it inapplicable.
  assert.equal(
    check(ruleWith({ allOf: [{ field: 'name', like: 'pay*' }, { not: { field: 'Microsoft.ApiManagement/service/backends/protocol', equals: 'http' } }] }), b)
      .outcome,
    'pass',
  );
  assert.ok(
    skipped(
      check(
        ruleWith({ allOf: [{ field: 'name', like: 'other*' }, { not: { field: 'Microsoft.ApiManagement/service/backends/protocol', equals: 'soap' } }] }),
        b,
      ),
    ),
  );
  // A negated type condition: `not type equals backends` does not apply to a backend.
  assert.ok(skipped(check(ruleWith({ allOf: [{ not: { field: 'type', equals: BACKENDS } }, { field: 'location', exists: true }] }), b)));
  // auditIfNotExists: the whole if decides; a false if is not applicable, whatever it reads.
  const aine = createPolicyRule(
    readPolicyDefinition({
      name: 'aine',
      properties: {
        mode: 'All',
        policyRule: {
          if: {
            allOf: [
              { field: 'type', equals: BACKENDS },
              { field: 'Microsoft.ApiManagement/service/backends/protocol', equals: 'soap' },
            ],
          },
          then: { effect: 'auditIfNotExists', details: { type: 'Microsoft.Insights/diagnosticSettings' } },
        },
      },
    }),
  );
  const r = check(aine, b);
  assert.equal(r.outcome, 'skip');
  assert.match(r.skips[0]!, /the if condition does not hold, so this auditIfNotExists definition does not apply/);
});
