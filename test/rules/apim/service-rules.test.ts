import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_DEPLOYMENT, expandTemplate } from '../../../src/arm/template/expand.js';
import { evaluateResources } from '../../../src/evaluate/engine.js';
import { resourcesFromExport } from '../../../src/resources/from-export.js';
import { NATIVE_RULES } from '../../../src/rules/index.js';
import type { Rule } from '../../../src/rules/rule.js';
import { doc, template } from '../../helpers.js';

const S = 'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.';
const rule = (id: string): Rule => NATIVE_RULES.find((r) => r.meta.id === id)!;
const SERVICE = 'Microsoft.ApiManagement/service';

function evaluate(ruleId: string, resources: object[]) {
  const expansion = expandTemplate(doc(template({ resources }), 'main.json'), undefined, { deployment: DEFAULT_DEPLOYMENT });
  return evaluateResources({ file: 'main.json', resources: expansion.resources }, [rule(ruleId)]);
}

const service = (extra: object = {}, properties: object = {}) => ({
  type: SERVICE,
  apiVersion: '2023-05-01-preview',
  name: 'svc',
  sku: { name: 'Premium', capacity: 1 },
  properties: { publisherEmail: 'a@b.c', publisherName: 'x', ...properties },
  ...extra,
});
const custom = (entries: Record<string, string>) => ({ customProperties: Object.fromEntries(Object.entries(entries).map(([k, v]) => [S + k, v])) });
const ALL_CIPHERS_OFF = Object.fromEntries(
  [
    'TripleDes168',
    'TLS_RSA_WITH_AES_128_CBC_SHA',
    'TLS_RSA_WITH_AES_256_CBC_SHA',
    'TLS_RSA_WITH_AES_128_CBC_SHA256',
    'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA',
    'TLS_RSA_WITH_AES_256_CBC_SHA256',
    'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA',
    'TLS_RSA_WITH_AES_128_GCM_SHA256',
  ].map((c) => [`Ciphers.${c}`, 'False']),
);
const child = (type: string, name: string, properties: object) => ({ type: `${SERVICE}/${type}`, apiVersion: '2023-05-01-preview', name, properties });

