// A services table in the manner of PSRule's: 16 API Management services with varied SKU,
// regions, zones, identities, API versions, certificates and settings, scanned both as an ARM
// template and as exported resources (Get-AzResource shape: PascalCase, children under
// `Resources`), with every service-level rule's outcome asserted per service.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_DEPLOYMENT, expandTemplate } from '../../../src/arm/template/expand.js';
import { evaluateResources } from '../../../src/evaluate/engine.js';
import { resourcesFromExport } from '../../../src/resources/from-export.js';
import { NATIVE_RULES } from '../../../src/rules/index.js';
import { doc, template } from '../../helpers.js';

const S = 'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.';
const SAFE_TLS = Object.fromEntries(
  ['Protocols.Tls10', 'Protocols.Tls11', 'Protocols.Ssl30', 'Backend.Protocols.Tls10', 'Backend.Protocols.Tls11', 'Backend.Protocols.Ssl30'].map((k) => [
    S + k,
    'False',
  ]),
);
const SAFE_CIPHERS = Object.fromEntries(
  [
    'TripleDes168',
    'TLS_RSA_WITH_AES_128_CBC_SHA',
    'TLS_RSA_WITH_AES_256_CBC_SHA',
    'TLS_RSA_WITH_AES_128_CBC_SHA256',
    'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA',
    'TLS_RSA_WITH_AES_256_CBC_SHA256',
    'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA',
    'TLS_RSA_WITH_AES_128_GCM_SHA256',
  ].map((c) => [`${S}Ciphers.${c}`, 'False']),
);
const NOW = new Date('2026-11-22T00:00:00Z');
const CERT = (expiry: string) => [{ type: 'Proxy', hostName: 'api.contoso.com', certificate: { expiry, subject: 'CN=api.contoso.com', thumbprint: '00' } }];

interface Service {
  name: string;
  apiVersion?: string;
  location?: string;
  sku: { name: string; capacity: number };
  zones?: string[];
  identity?: { type: string };
  properties: Record<string, unknown>;
}

const base = (name: string, over: Partial<Service> = {}, props: Record<string, unknown> = {}): Service => ({
  name,
  apiVersion: '2023-05-01-preview',
  location: 'westeurope',
  sku: { name: 'Premium', capacity: 2 },
  zones: ['1', '2'],
  identity: { type: 'SystemAssigned' },
  ...over,
  properties: {
    publisherEmail: 'apim@contoso.com',
    publisherName: 'Contoso',
    customProperties: { ...SAFE_TLS, ...SAFE_CIPHERS },
    publicNetworkAccess: 'Disabled',
    apiVersionConstraint: { minApiVersion: '2021-08-01' },
    additionalLocations: [{ location: 'northeurope', sku: { name: 'Premium', capacity: 2 }, zones: ['1', '2'] }],
    ...props,
  },
});

const SERVICES: Service[] = [
  base('apim-good'),
  base('apim-developer', { sku: { name: 'Developer', capacity: 1 }, zones: undefined }, { additionalLocations: undefined }),
  base('apim-basic-noid', { sku: { name: 'Basic', capacity: 1 }, zones: undefined, identity: undefined }, { additionalLocations: undefined }),
  base('apim-tls10', {}, { customProperties: { ...SAFE_TLS, ...SAFE_CIPHERS, [`${S}Protocols.Tls10`]: 'True' } }),
  base('apim-default-ciphers', {}, { customProperties: { ...SAFE_TLS } }),
  base('apim-userassigned', { identity: { type: 'UserAssigned' } }),
  base('1-bad-name'),
  base('apim-one-region', {}, { additionalLocations: [] }),
  base(
    'apim-gateway-off',
    {},
    { additionalLocations: [{ location: 'northeurope', sku: { name: 'Premium', capacity: 2 }, zones: ['1', '2'], disableGateway: true }] },
  ),
  base('apim-public', {}, { publicNetworkAccess: 'Enabled' }),
  base('apim-consumption', { sku: { name: 'Consumption', capacity: 0 }, zones: undefined }, { additionalLocations: undefined, enableClientCertificate: false }),
  base('apim-old-api', { apiVersion: '2019-12-01' }, { apiVersionConstraint: { minApiVersion: '2019-12-01' } }),
  base('apim-cert-expiring', {}, { hostnameConfigurations: CERT('2026-12-01T00:00:00Z') }),
  base('apim-cert-fine', {}, { hostnameConfigurations: CERT('2027-06-01T00:00:00Z') }),
  base('apim-one-zone', { zones: ['1'] }),
  base(
    'apim-nozone-region',
    { location: 'West Central US', zones: undefined },
    { additionalLocations: [{ location: 'westcentralus', sku: { name: 'Premium', capacity: 1 } }] },
  ),
];

