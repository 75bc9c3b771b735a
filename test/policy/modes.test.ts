import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRuleSet, scan } from '../../src/scan.js';
import { loadPolicyInputs, type PolicySpec } from '../../src/policy/policy-inputs.js';
import { template, tempTree } from '../helpers.js';
import { formatPretty } from '../../src/report/pretty.js';
import { describePolicy } from '../../src/policy/describe.js';
import { readPolicyDefinition } from '../../src/policy/definition.js';
import { createPolicyRule } from '../../src/policy/policy-rule.js';
import { notRun } from '../../src/cli/commands/rules.js';

// The resources of issue 16: an "Allowed locations" assignment denied subnets, blob services and API children.
const deployment = template({
  resources: [
    {
      type: 'Microsoft.Network/virtualNetworks',
      apiVersion: '2023-09-01',
      name: 'vnet',
      location: 'eastus',
      properties: { addressSpace: { addressPrefixes: ['10.0.0.0/16'] } },
    },
    { type: 'Microsoft.Network/virtualNetworks/subnets', apiVersion: '2023-09-01', name: 'vnet/apps', properties: { addressPrefix: '10.0.1.0/24' } },
    {
      type: 'Microsoft.Storage/storageAccounts',
      apiVersion: '2023-01-01',
      name: 'store',
      location: 'eastus',
      kind: 'StorageV2',
      sku: { name: 'Standard_LRS' },
    },
    { type: 'Microsoft.Storage/storageAccounts/blobServices', apiVersion: '2023-01-01', name: 'store/default', properties: {} },
    {
      type: 'Microsoft.ApiManagement/service/apis',
      apiVersion: '2023-05-01-preview',
      name: 'svc/orders',
      properties: { displayName: 'orders', path: 'orders', protocols: ['https'] },
    },
  ],
});

// Shaped like the built-in "Allowed locations" (e56962a6…): mode Indexed, location not in the list.
const allowedLocations = (mode: string) =>
  JSON.stringify({
    name: 'allowed-locations',
    properties: {
      displayName: 'Allowed locations',
      mode,
      parameters: { listOfAllowedLocations: { type: 'Array', defaultValue: ['westeurope'] } },
      policyRule: {
        if: {
          allOf: [
            { field: 'location', notIn: "[parameters('listOfAllowedLocations')]" },
            { field: 'location', notEquals: 'global' },
            { field: 'type', notEquals: 'Microsoft.AzureActiveDirectory/b2cDirectories' },
          ],
        },
        then: { effect: 'deny' },
      },
    },
  });

function run(files: Record<string, string>, spec: PolicySpec) {
  const dir = tempTree({ 'infra/main.json': deployment, ...files });
  const ruleSet = loadRuleSet({}, {}, { policies: loadPolicyInputs(spec, dir) });
  return scan({ paths: ['infra'], cwd: dir, ruleSet });
}

test('mode Indexed: subnets, blob services and APIM APIs are not applicable to an Allowed locations definition; the storage account and the vnet are denied', () => {
  const out = run({ 'policy/allowed.json': allowedLocations('Indexed') }, { policies: ['policy'] });
  const denied = out.findings
    .filter((f) => f.ruleId === 'allowed-locations')
    .map((f) => f.resource.type)
    .sort();
  assert.deepEqual(denied, ['Microsoft.Network/virtualNetworks', 'Microsoft.Storage/storageAccounts']);
  for (const type of ['Microsoft.Network/virtualNetworks/subnets', 'Microsoft.Storage/storageAccounts/blobServices', 'Microsoft.ApiManagement/service/apis']) {
    const r = out.results.find((x) => x.ruleId === 'allowed-locations' && x.resource.type === type)!;
    assert.equal(r.outcome, 'skip', type);
    assert.match(r.reason!, /mode Indexed only evaluates resource types that support tags and location/);
  }
  // Mode All evaluates every resource: the children have no location, which is not in the list.
  const all = run({ 'policy/allowed.json': allowedLocations('All') }, { policies: ['policy'] });
  assert.equal(all.findings.filter((f) => f.ruleId === 'allowed-locations').length, 5);
});

