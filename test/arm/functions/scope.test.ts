import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateExpressionText } from '../../../src/arm/expression/evaluator.js';
import { DEFAULT_DEPLOYMENT, type EvalContext } from '../../../src/arm/expression/context.js';
import { ARM_FUNCTIONS } from '../../../src/arm/functions/index.js';
import { getPath, isUnknown, type Value } from '../../../src/resources/value.js';

const ctx: EvalContext = { functions: ARM_FUNCTIONS, deployment: { ...DEFAULT_DEPLOYMENT, subscriptionId: 'sub', managementGroup: 'mg1', tenantId: 'tid' } };
const run = (text: string, c: EvalContext = ctx): Value => evaluateExpressionText(text, c);

test('extensionResourceId and managementGroupResourceId', () => {
  assert.equal(
    run("[extensionResourceId('/subscriptions/sub/resourceGroups/rg/providers/Microsoft.ApiManagement/service/svc', 'Microsoft.Authorization/locks', 'lock')]"),
    '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.ApiManagement/service/svc/providers/Microsoft.Authorization/locks/lock',
  );
  assert.equal(
    run("[extensionResourceId('/subscriptions/sub/', 'Microsoft.Authorization/policyAssignments', 'a')]"),
    '/subscriptions/sub/providers/Microsoft.Authorization/policyAssignments/a',
  );
  assert.equal(
    run("[managementGroupResourceId('Microsoft.Authorization/policyDefinitions', 'p')]"),
    '/providers/Microsoft.Management/managementGroups/mg1/providers/Microsoft.Authorization/policyDefinitions/p',
  );
  assert.equal(
    run("[managementGroupResourceId('other', 'Microsoft.Authorization/policyDefinitions', 'p')]"),
    '/providers/Microsoft.Management/managementGroups/other/providers/Microsoft.Authorization/policyDefinitions/p',
  );
  assert.throws(() => run("[extensionResourceId('/x', 'Microsoft.A/b/c', 'one')]"), /needs 2 name segments/);
});

test('tenant, managementGroup and deployer know the ids and leave the rest unknown', () => {
  assert.equal(run('[tenant().tenantId]'), 'tid');
  assert.ok(isUnknown(run('[tenant().displayName]')));
  assert.equal(run('[managementGroup().id]'), '/providers/Microsoft.Management/managementGroups/mg1');
  assert.equal(run("[managementGroup('x').name]"), 'x');
  assert.ok(isUnknown(run('[deployer().objectId]')));
});

test('environment() follows the configured cloud', () => {
  assert.equal(run('[environment().suffixes.storage]'), 'core.windows.net');
  assert.equal(run('[environment().authentication.loginEndpoint]'), 'https://login.microsoftonline.com/');
  const gov = { ...ctx, deployment: { ...ctx.deployment, environment: 'AzureUSGovernment' } };
  assert.equal(run('[environment().suffixes.keyvaultDns]', gov), '.vault.usgovcloudapi.net');
  assert.deepEqual(getPath(run('[environment()]', gov), 'authentication.audiences'), [
    'https://management.core.usgovcloudapi.net/',
    'https://management.usgovcloudapi.net/',
  ]);
  assert.throws(() => run('[environment()]', { ...ctx, deployment: { ...ctx.deployment, environment: 'Mars' } }), /unknown cloud 'Mars'/);
});

test('pickZones: zones in zonal regions, none elsewhere; count and offset', () => {
  assert.deepEqual(run("[pickZones('Microsoft.ApiManagement', 'service', 'West Europe')]"), ['1']);
  assert.deepEqual(run("[pickZones('Microsoft.ApiManagement', 'service', 'westeurope', 3)]"), ['1', '2', '3']);
  assert.deepEqual(run("[pickZones('Microsoft.ApiManagement', 'service', 'westeurope', 2, 1)]"), ['2', '3']);
  assert.deepEqual(run("[pickZones('Microsoft.ApiManagement', 'service', 'westcentralus')]"), []);
});

test('any list* function is unknown (secrets), fail() stops with its message, bool() converts', () => {
  assert.ok(isUnknown(run("[listKeys('/x', '2022-01-01')]")));
  assert.ok(isUnknown(run("[listClusterAdminCredential('/x', '2022-01-01').kubeconfigs]")));
  assert.throws(() => run("[fail('unsupported sku')]"), /fails the deployment: unsupported sku/);
  assert.equal(run("[if(true, 'ok', fail('never'))]"), 'ok');
  assert.equal(run("[bool('TRUE')]"), true);
  assert.equal(run('[bool(0)]'), false);
  assert.throws(() => run("[bool('yes')]"), /cannot convert/);
  assert.ok(isUnknown(run("[extensions('k8s').config]")));
});

// Issue 17 item 5: real templates pass integers as name segments (copyIndex(), an int parameter).
test('resource id functions take integer name segments, written in decimal', () => {
  assert.equal(
    run("[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 1)]"),
    '/subscriptions/sub/resourceGroups/tollgate-rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/1',
  );
  assert.equal(run("[resourceId('other', 'Microsoft.Sql/servers', 42)]"), '/subscriptions/sub/resourceGroups/other/providers/Microsoft.Sql/servers/42');
  assert.equal(run("[subscriptionResourceId('Microsoft.Resources/resourceGroups', 7)]"), '/subscriptions/sub/providers/Microsoft.Resources/resourceGroups/7');
  assert.equal(run("[tenantResourceId('Microsoft.Management/managementGroups', 3)]"), '/providers/Microsoft.Management/managementGroups/3');
  assert.equal(
    run("[managementGroupResourceId('Microsoft.Authorization/policyDefinitions', 0)]"),
    '/providers/Microsoft.Management/managementGroups/mg1/providers/Microsoft.Authorization/policyDefinitions/0',
  );
  assert.equal(
    run("[extensionResourceId('/subscriptions/sub', 'Microsoft.Authorization/locks', 5)]"),
    '/subscriptions/sub/providers/Microsoft.Authorization/locks/5',
  );
  // Other types are still errors: how ARM would write them is not known.
  assert.throws(() => run("[resourceId('Microsoft.Network/virtualNetworks', true)]"), /must be a string, not/);
  assert.throws(() => run("[resourceId('Microsoft.Network/virtualNetworks', json('1.5'))]"), /must be a string, not/);
});