// Expected outcome per service (rows, in the order above) and rule (columns). p pass, F fail, s skip (not applicable).
const RULES = [
  'APIM-Protocols',
  'APIM-Ciphers',
  'APIM-ManagedIdentity',
  'APIM-Name',
  'APIM-MultiRegion',
  'APIM-MultiRegionGateway',
  'APIM-PublicNetworkAccess',
  'APIM-ClientCertificate',
  'APIM-MinAPIVersion',
  'APIM-CertificateExpiry',
  'APIM-AvailabilityZone',
];
const EXPECTED = `
apim-good            p p p p p p p s p s p
apim-developer       p p p p F s p s p s F
apim-basic-noid      p p F p F s p s p s F
apim-tls10           F p p p p p p s p s p
apim-default-ciphers p F p p p p p s p s p
apim-userassigned    p p p p p p p s p s p
1-bad-name           p p p F p p p s p s p
apim-one-region      p p p p F s p s p s p
apim-gateway-off     p p p p p F p s p s p
apim-public          p p p p p p F s p s p
apim-consumption     p p p p F s p F p s F
apim-old-api         p p p p p p p s F s p
apim-cert-expiring   p p p p p p p s p F p
apim-cert-fine       p p p p p p p s p p p
apim-one-zone        p p p p p p p s p s F
apim-nozone-region   p p p p p p p s p s p
`;

const OUTCOME: Record<string, string> = { p: 'pass', F: 'fail', s: 'skip' };

function armTemplate(): string {
  return template({
    resources: SERVICES.map((s) => ({
      type: 'Microsoft.ApiManagement/service',
      apiVersion: s.apiVersion,
      name: s.name,
      location: s.location,
      sku: s.sku,
      ...(s.zones && { zones: s.zones }),
      ...(s.identity && { identity: s.identity }),
      properties: strip(s.properties),
    })),
  });
}

/** Get-AzResource's shape: PascalCase top-level keys, a full ResourceId. */
function exported(): string {
  return JSON.stringify(
    SERVICES.map((s) => ({
      Name: s.name,
      ResourceType: 'Microsoft.ApiManagement/service',
      ResourceId: `/subscriptions/0000/resourceGroups/rg-apim/providers/Microsoft.ApiManagement/service/${s.name}`,
      Location: s.location,
      Sku: { Name: s.sku.name, Capacity: s.sku.capacity },
      ...(s.zones && { Zones: s.zones }),
      ...(s.identity && { Identity: { Type: s.identity.type } }),
      Properties: strip(s.properties),
    })),
    null,
    2,
  );
}

function strip(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

function check(shape: string, resources: Parameters<typeof evaluateResources>[0]['resources']) {
  const rules = RULES.map((id) => NATIVE_RULES.find((r) => r.meta.id === id)!);
  const { results } = evaluateResources({ file: shape, resources }, rules, { now: NOW });
  const rows = EXPECTED.trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/));
  assert.equal(rows.length, SERVICES.length);
  const mismatches: string[] = [];
  for (const [name, ...cells] of rows) {
    RULES.forEach((rule, i) => {
      const r = results.find((x) => x.ruleId === rule && x.resource.name === name);
      const want = OUTCOME[cells[i]!];
      // The export shape has no deployment apiVersion: MinAPIVersion then judges the constraint only.
      if (r?.outcome !== want)
        mismatches.push(`${name} ${rule}: expected ${want}, got ${r?.outcome} (${r?.reason ?? r?.findings.map((f) => f.message).join('; ') ?? ''})`);
    });
  }
  assert.deepEqual(mismatches, []);
}

test('services table: ARM template shape', () => {
  const expansion = expandTemplate(doc(armTemplate(), 'services.json'), undefined, { deployment: DEFAULT_DEPLOYMENT });
  assert.deepEqual(expansion.diagnostics, []);
  check('services.json', expansion.resources);
});

