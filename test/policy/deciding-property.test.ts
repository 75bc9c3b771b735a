import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readPolicyDefinition } from '../../src/policy/definition.js';
import { createPolicyRule } from '../../src/policy/policy-rule.js';
import { builtInDefinition } from '../../src/policy/builtin-catalog.js';
import { check, makeResource } from './helpers.js';

// A finding names the property the definition is about, not the guard or the classifier that also
// held. The conditions below have the shapes of the built-in definitions they are named after
// (Key Vault, Cognitive Services, AKS, Update Manager), trimmed to what decides.

function rule(displayName: string, condition: unknown, then: Record<string, unknown> = { effect: 'audit' }) {
  return createPolicyRule(readPolicyDefinition({ name: 'p', properties: { displayName, mode: 'Indexed', policyRule: { if: condition, then } } }));
}

const VAULT = 'Microsoft.KeyVault/vaults';

test('a guard listed first (createMode notEquals recover) is not blamed: the last setting is', () => {
  const purge = rule('Key vaults should have deletion protection enabled', {
    allOf: [
      { field: 'type', equals: VAULT },
      { not: { field: `${VAULT}/createMode`, equals: 'recover' } },
      {
        anyOf: [
          { field: `${VAULT}/enablePurgeProtection`, exists: 'false' },
          { field: `${VAULT}/enablePurgeProtection`, equals: 'false' },
        ],
      },
    ],
  });
  const out = check(purge, makeResource(VAULT, 'kv', { location: 'westeurope', properties: { tenantId: 't' } }));
  assert.equal(out.outcome, 'fail');
  assert.equal(out.findings[0]!.path, 'properties.enablePurgeProtection');
  assert.match(out.findings[0]!.message, /does not set enablePurgeProtection/);
});

test('a classifier listed last (kind notIn excluded kinds) is not blamed: the setting is', () => {
  const accounts = 'Microsoft.CognitiveServices/accounts';
  const cmk = rule('Azure AI Services resources should encrypt data at rest with a customer-managed key (CMK)', {
    allOf: [
      { field: 'type', equals: accounts },
      { field: `${accounts}/encryption.keySource`, notEquals: 'Microsoft.KeyVault' },
      { field: 'kind', notIn: ['CognitiveServices'] },
    ],
  });
  const out = check(cmk, makeResource(accounts, 'ai', { kind: 'OpenAI', properties: { encryption: { keySource: 'Microsoft.CognitiveServices' } } }));
  assert.equal(out.findings[0]!.path, 'properties.encryption.keySource');
});

test('a guard listed last is passed over for the setting the definition is named after', () => {
  const clusters = 'Microsoft.ContainerService/managedClusters';
  const ranges = rule('Authorized IP ranges should be defined on Kubernetes Services', {
    allOf: [
      { field: 'type', equals: clusters },
      { field: `${clusters}/apiServerAccessProfile.authorizedIPRanges`, exists: 'false' },
      { field: `${clusters}/apiServerAccessProfile.enablePrivateCluster`, notEquals: 'true' },
    ],
  });
  const out = check(ranges, makeResource(clusters, 'aks', { properties: { apiServerAccessProfile: {} } }));
  assert.equal(out.findings[0]!.path, 'properties.apiServerAccessProfile.authorizedIPRanges');
});

test('a value picked from a list (an image publisher in a list) is a selection, not the setting', () => {
  const vms = 'Microsoft.Compute/virtualMachines';
  const hotpatch = rule('Hotpatch should be enabled for Windows Server Azure Edition VMs', {
    allOf: [
      { field: 'type', equals: vms },
      { field: 'Microsoft.Compute/imagePublisher', in: ['MicrosoftWindowsServer'] },
      { field: `${vms}/osProfile.windowsConfiguration.patchSettings.enableHotpatching`, notEquals: 'true' },
      { field: 'Microsoft.Compute/imageSKU', like: '*azure-edition*' },
    ],
  });
  const vm = makeResource(vms, 'vm', {
    properties: {
      storageProfile: { imageReference: { publisher: 'MicrosoftWindowsServer', offer: 'WindowsServer', sku: '2022-datacenter-azure-edition' } },
      osProfile: { windowsConfiguration: { patchSettings: { enableHotpatching: false } } },
    },
  });
  const out = check(hotpatch, vm);
  assert.equal(out.outcome, 'fail');
  assert.equal(out.findings[0]!.path, 'properties.osProfile.windowsConfiguration.patchSettings.enableHotpatching');
});

