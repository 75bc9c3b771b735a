import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRuleSet, scan } from '../../src/scan.js';
import { template, tempTree } from '../helpers.js';

// Every shipped definition against a resource it should fail and one it should pass (or, where
// the answer lives outside the deployment, the unknown it must give), through a whole scan.
const S = 'Microsoft.ApiManagement/service';
const V = '2023-05-01-preview';
const service = (props: Record<string, unknown> = {}, top: Record<string, unknown> = {}) => ({
  type: S,
  apiVersion: V,
  name: 'svc',
  location: 'westeurope',
  sku: { name: 'Premium', capacity: 2 },
  zones: ['1', '2'],
  ...top,
  properties: {
    publisherEmail: 'a@b.c',
    publisherName: 'x',
    virtualNetworkType: 'Internal',
    platformVersion: 'stv2',
    apiVersionConstraint: { minApiVersion: '2021-08-01' },
    ...props,
  },
});
const child = (type: string, name: string, properties: Record<string, unknown>) => ({ type: `${S}/${type}`, apiVersion: V, name: `svc/${name}`, properties });
const BASE = '<policies><inbound><base /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>';
const LA = '/subscriptions/x/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/ws';
const diag = (logs: unknown[], extra: Record<string, unknown>) => ({
  type: 'Microsoft.Insights/diagnosticSettings',
  apiVersion: '2021-05-01-preview',
  name: 'setByPolicy',
  scope: `[resourceId('${S}', 'svc')]`,
  dependsOn: [`[resourceId('${S}', 'svc')]`],
  properties: { logs, ...extra },
});

interface Case {
  id: string;
  resources: unknown[];
  /** The resource (name) the outcome is about. */
  target: string;
  outcome: 'fail' | 'pass' | 'unknown';
}

