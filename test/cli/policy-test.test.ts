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
    'backend.json': JSON.stringify({
      type: 'Microsoft.ApiManagement/service/backends',
      name: 'svc/b',
      properties: { url: 'https://b', protocol: 'http', tls: { validateCertificateChain: true, validateCertificateName: false } },
    }),
    'good.json': JSON.stringify({ type: 'Microsoft.ApiManagement/service/backends', name: 'svc/g', properties: { url: 'https://g', protocol: 'http' } }),
  });
  const bad = run(['policy', 'test', path.join(repoRoot(), CERT_POLICY), 'backend.json'], dir);
  assert.equal(bad.status, 1, bad.stderr);
  assert.match(bad.stdout, /NON-COMPLIANT \(effect Audit\)/);
  assert.match(
    bad.stdout,
    /decided by:\n.*\n {4}field 'Microsoft\.ApiManagement\/service\/backends\/tls\.validateCertificateName' at properties\.tls\.validateCertificateName is false: equals false/,
  );
  assert.match(
    bad.stdout,
    /false field 'Microsoft\.ApiManagement\/service\/backends\/tls\.validateCertificateChain' \(properties\.tls\.validateCertificateChain = true\) equals false/,
  );
  const good = run(['policy', 'test', path.join(repoRoot(), CERT_POLICY), 'good.json', '--format', 'json'], dir);
  assert.equal(good.status, 0, good.stderr);
  const report = JSON.parse(good.stdout);
  assert.equal(report.policy.id, '92bb331d-ac71-416a-8c91-02f2cb734ce4');
  assert.equal(report.results[0].outcome, 'compliant');
});