// rule, title, resources, expected outcome of the (first) result, findings count, message text
const CASES: [string, string, object[], 'pass' | 'fail' | 'unknown' | 'skip', number, RegExp?][] = [
  ['APIM-HTTPEndpoint', 'https only', [child('apis', 'svc/a', { path: 'a', protocols: ['https'] })], 'pass', 0],
  ['APIM-HTTPEndpoint', 'http allowed', [child('apis', 'svc/a', { path: 'a', protocols: ['https', 'HTTP'] })], 'fail', 1, /API 'a' accepts plain HTTP/],
  ['APIM-HTTPEndpoint', 'protocols missing', [child('apis', 'svc/a', { path: 'a' })], 'pass', 0],
  ['APIM-HTTPEndpoint', 'protocols from an unset parameter', [child('apis', 'svc/a', { protocols: "[parameters('p')]" })], 'unknown', 0],
  ['APIM-Protocols', 'nothing set (defaults are off)', [service()], 'pass', 0],
  [
    'APIM-Protocols',
    'all explicitly off',
    [service({}, custom({ 'Protocols.Tls10': 'False', 'Protocols.Tls11': 'false', 'Backend.Protocols.Ssl30': 'False' }))],
    'pass',
    0,
  ],
  [
    'APIM-Protocols',
    'TLS 1.0 on, backend SSL 3.0 on',
    [service({}, custom({ 'Protocols.Tls10': 'True', 'Backend.Protocols.Ssl30': 'true' }))],
    'fail',
    2,
    /TLS 1\.0 is enabled from clients/,
  ],
  ['APIM-Ciphers', 'everything off', [service({}, custom(ALL_CIPHERS_OFF))], 'pass', 0],
  ['APIM-Ciphers', 'defaults (absent = on)', [service()], 'fail', 1, /7 cipher suites are enabled by default/],
  ['APIM-Ciphers', 'Triple DES on', [service({}, custom({ ...ALL_CIPHERS_OFF, 'Ciphers.TripleDes168': 'True' }))], 'fail', 1, /Triple DES/],
  ['APIM-ManagedIdentity', 'system assigned', [service({ identity: { type: 'SystemAssigned' } })], 'pass', 0],
  ['APIM-ManagedIdentity', 'both, with spaces', [service({ identity: { type: 'SystemAssigned, UserAssigned' } })], 'pass', 0],
  ['APIM-ManagedIdentity', 'none', [service({ identity: { type: 'None' } })], 'fail', 1, /identity\.type is 'None'/],
  ['APIM-ManagedIdentity', 'absent', [service()], 'fail', 1, /has no managed identity/],
  [
    'APIM-EncryptValues',
    'Key Vault reference',
    [child('namedValues', 'svc/nv', { displayName: 'nv', keyVault: { secretIdentifier: 'https://kv.vault.azure.net/secrets/x' } })],
    'pass',
    0,
  ],
  [
    'APIM-EncryptValues',
    'secret: true alone',
    [child('namedValues', 'svc/nv', { displayName: 'nv', secret: true, value: 'x' })],
    'fail',
    1,
    /marked secret but stored in API Management/,
  ],
  ['APIM-EncryptValues', 'plain value', [child('namedValues', 'svc/nv', { displayName: 'nv', value: 'x' })], 'fail', 1],
  ['APIM-ProductSubscription', 'required', [child('products', 'svc/p', { displayName: 'p', subscriptionRequired: true })], 'pass', 0],
  ['APIM-ProductSubscription', 'not required', [child('products', 'svc/p', { displayName: 'p', subscriptionRequired: false })], 'fail', 1],
  ['APIM-ProductSubscription', 'absent', [child('products', 'svc/p', { displayName: 'p' })], 'fail', 1],
  ['APIM-ProductApproval', 'required', [child('products', 'svc/p', { approvalRequired: true })], 'pass', 0],
  ['APIM-ProductApproval', 'not required', [child('products', 'svc/p', { approvalRequired: false })], 'fail', 1, /approvalRequired/],
  ['APIM-SampleProducts', 'own product', [child('products', 'svc/payments', {})], 'pass', 0],
  ['APIM-SampleProducts', 'starter', [child('products', 'svc/starter', {})], 'fail', 1, /sample product/],
  ['APIM-SampleProducts', 'Unlimited, any case', [child('products', 'svc/Unlimited', {})], 'fail', 1],
  ['APIM-Name', 'good name', [service()], 'pass', 0],
  ['APIM-Name', 'starts with a digit', [{ ...service(), name: '1svc' }], 'fail', 1, /does not meet the naming rules/],
  ['APIM-Name', 'ends with a hyphen', [{ ...service(), name: 'svc-' }], 'fail', 1],
  ['APIM-Name', '51 characters', [{ ...service(), name: 'a'.repeat(51) }], 'fail', 1],
  ['APIM-Name', 'from an unset parameter', [{ ...service(), name: "[parameters('n')]" }], 'unknown', 0],
  [
    'APIM-MultiRegion',
    'Premium with an extra region',
    [service({}, { additionalLocations: [{ location: 'northeurope', sku: { name: 'Premium', capacity: 1 } }] })],
    'pass',
    0,
  ],
  ['APIM-MultiRegion', 'Premium, one region', [service()], 'fail', 1, /runs in one region/],
  ['APIM-MultiRegion', 'Developer tier', [{ ...service(), sku: { name: 'Developer', capacity: 1 } }], 'fail', 1, /Developer tier/],
  ['APIM-MultiRegionGateway', 'gateways on', [service({}, { additionalLocations: [{ location: 'northeurope' }] })], 'pass', 0],
  [
    'APIM-MultiRegionGateway',
    'a gateway disabled',
    [service({}, { additionalLocations: [{ location: 'northeurope', disableGateway: true }] })],
    'fail',
    1,
    /northeurope is disabled/,
  ],
  ['APIM-MultiRegionGateway', 'no additional locations', [service()], 'skip', 0],
  ['APIM-APIDescriptors', 'both set', [child('apis', 'svc/a', { displayName: 'A', description: 'About A', path: 'a' })], 'pass', 0],
  ['APIM-APIDescriptors', 'no description', [child('apis', 'svc/a', { displayName: 'A', path: 'a' })], 'fail', 1, /API 'a' has no description/],
  ['APIM-APIDescriptors', 'neither', [child('apis', 'svc/a', { path: 'a', description: '' })], 'fail', 2],
  ['APIM-ProductDescriptors', 'both set', [child('products', 'svc/p', { displayName: 'P', description: 'About P' })], 'pass', 0],
  ['APIM-ProductDescriptors', 'no display name', [child('products', 'svc/p', { description: 'About P' })], 'fail', 1, /Product 'p' has no displayName/],
  ['APIM-PublicNetworkAccess', 'disabled', [service({}, { publicNetworkAccess: 'Disabled' })], 'pass', 0],
  ['APIM-PublicNetworkAccess', 'enabled', [service({}, { publicNetworkAccess: 'Enabled' })], 'fail', 1],
  ['APIM-PublicNetworkAccess', 'absent (default enabled)', [service()], 'fail', 1, /\(the default\)/],
  [
    'APIM-ClientCertificate',
    'Consumption with client certificates',
    [{ ...service({}, { enableClientCertificate: true }), sku: { name: 'Consumption', capacity: 0 } }],
    'pass',
    0,
  ],
  [
    'APIM-ClientCertificate',
    'Consumption without',
    [{ ...service(), sku: { name: 'Consumption', capacity: 0 } }],
    'fail',
    1,
    /does not request client certificates/,
  ],
  ['APIM-ClientCertificate', 'Premium: not applicable', [service()], 'skip', 0],
  ['APIM-MinAPIVersion', 'recent, with a constraint', [service({}, { apiVersionConstraint: { minApiVersion: '2021-08-01' } })], 'pass', 0],
  ['APIM-MinAPIVersion', 'no constraint', [service()], 'fail', 1, /does not set properties\.apiVersionConstraint\.minApiVersion/],
  ['APIM-MinAPIVersion', 'old constraint', [service({}, { apiVersionConstraint: { minApiVersion: '2019-12-01' } })], 'fail', 1, /older than 2021-08-01/],
  [
    'APIM-MinAPIVersion',
    'old deployment API version',
    [{ ...service({}, { apiVersionConstraint: { minApiVersion: '2022-08-01' } }), apiVersion: '2020-12-01' }],
    'fail',
    1,
    /deployed with API version 2020-12-01/,
  ],
  [
    'APIM-AvailabilityZone',
    'Premium over 2 zones with 2 units',
    [{ ...service(), location: 'westeurope', zones: ['1', '2'], sku: { name: 'Premium', capacity: 2 } }],
    'pass',
    0,
  ],
  ['APIM-AvailabilityZone', 'Premium without zones in a zonal region', [{ ...service(), location: 'West Europe' }], 'fail', 1, /uses 0 availability zones/],
  [
    'APIM-AvailabilityZone',
    'fewer units than zones',
    [{ ...service(), location: 'westeurope', zones: ['1', '2', '3'], sku: { name: 'Premium', capacity: 2 } }],
    'fail',
    1,
    /2 units for 3 zones/,
  ],
  ['APIM-AvailabilityZone', 'a region without zones', [{ ...service(), location: 'westcentralus' }], 'pass', 0],
  [
    'APIM-AvailabilityZone',
    'Developer tier',
    [{ ...service(), sku: { name: 'Developer', capacity: 1 } }],
    'fail',
    1,
    /only Premium supports availability zones/,
  ],
  [
    'APIM-AvailabilityZone',
    'an additional location without zones',
    [{ ...service({}, { additionalLocations: [{ location: 'northeurope', sku: { name: 'Premium', capacity: 1 } }] }), location: 'westcentralus' }],
    'fail',
    1,
    /Additional location 0 in northeurope/,
  ],
];

