import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scan } from '../../src/scan.js';
import { loadInputs } from '../../src/input/load-inputs.js';
import { classify } from '../../src/input/classify.js';
import { defineRule } from '../../src/rules/define-rule.js';
import type { Rule } from '../../src/rules/rule.js';
import { exitCodeFor } from '../../src/cli/exit-code.js';
import { template, tempTree } from '../helpers.js';

const BACKEND = 'Microsoft.ApiManagement/service/backends';

// Reports every backend whose url is http: (a stand-in for any rule that finds something).
const httpRule: Rule = defineRule({
  id: 'TEST-HTTP',
  title: 'http backend',
  severity: 'high',
  description: '',
  recommendation: '',
  equivalents: [],
  appliesTo: [BACKEND],
  check: (r, ctx) => {
    const url = (r.body['properties'] as Record<string, unknown> | undefined)?.['url'];
    if (typeof url === 'string' && url.startsWith('http:')) ctx.report({ path: 'properties.url', message: `http backend ${r.name}` });
  },
});

const backend = (name: string, url: unknown) => ({ type: BACKEND, apiVersion: '2022-08-01', name, properties: { url } });

test('a unit whose expansion throws (a bug) is an internal-error diagnostic for its file; the other files are still scanned and reported', () => {
  const dir = tempTree({
    'bad.json': template({ parameters: { settings: { type: 'object' } }, resources: [backend('svc/bad', "[parameters('settings').url]")] }),
    'good.json': template({ resources: [backend('svc/good', 'http://good')] }),
  });
  // A parameter value whose property read throws, as a bug deep in the expander would.
  const poisoned = {
    get url(): string {
      throw new TypeError('simulated bug');
    },
  };
  for (const debug of [false, true]) {
    const out = scan({
      paths: [dir],
      cwd: dir,
      debug,
      ruleSet: { rules: [httpRule], diagnostics: [], effectErrors: [] },
      parameterDefaults: [{ files: 'bad.json', values: { settings: poisoned } }],
    });
    const internal = out.diagnostics.filter((d) => d.code === 'internal-error');
    assert.equal(internal.length, 1, JSON.stringify(out.diagnostics));
    assert.equal(internal[0]!.file, 'bad.json');
    assert.equal(internal[0]!.severity, 'error');
    assert.equal(internal[0]!.message, 'internal error while scanning: simulated bug');
    // The stack is kept only when asked for (--debug).
    assert.equal(internal[0]!.stack !== undefined, debug);
    if (debug) assert.match(internal[0]!.stack!, /TypeError: simulated bug/);
    assert.deepEqual(
      out.findings.map((f) => `${f.ruleId} ${f.resource.name}`),
      ['TEST-HTTP svc/good'],
    );
    // The failed unit leaves nothing half-done behind: no unit entry, no rule results.
    assert.deepEqual(
      out.units.map((u) => u.file),
      ['good.json'],
    );
    assert.ok(out.results.every((r) => r.file === 'good.json'));
    assert.equal(exitCodeFor(out), 3);
  }
});

test('a rule that throws on one resource is an error for that rule and resource only: other rules and resources keep their findings', () => {
  const dir = tempTree({ 'main.json': template({ resources: [backend('svc/a', 'http://a'), backend('svc/b', 'http://b')] }) });
  const throwing: Rule = defineRule({
    id: 'TEST-THROWS',
    title: 'throws on b',
    severity: 'medium',
    description: '',
    recommendation: '',
    equivalents: [],
    appliesTo: [BACKEND],
    check: (r, ctx) => {
      if (r.name === 'svc/b') throw new RangeError('rule bug');
      ctx.report({ path: 'properties.url', message: `seen ${r.name}` });
    },
  });
  const out = scan({ paths: [dir], cwd: dir, ruleSet: { rules: [throwing, httpRule], diagnostics: [], effectErrors: [] } });
  assert.deepEqual(out.findings.map((f) => `${f.ruleId} ${f.resource.name}`).sort(), ['TEST-HTTP svc/a', 'TEST-HTTP svc/b', 'TEST-THROWS svc/a']);
  const errored = out.results.filter((r) => r.outcome === 'error');
  assert.deepEqual(
    errored.map((r) => `${r.ruleId} ${r.resource.name}`),
    ['TEST-THROWS svc/b'],
  );
  assert.ok(out.diagnostics.some((d) => d.code === 'rule-error' && d.message.includes('rule bug') && d.file === 'main.json'));
  assert.equal(exitCodeFor(out), 3);
});

test('a file whose reading throws (a bug in a loader) is an internal-error diagnostic naming it; the other files are still loaded', () => {
  const dir = tempTree({
    'a.json': template({ resources: [backend('svc/a', 'http://a')] }),
    'b.json': template({ resources: [backend('svc/b', 'http://b')] }),
  });
  const inputs = loadInputs({
    paths: [dir],
    cwd: dir,
    classify: (candidate, cwd) => {
      if (candidate.absPath.endsWith('a.json')) throw new TypeError("Cannot read properties of undefined (reading 'length')");
      return classify(candidate, cwd);
    },
  });
  assert.deepEqual(
    inputs.units.map((u) => u.file.path),
    ['b.json'],
  );
  assert.deepEqual(
    inputs.diagnostics.map((d) => [d.code, d.file, d.message]),
    [['internal-error', 'a.json', "internal error while scanning: Cannot read properties of undefined (reading 'length')"]],
  );
});
