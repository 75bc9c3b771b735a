import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot, tempTree } from '../helpers.js';

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
const run = (args: string[], cwd = repoRoot()) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};
const CERT_POLICY = 'catalog/policies/apim/BackendCertificateChecks_AuditDeny.json';

test('policy test: a raw resource, explained: outcome, deciding conditions with the values seen, every condition', () => {
  const dir = tempTree({
    'backend.json': JSON.stringify({ type: 'Microsoft.ApiManagement/service/backends', name: 'svc/b', properties: { url: 'https://b', protocol: 'http', tls: { validateCertificateChain: true, validateCertificateName: false } } }),
    'good.json': JSON.stringify({ type: 'Microsoft.ApiManagement/service/backends', name: 'svc/g', properties: { url: 'https://g', protocol: 'http' } }),
  });
  const bad = run(['policy', 'test', path.join(repoRoot(), CERT_POLICY), 'backend.json'], dir);
  assert.equal(bad.status, 1, bad.stderr);
  assert.match(bad.stdout, /NON-COMPLIANT \(effect Audit\)/);
  assert.match(bad.stdout, /decided by:\n.*\n {4}field 'Microsoft\.ApiManagement\/service\/backends\/tls\.validateCertificateName' at properties\.tls\.validateCertificateName is false: equals false/);
  assert.match(bad.stdout, /false field 'Microsoft\.ApiManagement\/service\/backends\/tls\.validateCertificateChain' \(properties\.tls\.validateCertificateChain = true\) equals false/);
  const good = run(['policy', 'test', path.join(repoRoot(), CERT_POLICY), 'good.json', '--format', 'json'], dir);
  assert.equal(good.status, 0, good.stderr);
  const report = JSON.parse(good.stdout);
  assert.equal(report.policy.id, '92bb331d-ac71-416a-8c91-02f2cb734ce4');
  assert.equal(report.results[0].outcome, 'compliant');
});

test('policy test: a bare rule with --param, and a template with its parameter file (findings at template lines)', () => {
  const dir = tempTree({ 'rule.json': JSON.stringify({ if: { field: 'location', notIn: "[parameters('allowed')]" }, then: { effect: 'deny' } }), 'res.json': JSON.stringify({ type: 'Microsoft.ApiManagement/service', name: 's', location: 'East US 2' }) });
  const allowed = run(['policy', 'test', 'rule.json', 'res.json', '--param', 'allowed=["eastus2"]'], dir);
  assert.equal(allowed.status, 0, allowed.stdout + allowed.stderr);
  assert.match(allowed.stdout, /COMPLIANT: the if condition is false/);
  const denied = run(['policy', 'test', 'rule.json', 'res.json', '--param', 'allowed=["westeurope"]'], dir);
  assert.equal(denied.status, 1);
  const tpl = run(['policy', 'test', CERT_POLICY, 'examples/noncompliant/apim.json', '-p', 'examples/noncompliant/apim.parameters.json', '--effect', 'Deny']);
  assert.equal(tpl.status, 1, tpl.stderr);
  assert.match(tpl.stdout, /effect Deny/);
  assert.match(tpl.stdout, /'apim-\w+\/payments' at examples\/noncompliant\/apim\.json:\d+:\d+\n {2}NON-COMPLIANT \(effect Deny\)/);
});

test('policy test: bad input is a clear error with its position (exit 3); bad usage is exit 2', () => {
  const dir = tempTree({
    'broken.json': '{\n  "properties": {\n    "mode": "All",\n    "policyRule": { "if": { "field": "type", "equals": "x", "in": ["y"] }, "then": { "effect": "audit" } }\n  }\n}\n',
    'notjson.json': '{ "type": ',
    'rule.json': JSON.stringify({ if: { field: 'type', equals: 'x' }, then: { effect: 'audit' } }),
  });
  const broken = run(['policy', 'test', 'broken.json', 'rule.json'], dir);
  assert.equal(broken.status, 3);
  assert.match(broken.stderr, /^broken\.json:4:\d+: error: cannot compile policy definition/m);
  const notJson = run(['policy', 'test', 'rule.json', 'notjson.json'], dir);
  assert.equal(notJson.status, 3);
  assert.match(notJson.stderr, /notjson\.json:1:\d+: error/);
  assert.equal(run(['policy', 'test', 'rule.json', 'rule.json', '--param', 'novalue'], dir).status, 2);
});

test('policy test: a Resource Provider mode definition is not applicable, with the reason and a warning, not an input error', () => {
  const dir = tempTree({
    'kv.json': JSON.stringify({ name: 'kv-key-type', properties: { mode: 'Microsoft.KeyVault.Data', policyRule: { if: { field: 'Microsoft.KeyVault.Data/vaults/keys/keyType', notEquals: 'RSA' }, then: { effect: 'audit' } } } }),
    'vault.json': JSON.stringify({ type: 'Microsoft.KeyVault/vaults', name: 'v', location: 'westeurope' }),
  });
  const r = run(['policy', 'test', 'kv.json', 'vault.json', '--format', 'json'], dir);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /warning: policy definition kv-key-type is not applicable to deployment templates: mode Microsoft\.KeyVault\.Data is a Resource Provider mode/);
  const report = JSON.parse(r.stdout);
  assert.equal(report.results[0].outcome, 'not applicable');
  assert.match(report.results[0].why, /Resource Provider mode/);
});