const cases: Case[] = [
  {
    id: '3aa03346-d8c5-4994-a5bc-7652c2a2aef1',
    resources: [service(), child('subscriptions', 'all', { scope: '/apis', state: 'active', displayName: 'all' })],
    target: 'svc/all',
    outcome: 'fail',
  },
  {
    id: '3aa03346-d8c5-4994-a5bc-7652c2a2aef1',
    resources: [service(), child('subscriptions', 'one', { scope: '/products/starter', state: 'active', displayName: 'one' })],
    target: 'svc/one',
    outcome: 'pass',
  },
  { id: '73ef9241-5d81-4cd4-b483-8443d1730fe5', resources: [service({}, { sku: { name: 'Basic', capacity: 1 } })], target: 'svc', outcome: 'fail' },
  { id: '73ef9241-5d81-4cd4-b483-8443d1730fe5', resources: [service()], target: 'svc', outcome: 'pass' },
  {
    id: 'c15dcc82-b93c-4dcb-9332-fbf121685b54',
    resources: [service(), child('backends', 'b', { url: 'https://b', protocol: 'http' })],
    target: 'svc/b',
    outcome: 'fail',
  },
  {
    id: 'c15dcc82-b93c-4dcb-9332-fbf121685b54',
    resources: [
      service(),
      child('backends', 'b', { url: 'https://b', protocol: 'http', credentials: { authorization: { scheme: 'Bearer', parameter: '{{token}}' } } }),
    ],
    target: 'svc/b',
    outcome: 'pass',
  },
  {
    id: '92bb331d-ac71-416a-8c91-02f2cb734ce4',
    resources: [service(), child('backends', 'b', { url: 'https://b', protocol: 'http', tls: { validateCertificateChain: false } })],
    target: 'svc/b',
    outcome: 'fail',
  },
  {
    id: '92bb331d-ac71-416a-8c91-02f2cb734ce4',
    resources: [service(), child('backends', 'b', { url: 'https://b', protocol: 'http' })],
    target: 'svc/b',
    outcome: 'pass',
  },
  {
    id: 'd5448c98-e503-4fdd-bcd2-784960c00d04',
    resources: [
      service(),
      child('apis/policies', 'a/policy', {
        format: 'rawxml',
        value: '<policies><inbound /><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>',
      }),
    ],
    target: 'svc/a/policy',
    outcome: 'fail',
  },
  {
    id: 'd5448c98-e503-4fdd-bcd2-784960c00d04',
    resources: [service(), child('apis/policies', 'a/policy', { format: 'rawxml', value: BASE })],
    target: 'svc/a/policy',
    outcome: 'pass',
  },
  {
    id: '1b0d74ac-4b43-4c39-a15f-594385adc38d',
    resources: [service(), child('portalconfigs', 'default', { enableBasicAuth: true })],
    target: 'svc/default',
    outcome: 'fail',
  },
  {
    id: '1b0d74ac-4b43-4c39-a15f-594385adc38d',
    resources: [service(), child('portalconfigs', 'default', { enableBasicAuth: false })],
    target: 'svc/default',
    outcome: 'pass',
  },
  {
    id: 'ffe25541-3853-4f4e-b71d-064422294b11',
    resources: [service(), child('portalconfigs', 'default', { enableBasicAuth: true })],
    target: 'svc/default',
    outcome: 'fail',
  },
  {
    id: 'ffe25541-3853-4f4e-b71d-064422294b11',
    resources: [service(), child('portalconfigs', 'default', { enableBasicAuth: false })],
    target: 'svc/default',
    outcome: 'pass',
  },
  { id: 'b741306c-968e-4b67-b916-5675e5c709f4', resources: [service(), child('tenant', 'access', { enabled: true })], target: 'svc/access', outcome: 'fail' },
  { id: 'b741306c-968e-4b67-b916-5675e5c709f4', resources: [service(), child('tenant', 'access', { enabled: false })], target: 'svc/access', outcome: 'pass' },
  {
    id: 'ee7495e7-3ba7-40b6-bfee-c29e22cc75d4',
    resources: [service(), child('apis', 'a', { path: 'a', protocols: ['https', 'ws'] })],
    target: 'svc/a',
    outcome: 'fail',
  },
  {
    id: 'ee7495e7-3ba7-40b6-bfee-c29e22cc75d4',
    resources: [service(), child('apis', 'a', { path: 'a', protocols: ['https'] })],
    target: 'svc/a',
    outcome: 'pass',
  },
  {
    id: '549814b6-3212-4203-bdc8-1548d342fb67',
    resources: [service({ apiVersionConstraint: { minApiVersion: '2019-01-01' } })],
    target: 'svc',
    outcome: 'fail',
  },
  { id: '549814b6-3212-4203-bdc8-1548d342fb67', resources: [service()], target: 'svc', outcome: 'pass' },
  {
    id: 'f1cc7827-022c-473e-836e-5a51cae0b249',
    resources: [service(), child('namedValues', 'nv', { displayName: 'nv', secret: true, value: 'x' })],
    target: 'svc/nv',
    outcome: 'fail',
  },
  {
    id: 'f1cc7827-022c-473e-836e-5a51cae0b249',
    resources: [
      service(),
      child('namedValues', 'nv', { displayName: 'nv', secret: true, keyVault: { secretIdentifier: 'https://kv.vault.azure.net/secrets/nv' } }),
    ],
    target: 'svc/nv',
    outcome: 'pass',
  },
  { id: '1dc2fc00-2245-4143-99f4-874c937f13ef', resources: [service({ platformVersion: 'stv1' })], target: 'svc', outcome: 'fail' },
  { id: '1dc2fc00-2245-4143-99f4-874c937f13ef', resources: [service()], target: 'svc', outcome: 'pass' },
  // auditIfNotExists / deployIfNotExists: the tenant access resource in the deployment decides; without it, unknown.
  { id: 'df73bd95-24da-4a4f-96b9-4e8b94b402bd', resources: [service(), child('tenant', 'access', { enabled: true })], target: 'svc', outcome: 'fail' },
  { id: 'df73bd95-24da-4a4f-96b9-4e8b94b402bd', resources: [service(), child('tenant', 'access', { enabled: false })], target: 'svc', outcome: 'pass' },
  { id: 'df73bd95-24da-4a4f-96b9-4e8b94b402bd', resources: [service()], target: 'svc', outcome: 'unknown' },
  { id: '7ca8c8ac-3a6e-493d-99ba-c5fa35347ff2', resources: [service(), child('tenant', 'access', { enabled: true })], target: 'svc', outcome: 'fail' },
  { id: '7ca8c8ac-3a6e-493d-99ba-c5fa35347ff2', resources: [service(), child('tenant', 'access', { enabled: false })], target: 'svc', outcome: 'pass' },
  { id: '7ca8c8ac-3a6e-493d-99ba-c5fa35347ff2', resources: [service()], target: 'svc', outcome: 'unknown' },
  { id: 'ef619a2c-cc4d-4d03-b2ba-8c94a834d85b', resources: [service({ virtualNetworkType: 'None' })], target: 'svc', outcome: 'fail' },
  { id: 'ef619a2c-cc4d-4d03-b2ba-8c94a834d85b', resources: [service()], target: 'svc', outcome: 'pass' },
  {
    id: 'Deny-APIM-TLS',
    resources: [service({ customProperties: { 'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls11': 'True' } })],
    target: 'svc',
    outcome: 'fail',
  },
  {
    id: 'Deny-APIM-TLS',
    resources: [service({ customProperties: { 'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls11': 'False' } })],
    target: 'svc',
    outcome: 'pass',
  },
  // Defender for Cloud assessments exist only in Azure.
  {
    id: '8ac833bd-f505-48d5-887e-c993a1d3eea0',
    resources: [service(), child('apis/operations', 'a/get', { method: 'GET', urlTemplate: '/' })],
    target: 'svc/a/get',
    outcome: 'unknown',
  },
  {
    id: 'c8acafaf-3d23-44d1-9624-978ef0f8652c',
    resources: [service(), child('apis/operations', 'a/get', { method: 'GET', urlTemplate: '/' })],
    target: 'svc/a/get',
    outcome: 'unknown',
  },
  {
    id: '42daa904-5969-47ef-92cb-b75df946195a',
    resources: [service({}, { sku: { name: 'Developer', capacity: 1 }, zones: [] })],
    target: 'svc',
    outcome: 'fail',
  },
  { id: '42daa904-5969-47ef-92cb-b75df946195a', resources: [service()], target: 'svc', outcome: 'pass' },
  // Diagnostic settings, once given a destination: a setting in the deployment that satisfies the
  // condition makes it compliant; without one, or with only settings that fail, unknown (the
  // definition matches any diagnostic setting of the service, and one outside the deployment may).
  { id: '567c93f7-3661-494f-a30f-0a94d9bfebf8', resources: [service()], target: 'svc', outcome: 'unknown' },
  {
    id: '567c93f7-3661-494f-a30f-0a94d9bfebf8',
    resources: [
      service(),
      diag(
        [
          { categoryGroup: 'audit', enabled: true },
          { categoryGroup: 'allLogs', enabled: false },
        ],
        { workspaceId: LA },
      ),
    ],
    target: 'svc',
    outcome: 'pass',
  },
  {
    id: '567c93f7-3661-494f-a30f-0a94d9bfebf8',
    resources: [service(), diag([{ categoryGroup: 'allLogs', enabled: true }], { workspaceId: LA })],
    target: 'svc',
    outcome: 'unknown',
  },
  { id: '3a8ff864-d881-44ce-bed3-0c63ede634cb', resources: [service()], target: 'svc', outcome: 'unknown' },
  { id: '6f3f5778-f809-4755-9d8f-bd5a5a7add85', resources: [service()], target: 'svc', outcome: 'unknown' },
];

