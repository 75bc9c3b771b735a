import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRuleSet, scan } from '../../src/scan.js';
import { template, tempTree } from '../helpers.js';

const insecureBackend = {
  type: 'Microsoft.ApiManagement/service/backends',
  apiVersion: '2023-05-01-preview',
  name: 'svc/b',
  properties: { url: 'http://x.example.com', protocol: 'http' },
};

test('rule settings: disable by id or equivalent id, override level and severity; a key naming no rule is an error', () => {
  const dir = tempTree({ 'main.json': template({ resources: [insecureBackend] }) });
  const off = loadRuleSet({}, { 'Azure.APIM.HTTPBackend': { enabled: false } });
  assert.deepEqual(off.effectErrors, []);
  assert.equal(scan({ paths: [dir], cwd: dir, ruleSet: off }).findings.filter((f) => f.ruleId === 'APIM-HTTPBackend').length, 0);

  const softer = loadRuleSet({}, { 'APIM-HTTPBackend': { level: 'warning', severity: 'medium' } });
  const f = scan({ paths: [dir], cwd: dir, ruleSet: softer }).findings.find((x) => x.ruleId === 'APIM-HTTPBackend');
  assert.equal(f?.level, 'warning');
  assert.equal(f?.severity, 'medium');
  // The shipped rule objects are not changed by one scan's configuration.
  assert.equal(loadRuleSet().rules.find((r) => r.meta.id === 'APIM-HTTPBackend')?.meta.level, 'error');

  assert.match(loadRuleSet({}, { 'APIM-Typo': { enabled: false } }).effectErrors.join('\n'), /rules\.APIM-Typo: no rule has that id/);
});

test('rule options from the configuration reach the rule', () => {
  const seen: unknown[] = [];
  const base = loadRuleSet({}, { 'APIM-HTTPBackend': { options: { minimumDays: 45 } } });
  assert.deepEqual(base.options?.['APIM-HTTPBackend'], { minimumDays: 45 });
  const probe = {
    meta: { ...base.rules[0]!.meta, id: 'probe', appliesTo: ['A.B/c'] },
    enabled: true,
    check: (_r: unknown, ctx: { options: unknown }) => void seen.push(ctx.options),
  };
  const dir = tempTree({ 'main.json': template({ resources: [{ type: 'A.B/c', apiVersion: 'x', name: 'r' }] }) });
  scan({ paths: [dir], cwd: dir, ruleSet: { rules: [probe], options: { probe: { x: 1 } }, diagnostics: [], effectErrors: [] } });
  assert.deepEqual(seen, [{ x: 1 }]);
});

test('configured parameter values fill required parameters by template glob; files and defaults still win', () => {
  const t = template({
    parameters: { backendUrl: { type: 'string' }, protocol: { type: 'string', defaultValue: 'http' } },
    resources: [{ ...insecureBackend, properties: { url: "[parameters('backendUrl')]", protocol: "[parameters('protocol')]" } }],
  });
  const dir = tempTree({ 'infra/main.json': t, 'other/main.json': t });
  const out = scan({
    paths: [dir],
    cwd: dir,
    parameterDefaults: [{ files: 'infra/', values: { backendUrl: 'http://configured.example.com', protocol: 'https' } }],
  });
  const byFile = (file: string) => out.findings.filter((f) => f.ruleId === 'APIM-HTTPBackend' && f.file === file);
  assert.equal(byFile('infra/main.json').length, 1);
  assert.match(byFile('infra/main.json')[0]!.message, /configured\.example\.com/);
  // other/ has no configured value: the URL is unknown, so nothing is claimed about it.
  assert.equal(byFile('other/main.json').length, 0);
});

test('--rules all leaves off a definition whose parameter has no default, with a note once per definition, instead of failing on every resource', async () => {
  const { repoRoot } = await import('../helpers.js');
  const path = await import('node:path');
  const examples = path.join(repoRoot(), 'examples/compliant');
  const out = scan({ paths: [examples], cwd: examples, ruleSet: loadRuleSet({}, {}, { all: true }) });
  assert.deepEqual(
    out.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message),
    [],
  );
  assert.deepEqual(
    out.results.filter((r) => r.outcome === 'error'),
    [],
  );
  const notes = out.diagnostics.filter((d) => d.code === 'rule-not-run');
  assert.ok(notes.every((d) => d.severity === 'info'));
  const needsLocation = notes.filter((d) => d.message.startsWith('policy 3a8ff864-d881-44ce-bed3-0c63ede634cb '));
  assert.equal(needsLocation.length, 1);
  assert.match(needsLocation[0]!.message, /not run: needs parameters? .*'resourceLocation'/);
  // Given its parameters, the definition runs under --rules all.
  const given = loadRuleSet(
    {},
    { '3a8ff864-d881-44ce-bed3-0c63ede634cb': { parameters: { resourceLocation: 'eastus', eventHubAuthorizationRuleId: '/x', eventHubName: 'h' } } },
    { all: true },
  );
  assert.ok(given.rules.find((r) => r.meta.id === '3a8ff864-d881-44ce-bed3-0c63ede634cb')?.enabled);
  assert.ok(!given.diagnostics.some((d) => d.message.startsWith('policy 3a8ff864-d881-44ce-bed3-0c63ede634cb ')));
});