test('a modify effect names the property it sets: that property is blamed, whatever else held', () => {
  const vms = 'Microsoft.Compute/virtualMachines';
  const mode = `${vms}/osProfile.windowsConfiguration.patchSettings.assessmentMode`;
  const assess = rule(
    'Configure periodic checking for missing system updates on azure virtual machines',
    {
      allOf: [
        { field: 'type', equals: vms },
        { field: mode, notEquals: 'AutomaticByPlatform' },
        { field: 'Microsoft.Compute/imagePublisher', equals: 'MicrosoftWindowsServer' },
      ],
    },
    { effect: 'modify', details: { roleDefinitionIds: [], operations: [{ operation: 'addOrReplace', field: mode, value: 'AutomaticByPlatform' }] } },
  );
  const vm = makeResource(vms, 'vm', { properties: { storageProfile: { imageReference: { publisher: 'MicrosoftWindowsServer' } }, osProfile: {} } });
  const out = check(assess, vm);
  assert.equal(out.findings[0]!.path, 'properties.osProfile.windowsConfiguration.patchSettings.assessmentMode');
});

test('with only classifiers deciding (allowed locations), the classifier is the finding', () => {
  const where = rule('Allowed locations', {
    allOf: [
      { field: 'location', notIn: ['westeurope'] },
      { field: 'type', notEquals: 'Microsoft.Resources/deployments' },
    ],
  });
  const out = check(where, makeResource(VAULT, 'kv', { location: 'eastus', properties: {} }));
  assert.equal(out.findings[0]!.path, 'location');
});

test('the finding names the resource by its type in the singular, and a type that is not a plural stays whole (Redis)', () => {
  const redis = rule('Only secure connections to your Azure Cache for Redis should be enabled', {
    allOf: [
      { field: 'type', equals: 'Microsoft.Cache/Redis' },
      { field: 'Microsoft.Cache/Redis/enableNonSslPort', equals: 'true' },
    ],
  });
  const out = check(redis, makeResource('Microsoft.Cache/redis', 'cache', { properties: { enableNonSslPort: true } }));
  assert.match(out.findings[0]!.message, /^Redis 'cache' sets enableNonSslPort to true/);
  const vaults = rule('Vaults', { field: 'type', equals: VAULT });
  assert.match(check(vaults, makeResource(VAULT, 'kv', {})).findings[0]!.message, /^Vault 'kv'/);
  const ips = 'Microsoft.Network/publicIPAddresses';
  const pip = rule('Public IPs', { field: 'type', equals: ips });
  assert.match(check(pip, makeResource(ips, 'pip', {})).findings[0]!.message, /^PublicIPAddress 'pip'/);
});

test('Update Manager (bd876905, shipped): the finding names the assessment mode the value condition reads, not the image publisher that selected the VM', () => {
  // The built-in's last condition is a `value` whose expression picks the Windows or the Linux
  // patchSettings.assessmentMode by the OS type; the image publisher only says the image is supported.
  const definition = builtInDefinition('bd876905-5b84-4f73-ab2d-2e7a7c4568d9')!;
  const assess = createPolicyRule(definition);
  const vms = 'Microsoft.Compute/virtualMachines';
  const vm = (osType: string, publisher: string, offer: string, sku: string, osProfile: object) =>
    makeResource(vms, `vm-${osType}`, {
      location: 'westeurope',
      properties: {
        storageProfile: { imageReference: { publisher, offer, sku }, osDisk: { osType, createOption: 'FromImage' } },
        osProfile: { computerName: 'vm', ...osProfile },
      },
    });
  const linux = check(assess, vm('Linux', 'Canonical', '0001-com-ubuntu-server-jammy', '22_04-lts-gen2', {}));
  assert.equal(linux.outcome, 'fail');
  assert.equal(linux.findings[0]!.path, 'properties.osProfile.linuxConfiguration.patchSettings.assessmentMode');
  assert.match(linux.findings[0]!.message, /does not set osProfile\.linuxConfiguration\.patchSettings\.assessmentMode/);
  assert.doesNotMatch(linux.findings[0]!.message, /imagePublisher|publisher/);
  const windows = check(
    assess,
    vm('Windows', 'MicrosoftWindowsServer', 'WindowsServer', '2022-datacenter-azure-edition', {
      windowsConfiguration: { patchSettings: { assessmentMode: 'ImageDefault' } },
    }),
  );
  assert.equal(windows.outcome, 'fail');
  assert.equal(windows.findings[0]!.path, 'properties.osProfile.windowsConfiguration.patchSettings.assessmentMode');
  assert.match(windows.findings[0]!.message, /sets osProfile\.windowsConfiguration\.patchSettings\.assessmentMode to "ImageDefault"/);
  const fixed = vm('Linux', 'Canonical', '0001-com-ubuntu-server-jammy', '22_04-lts-gen2', {
    linuxConfiguration: { patchSettings: { assessmentMode: 'AutomaticByPlatform' } },
  });
  assert.equal(check(assess, fixed).outcome, 'pass');
});

test('a value condition computed from a property (not the property itself) names no property', () => {
  const accounts = 'Microsoft.Storage/storageAccounts';
  const short = rule('Storage account names should be long', {
    allOf: [
      { field: 'type', equals: accounts },
      { value: "[length(field('name'))]", less: 5 },
    ],
  });
  const out = check(short, makeResource(accounts, 'st'));
  assert.equal(out.outcome, 'fail');
  assert.equal(out.findings[0]!.path, undefined);
  assert.match(out.findings[0]!.message, /matches the policy rule/);
});