for (const [id, title, resources, outcome, count, message] of CASES) {
  test(`${id}: ${title} -> ${outcome}`, () => {
    const { results, findings } = evaluate(id, resources);
    assert.equal(results[0]?.outcome, outcome, JSON.stringify(findings.map((f) => f.message)));
    assert.equal(findings.length, count);
    if (message) assert.match(findings[0]!.message, message);
  });
}

test('APIM-Protocols points at the offending customProperties key (a key with dots)', () => {
  const t = template({ resources: [service({}, custom({ 'Protocols.Tls11': 'True' }))] });
  const expansion = expandTemplate(doc(t, 'main.json'), undefined, { deployment: DEFAULT_DEPLOYMENT });
  const { findings } = evaluateResources({ file: 'main.json', resources: expansion.resources }, [rule('APIM-Protocols')]);
  const line = t.split('\n').findIndex((l) => l.includes('Protocols.Tls11')) + 1;
  assert.equal(findings[0]!.location?.start.line, line);
});

test('the service rules read an exported service (Get-AzResource shape) the same way', () => {
  const exported = {
    ResourceType: SERVICE,
    Name: 'svc',
    ResourceId: '/subscriptions/x/resourceGroups/rg/providers/Microsoft.ApiManagement/service/svc',
    Identity: { Type: 'SystemAssigned' },
    Properties: { CustomProperties: { [`${S}Protocols.Tls10`]: 'True' } },
  };
  const resources = resourcesFromExport(doc(JSON.stringify(exported, null, 2), 'export.json'));
  const set = { file: 'export.json', resources };
  assert.equal(evaluateResources(set, [rule('APIM-ManagedIdentity')]).results[0]!.outcome, 'pass');
  assert.equal(evaluateResources(set, [rule('APIM-Protocols')]).findings.length, 1);
});

