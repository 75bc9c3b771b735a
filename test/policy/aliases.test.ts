import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { aliasCount, allNamespaceAliases, resolveAlias } from '../../src/policy/aliases.js';
import { repoRoot } from '../helpers.js';

test('the table holds every Microsoft.ApiManagement alias of the 2026-08-21 dump', () => {
  const file = JSON.parse(readFileSync(path.join(repoRoot(), 'catalog/aliases/microsoft.apimanagement.json'), 'utf8')) as { count: number; source: string };
  assert.equal(file.source, 'apim-aliases-defaultpath-2026-08-21.csv');
  assert.equal(file.count, 1335);
  // Plus the related types the shipped definitions read (diagnostic settings, Defender assessments).
  const related = JSON.parse(readFileSync(path.join(repoRoot(), 'catalog/aliases/related-types.json'), 'utf8')) as {
    count: number;
    types: Record<string, unknown>;
  };
  assert.deepEqual(Object.keys(related.types).sort(), ['Microsoft.Insights/diagnosticSettings', 'Microsoft.Security/assessments']);
  assert.equal(aliasCount(), 1335 + related.count);
  assert.equal(resolveAlias('microsoft.insights/diagnosticSettings/logs[*].categoryGroup')?.defaultPath, 'properties.logs[*].categoryGroup');
});

test('aliases resolve ignoring case, to their resource type and default path', () => {
  assert.deepEqual(resolveAlias('microsoft.apimanagement/SERVICE/backends/TLS.validatecertificatechain'), {
    name: 'Microsoft.ApiManagement/service/backends/tls.validateCertificateChain',
    resourceType: 'Microsoft.ApiManagement/service/backends',
    defaultPath: 'properties.tls.validateCertificateChain',
  });
  assert.equal(resolveAlias('Microsoft.ApiManagement/service/sku.name')?.defaultPath, 'sku.name');
  assert.equal(
    resolveAlias('Microsoft.ApiManagement/service/hostnameConfigurations[*].hostName')?.defaultPath,
    'properties.hostnameConfigurations[*].hostname',
  );
});

test('an alias that is not in the table is undefined, never a path guessed from its name', () => {
  assert.equal(resolveAlias('Microsoft.ApiManagement/service/backends/tls.validateEverything'), undefined);
  assert.equal(resolveAlias('Microsoft.Storage/storageAccounts/supportsHttpsEverywhere'), undefined);
  assert.equal(resolveAlias('tls.validateCertificateChain'), undefined);
});

test("every other provider's aliases come from the all-namespaces table (2026-08), read when first needed", () => {
  const all = allNamespaceAliases();
  // 76,170 aliases in the dump; its 1,335 API Management aliases are the table above.
  assert.equal(all.size, 76170 - 1335);
  assert.deepEqual(resolveAlias('microsoft.storage/storageaccounts/supportsHttpsTrafficOnly'), {
    name: 'Microsoft.Storage/storageAccounts/supportsHttpsTrafficOnly',
    resourceType: 'Microsoft.Storage/storageAccounts',
    defaultPath: 'properties.supportsHttpsTrafficOnly',
  });
  assert.equal(resolveAlias('Microsoft.KeyVault/vaults/enableSoftDelete')?.defaultPath, 'properties.enableSoftDelete');
  // API Management aliases still come from the newer table.
  assert.equal(resolveAlias('Microsoft.ApiManagement/service/sku.name')?.resourceType, 'Microsoft.ApiManagement/service');
  // A namespace-level alias: one name, a path for each type it is defined for.
  const publisher = allNamespaceAliases().entries('microsoft.compute/IMAGEPUBLISHER');
  assert.deepEqual(publisher.map((e) => [e.resourceType, e.defaultPath]).sort(), [
    ['Microsoft.Compute/disks', 'properties.creationData.imageReference.id'],
    ['Microsoft.Compute/virtualMachineScaleSets', 'properties.virtualMachineProfile.storageProfile.imageReference.publisher'],
    ['Microsoft.Compute/virtualMachines', 'properties.storageProfile.imageReference.publisher'],
  ]);
  assert.equal(resolveAlias('Microsoft.Compute/imagePublisher')?.name, 'Microsoft.Compute/imagePublisher');
});

