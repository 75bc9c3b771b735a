import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AssertionError } from 'node:assert';
import { defineRule } from '../../src/rules/define-rule.js';
import { getPath, isUnknown } from '../../src/resources/value.js';
import { RuleTester, type RuleTestCases } from '../../src/testing/index.js';
import { bicepFile, exportFile } from '../../src/testing/shapes.js';

// A rule with every outcome: fails on http, skips without a url, undecided on an unknown url.
const rule = defineRule({
  id: 'Test-Https',
  title: 'urls are https',
  severity: 'high',
  description: 'd',
  recommendation: 'r',
  appliesTo: ['Microsoft.Web/sites'],
  messages: { plain: "Site '{{name}}' uses {{url}}" },
  check(resource, ctx) {
    const url = getPath(resource.body, 'properties.url');
    if (isUnknown(url)) return ctx.unknown('url unknown');
    if (typeof url !== 'string') return ctx.skip('no url');
    if (url.startsWith('http:')) ctx.report({ path: 'properties.url', messageId: 'plain', data: { name: resource.name, url } });
  },
});
const site = (properties: object) => ({ type: 'Microsoft.Web/sites', apiVersion: '2023-01-01', name: 'web', properties });

/** Runs the tester with hooks that collect the tests instead of registering them, then runs each. */
function outcomes(cases: RuleTestCases): { name: string; error?: string; skipped?: string }[] {
  const out: { name: string; error?: string; skipped?: string }[] = [];
  class Collecting extends RuleTester {
    static override describe = (_name: string, fn: () => void | Promise<void>) => void fn();
    static override it = (name: string, fn: () => void | Promise<void>) => {
      try {
        void fn();
        out.push({ name });
      } catch (err) {
        assert.ok(err instanceof AssertionError, `a failing case throws an AssertionError, not ${String(err)}`);
        out.push({ name, error: err.message });
      }
    };
    static override skip = (name: string, reason: string) => void out.push({ name, skipped: reason });
  }
  new Collecting().run('Test-Https', rule, cases);
  return out;
}

test('correct cases pass in all three shapes', () => {
  const runs = outcomes({
    valid: [{ resource: site({ url: 'https://x' }) }],
    invalid: [{ resource: site({ url: 'http://x' }), errors: [{ messageId: 'plain', path: 'properties.url', message: "Site 'web' uses http://x" }] }],
    undecided: [{ resource: site({ url: "[parameters('u')]" }), parameters: { u: { type: 'string' } } }],
    notApplicable: [{ resource: site({}) }, { name: 'another type', resource: { type: 'Microsoft.Web/serverfarms', apiVersion: '2023-01-01', name: 'plan' } }],
  });
  assert.deepEqual(
    runs.map((r) => [r.name, r.error]),
    [
      ['valid #1 [arm]', undefined],
      ['valid #1 [bicep]', undefined],
      ['valid #1 [export]', undefined],
      ['invalid #1 [arm]', undefined],
      ['invalid #1 [bicep]', undefined],
      ['invalid #1 [export]', undefined],
      // ARM expressions exist only in templates: the other shapes are not made for this case.
      ['undecided #1 [arm]', undefined],
      ['notApplicable #1 [arm]', undefined],
      ['notApplicable #1 [bicep]', undefined],
      ['notApplicable #1 [export]', undefined],
      ['notApplicable #2 (another type) [arm]', undefined],
      ['notApplicable #2 (another type) [bicep]', undefined],
      ['notApplicable #2 (another type) [export]', undefined],
    ],
  );
});

