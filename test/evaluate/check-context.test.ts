// What a rule's check is given (src/evaluate/engine.ts, src/rules/define-rule.ts): the functions
// work when a rule takes them out of the context, and the clock is read only when a rule asks for
// it (a read makes the unit's outcome one of today, for the result cache). The contexts are
// classes with the clock as a prototype getter (an object literal with a getter, made for every
// rule and resource, was slow); these tests hold what rules and plugins may rely on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateResources } from '../../src/evaluate/engine.js';
import { DEFAULT_DEPLOYMENT, expandTemplate } from '../../src/arm/template/expand.js';
import { defineRule } from '../../src/rules/define-rule.js';
import type { Rule } from '../../src/rules/rule.js';
import { createPolicyRule } from '../../src/policy/policy-rule.js';
import { readPolicyDefinition } from '../../src/policy/definition.js';
import { doc, template } from '../helpers.js';

const STORAGE = 'Microsoft.Storage/storageAccounts';

function resources() {
  const t = template({
    resources: [
      { type: STORAGE, apiVersion: '2023-01-01', name: 'one', location: 'westeurope', properties: {} },
      { type: STORAGE, apiVersion: '2023-01-01', name: 'two', location: 'westeurope', properties: {} },
    ],
  });
  return { file: 'main.json', resources: expandTemplate(doc(t, 'main.json'), undefined, { deployment: DEFAULT_DEPLOYMENT }).resources };
}

const meta = { severity: 'low' as const, description: '', recommendation: '', equivalents: [], appliesTo: [STORAGE] };

test('check context: a rule may take report, skip and unknown out of the context, native or not', () => {
  const plain: Rule = {
    meta: { ...meta, id: 'PLAIN', title: 'plain', kind: 'native', level: 'warning' },
    enabled: true,
    check(resource, ctx) {
      const { report, skip, unknown } = ctx;
      if (resource.name === 'one') report({ path: 'properties', message: 'one is reported' });
      else if (resource.name === 'two') skip('two is skipped');
      else unknown('never');
    },
  };
  const native = defineRule({
    ...meta,
    id: 'NATIVE',
    title: 'native',
    messages: { said: '{{name}} is reported by id' },
    check(resource, ctx) {
      const { report, unknown } = ctx;
      if (resource.name === 'one') report({ path: 'properties', messageId: 'said', data: { name: resource.name } });
      else unknown('two is not known');
    },
  });
  const out = evaluateResources(resources(), [plain, native]);
  assert.deepEqual(
    out.results.map((r) => [r.ruleId, r.resource.name, r.outcome, r.reason]),
    [
      ['PLAIN', 'one', 'fail', undefined],
      ['NATIVE', 'one', 'fail', undefined],
      ['PLAIN', 'two', 'skip', 'two is skipped'],
      ['NATIVE', 'two', 'unknown', 'two is not known'],
    ],
  );
  assert.deepEqual(
    out.findings.map((f) => [f.ruleId, f.message]),
    [
      ['PLAIN', 'one is reported'],
      ['NATIVE', 'one is reported by id'],
    ],
  );
  assert.deepEqual(out.diagnostics, []);
});

test('check context: the clock is read only when a rule asks, once per evaluation, and --now is the clock when given', () => {
  const seen: (Date | undefined)[] = [];
  const reads = defineRule({
    ...meta,
    id: 'CLOCK',
    title: 'clock',
    check(resource, ctx) {
      if (resource.name === 'one') return;
      // Taken out of the context too: a getter's value, read there.
      const { now } = ctx;
      seen.push(now, ctx.now);
    },
  });
  const silent = defineRule({ ...meta, id: 'SILENT', title: 'silent', check: () => undefined });
  assert.equal(evaluateResources(resources(), [silent]).clockRead, undefined, 'no rule read the clock');
  const live = evaluateResources(resources(), [silent, reads]);
  assert.ok(live.clockRead instanceof Date, 'a rule read the live clock');
  assert.equal(seen.length, 2);
  assert.ok(
    seen.every((d) => d === live.clockRead),
    'one clock reading for the whole evaluation',
  );
  seen.length = 0;
  const given = new Date('2030-01-02T03:04:05Z');
  const fixed = evaluateResources(resources(), [reads], { now: given });
  assert.equal(fixed.clockRead, undefined, 'a given clock is not the live one');
  assert.deepEqual(seen, [given, given]);
});

test('check context: a policy definition reads the clock only when it calls utcNow()', () => {
  const definition = (name: string, value: string) =>
    readPolicyDefinition({
      name,
      properties: {
        displayName: name,
        mode: 'All',
        policyRule: {
          if: {
            allOf: [
              { field: 'type', equals: STORAGE },
              { value, equals: 'never' },
            ],
          },
          then: { effect: 'audit' },
        },
      },
    });
  const noClock = createPolicyRule(definition('no-clock', "[field('name')]"));
  const clock = createPolicyRule(definition('clock', '[utcNow()]'));
  assert.equal(evaluateResources(resources(), [noClock]).clockRead, undefined);
  const out = evaluateResources(resources(), [noClock, clock]);
  assert.ok(out.clockRead instanceof Date);
  assert.deepEqual(
    out.results.map((r) => r.outcome),
    ['pass', 'pass', 'pass', 'pass'],
  );
  // The clock given is the one utcNow() sees: a definition comparing it decides.
  const at = createPolicyRule(definition('at', "[if(equals(utcNow('yyyy'), '2030'), 'never', 'other')]"));
  assert.deepEqual(
    evaluateResources(resources(), [at], { now: new Date('2030-06-01T00:00:00Z') }).results.map((r) => r.outcome),
    ['fail', 'fail'],
  );
});