test('a definition for another provider runs on its resources through the all-namespaces aliases', async () => {
  const { loadRuleSet, scan } = await import('../../src/scan.js');
  const { loadPolicyInputs } = await import('../../src/policy/policy-inputs.js');
  const { template, tempTree } = await import('../helpers.js');
  const account = (name: string, httpsOnly: boolean) => ({
    type: 'Microsoft.Storage/storageAccounts',
    apiVersion: '2023-01-01',
    name,
    location: 'westeurope',
    kind: 'StorageV2',
    sku: { name: 'Standard_LRS' },
    properties: { supportsHttpsTrafficOnly: httpsOnly },
  });
  const definition = {
    name: 'storage-https-only',
    properties: {
      mode: 'Indexed',
      policyRule: {
        if: {
          allOf: [
            { field: 'type', equals: 'Microsoft.Storage/storageAccounts' },
            { field: 'Microsoft.Storage/storageAccounts/supportsHttpsTrafficOnly', notEquals: 'true' },
          ],
        },
        then: { effect: 'audit' },
      },
    },
  };
  const dir = tempTree({
    'infra/main.json': template({ resources: [account('good', true), account('plain', false)] }),
    'p/https.json': JSON.stringify(definition),
  });
  const out = scan({ paths: ['infra'], cwd: dir, ruleSet: loadRuleSet({}, {}, { policies: loadPolicyInputs({ policies: ['p'] }, dir) }) });
  const results = out.results.filter((r) => r.ruleId === 'storage-https-only');
  assert.deepEqual(results.map((r) => [r.resource.name, r.outcome]).sort(), [
    ['good', 'pass'],
    ['plain', 'fail'],
  ]);
});

test('a type the dump spells two ways is one type', () => {
  // The dump has both `Microsoft.CDN/profiles` and `Microsoft.Cdn/profiles` aliases.
  const cdn = ['Microsoft.CDN/profiles', 'Microsoft.Cdn/profiles'].flatMap((t) => allNamespaceAliases().entries(`${t}/sku.name`));
  assert.ok(cdn.length > 0);
  assert.ok(cdn.every((e) => e.resourceType.toLowerCase() === 'microsoft.cdn/profiles'));
});

test('a namespace-level alias reads each type at its own path: Microsoft.Compute/imagePublisher on a VM and a scale set', async () => {
  const { loadRuleSet, scan } = await import('../../src/scan.js');
  const { loadPolicyInputs } = await import('../../src/policy/policy-inputs.js');
  const { template, tempTree } = await import('../helpers.js');
  const image = (publisher: string) => ({ publisher, offer: 'o', sku: 's', version: 'latest' });
  const resources = [
    {
      type: 'Microsoft.Compute/virtualMachines',
      apiVersion: '2023-09-01',
      name: 'vm',
      location: 'westeurope',
      properties: { storageProfile: { imageReference: image('Contoso') } },
    },
    {
      type: 'Microsoft.Compute/virtualMachineScaleSets',
      apiVersion: '2023-09-01',
      name: 'ss',
      location: 'westeurope',
      properties: { virtualMachineProfile: { storageProfile: { imageReference: image('Canonical') } } },
    },
  ];
  const definition = {
    name: 'image-publishers',
    properties: {
      mode: 'Indexed',
      policyRule: {
        if: {
          allOf: [
            { field: 'type', in: ['Microsoft.Compute/virtualMachines', 'Microsoft.Compute/virtualMachineScaleSets'] },
            { field: 'Microsoft.Compute/imagePublisher', notIn: ['Canonical'] },
          ],
        },
        then: { effect: 'deny' },
      },
    },
  };
  const dir = tempTree({ 'infra/main.json': template({ resources }), 'p/publishers.json': JSON.stringify(definition) });
  const out = scan({ paths: ['infra'], cwd: dir, ruleSet: loadRuleSet({}, {}, { policies: loadPolicyInputs({ policies: ['p'] }, dir) }) });
  const results = out.results.filter((r) => r.ruleId === 'image-publishers');
  assert.deepEqual(results.map((r) => [r.resource.name, r.outcome]).sort(), [
    ['ss', 'pass'],
    ['vm', 'fail'],
  ]);
});