test('policy test: a bare rule with --param, and a template with its parameter file (findings at template lines)', () => {
  const dir = tempTree({
    'rule.json': JSON.stringify({ if: { field: 'location', notIn: "[parameters('allowed')]" }, then: { effect: 'deny' } }),
    'res.json': JSON.stringify({ type: 'Microsoft.ApiManagement/service', name: 's', location: 'East US 2' }),
  });
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
    'broken.json':
      '{\n  "properties": {\n    "mode": "All",\n    "policyRule": { "if": { "field": "type", "equals": "x", "in": ["y"] }, "then": { "effect": "audit" } }\n  }\n}\n',
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

test('policy test: a rule reading an undeclared parameter, or a required one with no value, is a clean error at the reference (never an internal error)', () => {
  const definition = (parameters: object, like: string) =>
    JSON.stringify(
      {
        properties: {
          displayName: 't',
          mode: 'All',
          parameters,
          policyRule: {
            if: {
              allOf: [
                { field: 'type', equals: 'Microsoft.ApiManagement/service/backends' },
                { field: 'Microsoft.ApiManagement/service/backends/url', like },
              ],
            },
            then: { effect: 'audit' },
          },
        },
      },
      null,
      2,
    );
  const dir = tempTree({
    'undeclared.json': definition({}, "[parameters('nope')]"),
    'required.json': definition({ allowed: { type: 'String' } }, "[parameters('allowed')]"),
    'computed.json': definition({}, "[parameters(concat('no', 'pe'))]"),
    'bare.json': JSON.stringify({ if: { field: 'name', like: "[parameters('nope')]" }, then: { effect: 'audit' } }),
    'backend.json': JSON.stringify({ type: 'Microsoft.ApiManagement/service/backends', properties: { url: 'http://x' } }),
    'main.json': JSON.stringify({
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      resources: [
        {
          type: 'Microsoft.ApiManagement/service/backends',
          apiVersion: '2023-05-01-preview',
          name: 'svc/b',
          properties: { url: 'http://x', protocol: 'http' },
        },
      ],
    }),
  });
  for (const resource of ['backend.json', 'main.json']) {
    const undeclared = run(['policy', 'test', 'undeclared.json', resource], dir);
    assert.equal(undeclared.status, 3, resource);
    assert.match(undeclared.stderr, /^undeclared\.json:\d+:\d+: error: the policy rule reads parameter 'nope', which the definition does not declare/);
    assert.doesNotMatch(undeclared.stderr, /internal error/);
    const required = run(['policy', 'test', 'required.json', resource], dir);
    assert.equal(required.status, 2, resource);
    assert.match(required.stderr, /^required\.json:\d+:\d+: error: parameter 'allowed' has no defaultValue and no value: give it with --param allowed=VALUE/);
    assert.equal(run(['policy', 'test', 'required.json', resource, '--param', 'allowed=http*'], dir).status, 1);
  }
  const at = run(['policy', 'test', 'undeclared.json', 'backend.json'], dir).stderr.match(/^undeclared\.json:(\d+):(\d+)/)!;
  const lines = definition({}, "[parameters('nope')]").split('\n');
  assert.equal(lines[Number(at[1]) - 1]!.slice(Number(at[2]) - 1).startsWith("parameters('nope')"), true);
  const computed = run(['policy', 'test', 'computed.json', 'backend.json'], dir);
  assert.equal(computed.status, 3);
  assert.match(computed.stderr, /^computed\.json: error: the definition has no parameter 'nope'/);
  const bare = run(['policy', 'test', 'bare.json', 'backend.json'], dir);
  assert.equal(bare.status, 2);
  assert.match(bare.stderr, /give it with --param nope=VALUE/);
});

test('policy test: suppressions written for other rules are not reported as unused (those rules do not run here)', () => {
  const dir = tempTree({
    'main.json': JSON.stringify({
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      resources: [
        {
          type: 'Microsoft.ApiManagement/service/backends',
          apiVersion: '2023-05-01-preview',
          name: 'svc/b',
          metadata: {
            tollgate: {
              suppress: [
                { rule: 'APIM-HTTPBackend', reason: 'partner is HTTP-only' },
                { rule: 'ee7495e7-3ba7-40b6-bfee-c29e22cc75d4', reason: 'another policy' },
              ],
            },
          },
          properties: { url: 'http://x', protocol: 'http', tls: { validateCertificateChain: false } },
        },
      ],
    }),
  });
  const r = run(['policy', 'test', path.join(repoRoot(), CERT_POLICY), 'main.json'], dir);
  assert.equal(r.status, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /matches no finding/);
});

test("policy test: parameters(…) inside a deployIfNotExists deployment template are that template's own, not undeclared policy parameters", () => {
  const dir = tempTree({
    'main.json': JSON.stringify({
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      resources: [
        {
          type: 'Microsoft.ApiManagement/service',
          apiVersion: '2023-05-01-preview',
          name: 'svc',
          location: 'westeurope',
          sku: { name: 'Developer', capacity: 1 },
          properties: { publisherEmail: 'a@b.c', publisherName: 'x' },
        },
      ],
    }),
  });
  const r = run(
    [
      'policy',
      'test',
      path.join(repoRoot(), 'catalog/policies/apim-related/DS_LA_apimanagement-service_DINE.json'),
      'main.json',
      '--param',
      'logAnalytics=/subscriptions/x/resourceGroups/y/providers/Microsoft.OperationalInsights/workspaces/z',
    ],
    dir,
  );
  assert.doesNotMatch(r.stderr, /does not declare/);
  assert.notEqual(r.status, 3, r.stderr);
  assert.match(r.stdout, /Microsoft\.ApiManagement\/service 'svc'/);
});

test('policy test: a Resource Provider mode definition is not applicable, with the reason and a warning, not an input error', () => {
  const dir = tempTree({
    'kv.json': JSON.stringify({
      name: 'kv-key-type',
      properties: {
        mode: 'Microsoft.KeyVault.Data',
        policyRule: { if: { field: 'Microsoft.KeyVault.Data/vaults/keys/keyType', notEquals: 'RSA' }, then: { effect: 'audit' } },
      },
    }),
    'vault.json': JSON.stringify({ type: 'Microsoft.KeyVault/vaults', name: 'v', location: 'westeurope' }),
  });
  const r = run(['policy', 'test', 'kv.json', 'vault.json', '--format', 'json'], dir);
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stderr,
    /warning: policy definition kv-key-type is not applicable to deployment templates: mode Microsoft\.KeyVault\.Data is a Resource Provider mode/,
  );
  const report = JSON.parse(r.stdout);
  assert.equal(report.results[0].outcome, 'not applicable');
  assert.match(report.results[0].why, /Resource Provider mode/);
});