test('services table: exported resources (Get-AzResource shape)', () => {
  const resources = resourcesFromExport(doc(exported(), 'export.json'));
  assert.equal(resources.length, SERVICES.length);
  check('export.json', resources);
});

// Children of the services: APIs, products, named values, backends, policies (service-wide and
// per API), and the Defender for APIs collection of an API, declared nested under the service
// (template) or under `Resources` (export). Outcome per child and rule.
const GOOD_POLICY =
  '<policies><inbound><base /><cors><allowed-origins><origin>https://portal.contoso.com</origin></allowed-origins><allowed-methods><method>GET</method></allowed-methods></cors></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>';
const OPEN_POLICY =
  '<policies><inbound><cors allow-credentials="false"><allowed-origins><origin>*</origin></allowed-origins><allowed-methods><method>GET</method></allowed-methods></cors></inbound><backend><forward-request /></backend><outbound /><on-error /></policies>';
const CHILDREN: { service: string; type: string; name: string; properties: Record<string, unknown> }[] = [
  {
    service: 'apim-good',
    type: 'apis',
    name: 'orders',
    properties: { displayName: 'Orders', description: 'Orders API', path: 'orders', protocols: ['https'], serviceUrl: 'https://orders.contoso.com' },
  },
  {
    service: 'apim-good',
    type: 'products',
    name: 'partners',
    properties: { displayName: 'Partners', description: 'For partners', subscriptionRequired: true, approvalRequired: true, terms: 'Fair use.' },
  },
  {
    service: 'apim-good',
    type: 'namedValues',
    name: 'backend-key',
    properties: { displayName: 'backend-key', secret: true, keyVault: { secretIdentifier: 'https://kv.vault.azure.net/secrets/k' } },
  },
  { service: 'apim-good', type: 'backends', name: 'orders-backend', properties: { url: 'https://orders.contoso.com', protocol: 'http' } },
  {
    service: 'apim-public',
    type: 'apis',
    name: 'legacy',
    properties: { displayName: 'Legacy', path: 'legacy', protocols: ['http', 'https'], serviceUrl: 'http://legacy.contoso.com' },
  },
  { service: 'apim-public', type: 'products', name: 'starter', properties: { displayName: 'Starter', subscriptionRequired: false, approvalRequired: false } },
  { service: 'apim-public', type: 'namedValues', name: 'plain', properties: { displayName: 'plain', secret: true, value: 'x' } },
  { service: 'apim-public', type: 'backends', name: 'legacy-backend', properties: { url: 'http://legacy.contoso.com', protocol: 'http' } },
  { service: 'apim-good', type: 'policies', name: 'policy', properties: { format: 'rawxml', value: GOOD_POLICY } },
  { service: 'apim-good', type: 'apis/policies', name: 'orders/policy', properties: { format: 'rawxml', value: GOOD_POLICY } },
  { service: 'apim-public', type: 'policies', name: 'policy', properties: { format: 'rawxml', value: OPEN_POLICY } },
  { service: 'apim-public', type: 'apis/policies', name: 'legacy/policy', properties: { format: 'rawxml', value: OPEN_POLICY } },
];
// apim-good onboards its API to Defender for APIs; apim-public does not.
const COLLECTIONS = [{ service: 'apim-good', api: 'orders' }];
const CHILD_RULES = [
  'APIM-HTTPEndpoint',
  'APIM-HTTPBackend',
  'APIM-APIDescriptors',
  'APIM-DefenderCloud',
  'APIM-ProductSubscription',
  'APIM-ProductApproval',
  'APIM-ProductDescriptors',
  'APIM-SampleProducts',
  'APIM-ProductTerms',
  'APIM-EncryptValues',
  'APIM-CORSPolicy',
  'APIM-PolicyBase',
];
// rows: service/child name; columns: CHILD_RULES; '-' the rule does not apply to that type.
// PolicyBase does not apply to the service-wide (global) policy, which has no parent to inherit.
const CHILD_EXPECTED = `
apim-good/orders                p p p p - - - - - - - -
apim-good/partners              - - - - p p p p p - - -
apim-good/backend-key           - - - - - - - - - p - -
apim-good/orders-backend        - p - - - - - - - - - -
apim-good/policy                - - - - - - - - - - p -
apim-good/orders/policy         - - - - - - - - - - p p
apim-public/legacy              F F F F - - - - - - - -
apim-public/starter             - - - - F F F F F - - -
apim-public/plain               - - - - - - - - - F - -
apim-public/legacy-backend      - F - - - - - - - - - -
apim-public/policy              - - - - - - - - - - F -
apim-public/legacy/policy       - - - - - - - - - - F F
`;