test('wrong cases fail, naming the case, the shape and what differs', () => {
  const runs = outcomes({
    valid: [{ name: 'actually http', resource: site({ url: 'http://x' }), shapes: ['bicep'] }],
    invalid: [
      { name: 'wrong id', resource: site({ url: 'http://x' }), errors: [{ messageId: 'other' }], shapes: ['export'] },
      { name: 'wrong count', resource: site({ url: 'http://x' }), errors: 2, shapes: ['arm'] },
      { name: 'wrong path', resource: site({ url: 'http://x' }), errors: [{ path: 'properties.uri' }], shapes: ['arm'] },
      { name: 'wrong text', resource: site({ url: 'http://x' }), errors: [{ message: /https/ }], shapes: ['arm'] },
      { name: 'passes', resource: site({ url: 'https://x' }), errors: 1, shapes: ['arm'] },
      {
        name: 'wrong line',
        bicep: "resource s 'Microsoft.Web/sites@2023-01-01' = {\n  name: 'web'\n  properties: {\n    url: 'http://x'\n  }\n}\n",
        errors: [{ messageId: 'plain', line: 3 }],
      },
    ],
    undecided: [{ name: 'decided', resource: site({ url: 'https://x' }), shapes: ['arm'] }],
    notApplicable: [{ name: 'applies', resource: site({ url: 'http://x' }), shapes: ['arm'] }],
  });
  const error = (name: string) => runs.find((r) => r.name === name)?.error ?? '';
  assert.match(error('valid #1 (actually http) [bicep]'), /^Test-Https › valid #1 \(actually http\) \[bicep\]: expected the rule to pass, got fail/);
  assert.match(error('invalid #1 (wrong id) [export]'), /\[export\]: finding 1: the rule has no message 'other' \(it has: plain\)/);
  assert.match(error('invalid #2 (wrong count) [arm]'), /expected 2 findings, got 1/);
  assert.match(error('invalid #3 (wrong path) [arm]'), /expected path 'properties.uri', got 'properties.url'/);
  assert.match(error('invalid #4 (wrong text) [arm]'), /expected a message matching \/https\/, got "Site 'web' uses http:\/\/x"/);
  assert.match(error('invalid #5 (passes) [arm]'), /expected the rule to fail, got pass/);
  assert.match(error('invalid #6 (wrong line) [bicep]'), /expected line 3, got 4/);
  assert.match(error('undecided #1 (decided) [arm]'), /expected the rule to be undecided \(unknown\), got pass/);
  assert.match(error('notApplicable #1 (applies) [arm]'), /expected the rule not to apply/);
  // The failure shows what the rule did and the input, numbered, so the case can be fixed.
  assert.match(error('invalid #6 (wrong line) [bicep]'), /finding: line 4, path properties\.url, messageId plain: Site 'web' uses http:\/\/x/);
  assert.match(error('invalid #6 (wrong line) [bicep]'), / {2}4 \| {5}url: 'http:\/\/x'/);
  assert.equal(runs.filter((r) => r.error).length, 9);
});

test('an input that does not load is a failure, not a pass', () => {
  const runs = outcomes({
    valid: [{ name: 'broken', template: '{ "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "resources": [' }],
  });
  assert.equal(runs.length, 1);
  assert.match(runs[0]!.error ?? '', /valid #1 \(broken\) \[arm\]: the input did not load cleanly/);
});

test('bad options fail the case with the schema problem', () => {
  const withOptions = defineRule({
    ...rule.meta,
    messages: {},
    optionsSchema: { type: 'object', properties: { n: { type: 'integer' } }, additionalProperties: false },
    check: () => undefined,
  });
  const out: string[] = [];
  class Collecting extends RuleTester {
    static override describe = (_n: string, fn: () => void | Promise<void>) => void fn();
    static override it = (_n: string, fn: () => void | Promise<void>) => {
      try {
        void fn();
      } catch (err) {
        out.push((err as Error).message);
      }
    };
  }
  new Collecting().run('x', withOptions, { valid: [{ resource: site({}), options: { n: 'three', m: 1 }, shapes: ['arm'] }] });
  assert.match(out[0] ?? '', /options: options\.m: unknown option/);
  assert.match(out[0] ?? '', /options: options\.n must be integer/);
});

test('a shape the case cannot be written in is skipped with the reason when asked for', () => {
  const runs = outcomes({ undecided: [{ resource: site({ url: "[parameters('u')]" }), parameters: { u: { type: 'string' } }, shapes: ['arm', 'bicep'] }] });
  assert.equal(runs[1]!.name, 'undecided #1 [bicep]');
  assert.match(runs[1]!.skipped ?? '', /holds the ARM expression/);
});

test('the synthesised Bicep and export are what a user would write', () => {
  const r = {
    type: 'Microsoft.ApiManagement/service/apis',
    apiVersion: '2023-05-01-preview',
    name: 'svc/a',
    properties: { path: 'a', "it's": 'x${y}', list: [1, true, null] },
  };
  assert.equal(
    bicepFile([r]),
    [
      "resource r0 'Microsoft.ApiManagement/service/apis@2023-05-01-preview' = {",
      "  name: 'svc/a'",
      '  properties: {',
      "    path: 'a'",
      "    'it\\'s': 'x\\${y}'",
      '    list: [',
      '      1',
      '      true',
      '      null',
      '    ]',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  const exported = JSON.parse(exportFile([r])) as { id: string; name: string }[];
  assert.equal(
    exported[0]!.id,
    '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-tollgate-test/providers/Microsoft.ApiManagement/service/svc/apis/a',
  );
  assert.equal(exported[0]!.name, 'a');
});