test('mode Indexed and deployments: a nested deployment into a resource group has no location and is not judged; a subscription deployment with a location is', () => {
  const inner = { $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#', contentVersion: '1.0.0.0', resources: [] };
  const nested = (name: string, extra: object) => ({
    type: 'Microsoft.Resources/deployments',
    apiVersion: '2022-09-01',
    name,
    properties: { mode: 'Incremental', expressionEvaluationOptions: { scope: 'inner' }, template: inner },
    ...extra,
  });
  const sub = JSON.stringify({
    $schema: 'https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    resources: [
      nested('into-rg', { resourceGroup: 'rg-app' }),
      nested('at-sub-far', { location: 'eastus' }),
      nested('at-sub-near', { location: 'westeurope' }),
    ],
  });
  const dir = tempTree({
    'infra/main.json': sub,
    'infra/rg.json': template({ resources: [nested('child', {})] }),
    'policy/allowed.json': allowedLocations('Indexed'),
  });
  const ruleSet = loadRuleSet({}, {}, { policies: loadPolicyInputs({ policies: ['policy'] }, dir) });
  const out = scan({ paths: ['infra'], cwd: dir, ruleSet });
  const outcome = (name: string) => out.results.find((r) => r.ruleId === 'allowed-locations' && r.resource.name === name);
  for (const name of ['into-rg', 'child']) {
    assert.equal(outcome(name)?.outcome, 'skip', name);
    assert.match(outcome(name)!.reason!, /a deployment without a location \(resource group scope\)/);
  }
  assert.equal(outcome('at-sub-far')?.outcome, 'fail');
  assert.equal(outcome('at-sub-near')?.outcome, 'pass');
  // Mode All still evaluates the resource group deployment: its absent location is not in the list.
  const all = tempTree({ 'infra/rg.json': template({ resources: [nested('child', {})] }), 'policy/allowed.json': allowedLocations('All') });
  const allOut = scan({ paths: ['infra'], cwd: all, ruleSet: loadRuleSet({}, {}, { policies: loadPolicyInputs({ policies: ['policy'] }, all) }) });
  assert.equal(allOut.results.find((r) => r.ruleId === 'allowed-locations' && r.resource.name === 'child')?.outcome, 'fail');
});

test('a Resource Provider mode or a denyAction definition given with --policy loads, runs on nothing and says why in a warning', () => {
  const keyVault = JSON.stringify({
    name: 'kv-key-type',
    properties: {
      displayName: 'Keys should be RSA',
      mode: 'Microsoft.KeyVault.Data',
      policyRule: { if: { field: 'Microsoft.KeyVault.Data/vaults/keys/keyType', notEquals: 'RSA' }, then: { effect: 'audit' } },
    },
  });
  const denyAction = JSON.stringify({
    name: 'no-delete',
    properties: {
      displayName: 'Do not delete storage',
      mode: 'Indexed',
      policyRule: { if: { field: 'type', equals: 'Microsoft.Storage/storageAccounts' }, then: { effect: 'denyAction', details: { actionNames: ['delete'] } } },
    },
  });
  const out = run({ 'policy/kv.json': keyVault, 'policy/deny-action.json': denyAction }, { policies: ['policy'] });
  assert.equal(out.diagnostics.filter((d) => d.severity === 'error').length, 0);
  const warnings = out.diagnostics.filter((d) => d.code === 'policy-not-applicable').map((d) => d.message);
  assert.equal(warnings.length, 2);
  assert.ok(warnings.some((m) => /kv-key-type is not applicable to deployment templates: mode Microsoft.KeyVault.Data is a Resource Provider mode/.test(m)));
  assert.ok(warnings.some((m) => /no-delete is not applicable to deployment templates: effect denyAction blocks delete requests/.test(m)));
  assert.equal(out.findings.filter((f) => f.ruleId === 'kv-key-type' || f.ruleId === 'no-delete').length, 0);
});