function withChildrenTemplate(): string {
  return template({
    resources: SERVICES.filter((s) => CHILDREN.some((c) => c.service === s.name))
      .map((s) => ({
        type: 'Microsoft.ApiManagement/service',
        apiVersion: s.apiVersion,
        name: s.name,
        location: s.location,
        sku: s.sku,
        properties: strip(s.properties),
        resources: CHILDREN.filter((c) => c.service === s.name).map((c) => ({
          type: c.type,
          apiVersion: '2023-05-01-preview',
          name: c.name,
          properties: c.properties,
        })),
      }))
      .concat(
        COLLECTIONS.map((c) => ({
          type: 'Microsoft.Security/apiCollections',
          apiVersion: '2023-11-15',
          name: c.api,
          scope: `[resourceId('Microsoft.ApiManagement/service', '${c.service}')]`,
        })) as never[],
      ),
  });
}

function withChildrenExport(): string {
  return JSON.stringify(
    SERVICES.filter((s) => CHILDREN.some((c) => c.service === s.name)).map((s) => ({
      Name: s.name,
      ResourceType: 'Microsoft.ApiManagement/service',
      ResourceId: `/subscriptions/0000/resourceGroups/rg-apim/providers/Microsoft.ApiManagement/service/${s.name}`,
      Properties: strip(s.properties),
      Resources: [
        ...CHILDREN.filter((c) => c.service === s.name).map((c) => ({
          Name: c.name,
          ResourceType: `Microsoft.ApiManagement/service/${c.type}`,
          ResourceId: `/subscriptions/0000/resourceGroups/rg-apim/providers/Microsoft.ApiManagement/service/${s.name}/${childPath(c.type, c.name)}`,
          Properties: c.properties,
        })),
        ...COLLECTIONS.filter((c) => c.service === s.name).map((c) => ({
          Name: c.api,
          ResourceType: 'Microsoft.Security/apiCollections',
          ResourceId: `/subscriptions/0000/resourceGroups/rg-apim/providers/Microsoft.ApiManagement/service/${s.name}/providers/Microsoft.Security/apiCollections/${c.api}`,
        })),
      ],
    })),
    null,
    2,
  );
}

/** `apis/policies` + `orders/policy` -> `apis/orders/policies/policy`. */
function childPath(type: string, name: string): string {
  const types = type.split('/');
  const names = name.split('/');
  return types.map((t, i) => `${t}/${names[i]}`).join('/');
}

function checkChildren(file: string, resources: Parameters<typeof evaluateResources>[0]['resources']) {
  // ProductTerms ships off (deprecated upstream); the table checks it too.
  const rules = CHILD_RULES.map((id) => NATIVE_RULES.find((r) => r.meta.id === id)!).map((r) =>
    r.enabled ? r : Object.assign(Object.create(r) as typeof r, { enabled: true }),
  );
  const { results } = evaluateResources({ file, resources }, rules, { now: NOW });
  const mismatches: string[] = [];
  for (const [name, ...cells] of CHILD_EXPECTED.trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/))) {
    CHILD_RULES.forEach((rule, i) => {
      const r = results.filter((x) => x.ruleId === rule && x.resource.name === name);
      const want = cells[i] === '-' ? undefined : OUTCOME[cells[i]!];
      const got = r[0]?.outcome;
      if (got !== want || r.length > 1) mismatches.push(`${name} ${rule}: expected ${want ?? 'not applicable'}, got ${got ?? 'not applicable'}`);
    });
  }
  assert.deepEqual(mismatches, []);
}

test('services table, children: ARM template shape (nested under the service)', () => {
  const expansion = expandTemplate(doc(withChildrenTemplate(), 'children.json'), undefined, { deployment: DEFAULT_DEPLOYMENT });
  assert.deepEqual(expansion.diagnostics, []);
  checkChildren('children.json', expansion.resources);
});

test('services table, children: export shape (children under Resources, leaf names completed from ids)', () => {
  checkChildren('export.json', resourcesFromExport(doc(withChildrenExport(), 'export.json')));
});