const ruleSet = loadRuleSet(
  { '549814b6-3212-4203-bdc8-1548d342fb67': 'Audit' },
  {
    '567c93f7-3661-494f-a30f-0a94d9bfebf8': { parameters: { logAnalytics: LA } },
    '3a8ff864-d881-44ce-bed3-0c63ede634cb': { parameters: { resourceLocation: 'westeurope', eventHubAuthorizationRuleId: '/x/authorizationRules/r' } },
    '6f3f5778-f809-4755-9d8f-bd5a5a7add85': { parameters: { resourceLocation: 'westeurope', storageAccount: '/x/storageAccounts/s' } },
  },
  // The API Management pack alone: these are its cases (the benchmark's are in builtin-catalog.test.ts).
  { defaults: ['apim'] },
);

test('every shipped definition has a failing and a passing (or unknown) case here', () => {
  const shipped = ruleSet.rules.filter((r) => r.meta.kind === 'policy').map((r) => r.meta.id);
  assert.equal(shipped.length, 22);
  for (const id of shipped)
    assert.ok(
      cases.some((c) => c.id === id),
      id,
    );
  assert.ok(
    ruleSet.rules.filter((r) => r.meta.kind === 'policy').every((r) => r.enabled),
    'all run with the parameters and effect given',
  );
});

for (const [i, c] of cases.entries()) {
  test(`${c.id} ${c.outcome}s on ${c.target} (case ${i + 1})`, () => {
    const dir = tempTree({ 'main.json': template({ resources: c.resources }) });
    const out = scan({ paths: [dir], cwd: dir, ruleSet });
    const errors = out.diagnostics.filter((d) => d.severity === 'error');
    assert.deepEqual(errors, []);
    const result = out.results.find((r) => r.ruleId === c.id && r.resource.name === c.target);
    assert.ok(
      result,
      `no result of ${c.id} for ${c.target}: ${out.results
        .filter((r) => r.ruleId === c.id)
        .map((r) => `${r.resource.name} ${r.outcome} ${r.reason ?? ''}`)
        .join('; ')}`,
    );
    assert.equal(result.outcome, c.outcome, result.reason ?? result.findings[0]?.message);
  });
}