test('an auditAction definition (the built-in MFA-to-delete, db4a9d17) loads and is listed as not applicable, never an error', () => {
  const auditAction = JSON.stringify({
    name: 'mfa-delete',
    properties: {
      displayName: 'Users must authenticate with multi-factor authentication to delete resources',
      mode: 'All',
      parameters: { effect: { type: 'String', allowedValues: ['AuditAction', 'DenyAction', 'Disabled'], defaultValue: 'AuditAction' } },
      policyRule: {
        if: { value: '[requestContext().identity.idtyp]', equals: 'user' },
        then: { effect: "[parameters('effect')]", details: { actionNames: ['delete'] } },
      },
    },
  });
  const out = run({ 'policy/mfa.json': auditAction }, { policies: ['policy'] });
  assert.equal(out.diagnostics.filter((d) => d.severity === 'error').length, 0);
  const warnings = out.diagnostics.filter((d) => d.code === 'policy-not-applicable').map((d) => d.message);
  assert.ok(
    warnings.some((m) => /mfa-delete is not applicable to deployment templates: effect auditAction audits the actions it names/.test(m)),
    warnings.join('\n'),
  );
  assert.equal(out.findings.filter((f) => f.ruleId === 'mfa-delete').length, 0);
});

test('an initiative referencing a Resource Provider mode definition counts it as not available offline, with the reason', () => {
  const keyVault = JSON.stringify({
    name: 'kv-key-type',
    properties: {
      displayName: 'Keys should be RSA',
      mode: 'Microsoft.KeyVault.Data',
      policyRule: { if: { field: 'Microsoft.KeyVault.Data/vaults/keys/keyType', notEquals: 'RSA' }, then: { effect: 'audit' } },
    },
  });
  const initiative = JSON.stringify({
    name: 'guardrails',
    properties: {
      displayName: 'Guardrails',
      policyDefinitionGroups: [{ name: 'KV' }, { name: 'LOC' }],
      policyDefinitions: [
        { policyDefinitionReferenceId: 'kv', policyDefinitionId: '/providers/Microsoft.Authorization/policyDefinitions/kv-key-type', groupNames: ['KV'] },
        {
          policyDefinitionReferenceId: 'loc',
          policyDefinitionId: '/providers/Microsoft.Authorization/policyDefinitions/allowed-locations',
          groupNames: ['LOC'],
        },
      ],
    },
  });
  const out = run(
    { 'policy/kv.json': keyVault, 'policy/allowed.json': allowedLocations('Indexed'), 'set/guardrails.json': initiative },
    { policies: ['policy'], initiatives: ['set/guardrails.json'] },
  );
  const ic = out.compliance![0]!;
  assert.equal(ic.evaluated, 1);
  assert.deepEqual(
    ic.unavailable.map((u) => u.referenceId),
    ['kv'],
  );
  assert.match(ic.unavailable[0]!.reason, /^not applicable to deployment templates: mode Microsoft.KeyVault.Data is a Resource Provider mode/);
  assert.equal(ic.controls.find((c) => c.control === 'KV')!.state, 'not-available-offline');
  assert.equal(ic.controls.find((c) => c.control === 'LOC')!.state, 'non-compliant');
  assert.match(
    formatPretty(out, { color: false }),
    /1 policy evaluated; 1 not available offline \(not applicable to deployment templates \(Resource Provider mode, denyAction or manual\)\)/,
  );
});

test('rules show: a definition that cannot apply to a template says why it is not run', () => {
  const definition = readPolicyDefinition({
    name: 'no-delete',
    properties: {
      displayName: 'Do not delete',
      mode: 'Indexed',
      policyRule: { if: { field: 'type', equals: 'Microsoft.Storage/storageAccounts' }, then: { effect: 'denyAction', details: { actionNames: ['delete'] } } },
    },
  });
  const rule = createPolicyRule(definition);
  assert.equal(rule.enabled, false);
  assert.match(describePolicy(definition, rule), /Not run +not applicable to deployment templates: effect denyAction blocks delete requests/);
  // `tollgate rules` lists only the shipped catalog (none is of this kind today); its marker carries the reason too.
  assert.equal(
    notRun(rule),
    ' (not run: not applicable to deployment templates: effect denyAction blocks delete requests, not the create or update a deployment makes)',
  );
  assert.equal(
    notRun(
      createPolicyRule(readPolicyDefinition({ name: 'off', properties: { policyRule: { if: { field: 'type', equals: 'x' }, then: { effect: 'disabled' } } } })),
    ),
    ' (not run)',
  );
});