test('APIM-CertificateExpiry: days left against the clock; the minimum is an option', () => {
  const svc = service(
    {},
    {
      hostnameConfigurations: [
        { type: 'Proxy', hostName: 'api.contoso.com', certificate: { expiry: '2026-12-01T00:00:00Z' } },
        { type: 'Portal', hostName: 'portal.contoso.com', certificate: { expiry: '2027-12-01T00:00:00Z' } },
      ],
    },
  );
  const expansion = expandTemplate(doc(template({ resources: [svc] }), 'main.json'), undefined, { deployment: DEFAULT_DEPLOYMENT });
  const set = { file: 'main.json', resources: expansion.resources };
  const r = rule('APIM-CertificateExpiry');
  const soon = evaluateResources(set, [r], { now: new Date('2026-11-22T00:00:00Z') });
  assert.equal(soon.findings.length, 1);
  assert.match(soon.findings[0]!.message, /api\.contoso\.com expires in 9 days \(minimum 30\)/);
  assert.equal(evaluateResources(set, [r], { now: new Date('2026-10-01T00:00:00Z') }).findings.length, 0);
  assert.equal(
    evaluateResources(set, [r], { now: new Date('2026-10-01T00:00:00Z'), ruleOptions: { 'APIM-CertificateExpiry': { days: 90 } } }).findings.length,
    1,
  );
  assert.match(evaluateResources(set, [r], { now: new Date('2027-01-01T00:00:00Z') }).findings[0]!.message, /expired 31 days ago/);
  const none = evaluateResources(
    { file: 'x', resources: expandTemplate(doc(template({ resources: [service()] }), 'main.json'), undefined, { deployment: DEFAULT_DEPLOYMENT }).resources },
    [r],
  );
  assert.equal(none.results[0]!.outcome, 'skip');
});

test('APIM-ProductTerms ships off and works when turned on', () => {
  const r = rule('APIM-ProductTerms');
  assert.equal(r.enabled, false);
  const on = { ...r, enabled: true };
  const { findings } = evaluate2(on, [child('products', 'svc/p', { displayName: 'P' })]);
  assert.equal(findings.length, 1);
  assert.equal(evaluate2(on, [child('products', 'svc/p', { terms: 'Be nice.' })]).findings.length, 0);
});

function evaluate2(r: Rule, resources: object[]) {
  const expansion = expandTemplate(doc(template({ resources }), 'main.json'), undefined, { deployment: DEFAULT_DEPLOYMENT });
  return evaluateResources({ file: 'main.json', resources: expansion.resources }, [r]);
}
