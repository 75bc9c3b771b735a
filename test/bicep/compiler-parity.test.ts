// Constructs where Tollgate's lowering used to differ from the official Bicep compiler on real
// modules (issue 18: AVM modules whose `tollgate expand main.bicep` differed from `main.json`).
// Each test is Bicep in, the resources or outputs the compiler's template expands to out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_DEPLOYMENT, expandTemplate, type Expansion } from '../../src/arm/template/expand.js';
import { loadBicep } from '../../src/bicep/load-bicep.js';
import { linkedFileLoader } from '../../src/input/linked-files.js';
import { SourceFile } from '../../src/load/source-file.js';
import { isUnknown } from '../../src/resources/value.js';
import { tempTree } from '../helpers.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

/** Expands `main.bicep` of a temporary folder holding `files`. */
function expandBicep(files: Record<string, string>): Expansion & { errors: string[] } {
  const dir = tempTree(files);
  const source = path.join(dir, 'main.bicep');
  const options = { deployment: DEFAULT_DEPLOYMENT, loadLinked: linkedFileLoader([dir], dir) };
  const loaded = loadBicep(new SourceFile(source, 'main.bicep', readFileSync(source, 'utf8')));
  const e = expandTemplate(loaded.document, undefined, options);
  // Errors of lowering and of expansion, as messages.
  const errors = [...loaded.diagnostics, ...e.diagnostics].filter((d) => d.severity === 'error').map((d) => d.message);
  return Object.assign(e, { errors });
}

function outputs(e: Expansion): Record<string, unknown> {
  return Object.fromEntries(Object.entries(e.outputs()).map(([k, o]) => [k, (o as { value?: unknown } | null)?.value]));
}

test('a resource type takes the casing of Azure schemas in type, id and resourceId (as the compiler writes it)', () => {
  const e = expandBicep({
    'main.bicep': lines(
      "resource pip 'Microsoft.Network/publicIpAddresses@2024-05-01' = {",
      "  name: 'pip1'",
      "  location: 'eastus'",
      '}',
      "resource unknownType 'Contoso.Widgets/gadgetThings@2024-01-01' = {",
      "  name: 'g1'",
      '}',
      'output id string = pip.id',
      'output type string = pip.type',
      'output other string = unknownType.id',
    ),
  });
  const pip = e.resources.find((r) => r.name === 'pip1')!;
  assert.equal(pip.type, 'Microsoft.Network/publicIPAddresses');
  assert.equal((pip.body as { type: string }).type, 'Microsoft.Network/publicIPAddresses');
  const o = outputs(e);
  assert.equal(o.id, '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/tollgate-rg/providers/Microsoft.Network/publicIPAddresses/pip1');
  assert.equal(o.type, 'Microsoft.Network/publicIPAddresses');
  // A type the schemas do not know is kept as written.
  assert.match(String(o.other), /providers\/Contoso\.Widgets\/gadgetThings\/g1$/);
});

test('a type spelt differently by some API versions takes the casing of the version used (AVM insights/component/linked-storage-account)', () => {
  const e = expandBicep({
    'main.bicep': lines(
      "resource old 'Microsoft.Insights/diagnosticSettings@2016-09-01' = {",
      "  name: 'old'",
      '}',
      "resource current 'microsoft.insights/diagnosticSettings@2021-05-01-preview' = {",
      "  name: 'current'",
      '}',
      "resource app 'Microsoft.Insights/components@2020-02-02' existing = {",
      "  name: 'app'",
      '}',
      "resource linked 'Microsoft.Insights/components/linkedStorageAccounts@2020-03-01-preview' = {",
      '  parent: app',
      "  name: 'ServiceProfiler'",
      '}',
      'output linked string = linked.id',
    ),
  });
  assert.equal(e.resources.find((r) => r.name === 'old')!.type, 'microsoft.insights/diagnosticSettings');
  assert.equal(e.resources.find((r) => r.name === 'current')!.type, 'Microsoft.Insights/diagnosticSettings');
  // The compiler's main.json: "type": "microsoft.insights/components/linkedStorageAccounts" and
  // resourceId('microsoft.insights/components/linkedStorageAccounts', …) for the output.
  assert.equal(e.resources.find((r) => r.name === 'app/ServiceProfiler')!.type, 'microsoft.insights/components/linkedStorageAccounts');
  assert.match(String(outputs(e).linked), /providers\/microsoft\.insights\/components\/app\/linkedStorageAccounts\/ServiceProfiler$/);
});

test("the non-null assertion '!' on a resource or module changes nothing: law!.properties.x, law!.listKeys(), m!.outputs.x; a::b.listKeys()", () => {
  const e = expandBicep({
    'main.bicep': lines(
      "resource law 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {",
      "  name: 'law1'",
      "  location: 'eastus'",
      '  properties: { retentionInDays: 30 }',
      '}',
      "resource sa 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {",
      "  name: 'sa1'",
      "  resource blob 'blobServices' existing = {",
      "    name: 'default'",
      '  }',
      '}',
      "module m 'mod.bicep' = { name: 'm' }",
      'output retention int = law!.properties.retentionInDays',
      'output id string = law!.id',
      'output keys object = law!.listKeys()',
      'output blobKeys object = sa::blob.listKeys()',
      'output fromModule string = m!.outputs.x',
    ),
    'mod.bicep': "output x string = 'hello'\n",
  });
  assert.deepEqual(e.errors, []);
  const o = outputs(e);
  assert.equal(o.retention, 30);
  assert.match(String(o.id), /\/providers\/Microsoft\.OperationalInsights\/workspaces\/law1$/);
  assert.ok(isUnknown(o.keys), 'list*() is known only at deployment');
  assert.ok(isUnknown(o.blobKeys), 'list*() is known only at deployment');
  assert.equal(o.fromModule, 'hello');
});

test("a union type written over lines (`param p` then `| 'A'` lines) and a nullable literal union (`'A' | 'B'?`)", () => {
  const e = expandBicep({
    'main.bicep': lines(
      'param kind',
      "  | 'A'",
      "  | 'B' = 'B'",
      "param opt 'X' | 'Y'?",
      'type disk = {',
      '  storageAccountType:',
      "    | 'Premium_LRS'",
      "    | 'Standard_LRS'?",
      '}',
      'param d disk = {}',
      'output kind string = kind',
      "output opt string = opt ?? 'none'",
    ),
  });
  assert.deepEqual(e.errors, []);
  const o = outputs(e);
  assert.equal(o.kind, 'B');
  // The compiler: allowedValues ['X', 'Y'] and nullable, so no value is null, not an error.
  assert.equal(o.opt, 'none');
});

test('the id of a resource whose name is unknown is unknown: guid() and uniqueString() over it are unknown, not made up', () => {
  const e = expandBicep({
    'main.bicep': lines(
      'param name string',
      "resource kv 'Microsoft.KeyVault/vaults@2023-07-01' = {",
      '  name: name',
      "  location: 'eastus'",
      "  properties: { tenantId: tenant().tenantId, sku: { family: 'A', name: 'standard' } }",
      '}',
      "resource ra 'Microsoft.Authorization/roleAssignments@2022-04-01' = {",
      '  scope: kv',
      "  name: guid(kv.id, 'reader')",
      "  properties: { principalId: 'p', roleDefinitionId: 'r' }",
      '}',
      'output u string = uniqueString(kv.id)',
      'output id string = kv.id',
    ),
  });
  const ra = e.resources.find((r) => r.type === 'Microsoft.Authorization/roleAssignments')!;
  assert.ok(isUnknown(ra.name) || /<unknown/.test(ra.name), `guid() over an unknown id is unknown, got ${ra.name}`);
  const o = outputs(e);
  assert.ok(isUnknown(o.u));
  assert.ok(isUnknown(o.id));
});

test('the id of a resource whose condition is false is still known (ARM computes it from type and name); it is not deployed', () => {
  const e = expandBicep({
    'main.bicep': lines(
      'param deploy bool = false',
      "resource law 'Microsoft.OperationalInsights/workspaces@2023-09-01' = if (deploy) {",
      "  name: 'law1'",
      "  location: 'eastus'",
      '}',
      "resource diag 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {",
      "  name: 'd'",
      '  properties: { workspaceId: law.id }',
      '}',
      'output id string = law.id',
    ),
  });
  assert.deepEqual(e.errors, []);
  assert.equal(e.resources.length, 1, 'only the diagnostic setting is deployed');
  const id = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/tollgate-rg/providers/Microsoft.OperationalInsights/workspaces/law1';
  assert.equal(outputs(e).id, id);
  assert.equal((e.resources[0]!.body as { properties: { workspaceId: string } }).properties.workspaceId, id);
});

test('an existing resource with scope: resourceGroup(sub, rg), resourceGroup(rg) or subscription() has its id there', () => {
  const e = expandBicep({
    'main.bicep': lines(
      "param kvId string = '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/other-rg/providers/Microsoft.KeyVault/vaults/kv1'",
      "resource kv 'Microsoft.KeyVault/vaults@2023-07-01' existing = {",
      "  name: last(split(kvId, '/'))",
      "  scope: resourceGroup(split(kvId, '/')[2], split(kvId, '/')[4])",
      '}',
      "resource kv2 'Microsoft.KeyVault/vaults@2023-07-01' existing = {",
      "  name: 'kv2'",
      "  scope: resourceGroup('rg2')",
      '}',
      "resource def 'Microsoft.Authorization/roleDefinitions@2022-04-01' existing = {",
      "  name: 'abc'",
      '  scope: subscription()',
      '}',
      'output kv string = kv.id',
      'output kv2 string = kv2.id',
      'output def string = def.id',
    ),
  });
  assert.deepEqual(e.errors, []);
  assert.deepEqual(outputs(e), {
    kv: '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/other-rg/providers/Microsoft.KeyVault/vaults/kv1',
    kv2: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg2/providers/Microsoft.KeyVault/vaults/kv2',
    def: '/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleDefinitions/abc',
  });
});

test('mod.?outputs.?x of a module whose condition is false is null (the compiler reads it through if(condition, reference(mod), null()))', () => {
  const files = (deploy: boolean) => ({
    'main.bicep': lines(
      `param deploy bool = ${deploy}`,
      "module m 'mod.bicep' = if (deploy) {",
      "  name: 'm'",
      '}',
      'output x string? = m.?outputs.?x',
      "output y string = m.?outputs.?x ?? 'fallback'",
    ),
    'mod.bicep': "output x string = 'hello'\n",
  });
  const off = expandBicep(files(false));
  assert.deepEqual(off.errors, []);
  assert.deepEqual(outputs(off), { x: null, y: 'fallback' });
  assert.deepEqual(outputs(expandBicep(files(true))), { x: 'hello', y: 'hello' });
});

test('loadJsonContent() content is a JSON value in a variable, as the compiler writes it: a large file is not an expression over the 24,576-character limit', () => {
  const big = { items: Array.from({ length: 2000 }, (_, i) => ({ name: `item-${i}`, value: '[not an expression]' })) };
  const e = expandBicep({
    'main.bicep': lines(
      "var data = loadJsonContent('data.json')",
      "var first = loadJsonContent('data.json', '$.items[0].name')",
      "resource sa 'Microsoft.Storage/storageAccounts@2023-05-01' = {",
      "  name: 'sa1'",
      "  location: 'eastus'",
      '  tags: { count: string(length(data.items)), first: first, literal: data.items[1].value }',
      '}',
    ),
    'data.json': JSON.stringify(big),
  });
  assert.ok(JSON.stringify(big).length > 24_576);
  assert.deepEqual(e.errors, []);
  assert.deepEqual((e.resources[0]!.body as { tags: unknown }).tags, { count: '2000', first: 'item-0', literal: '[not an expression]' });
});

test("null passed to a module parameter that has a default gives the default (ARM reads null as no value; AVM's name: database.?name)", () => {
  const e = expandBicep({
    'main.bicep': lines(
      'param database object = {}',
      "module m 'mod.bicep' = {",
      "  name: 'm'",
      '  params: { name: database.?name, other: database.?other }',
      '}',
      'output name string = m.outputs.name',
    ),
    'mod.bicep': lines(
      "param name string = 'default'",
      'param other string?',
      "resource db 'Microsoft.Cache/redisEnterprise/databases@2025-07-01' = {",
      "  name: 'cluster/${name}'",
      '}',
      'output name string = name',
      "output other string = other ?? 'none'",
    ),
  });
  assert.deepEqual(e.errors, []);
  assert.equal(outputs(e).name, 'default');
  assert.ok(e.resources.some((r) => r.name === 'cluster/default'));
});

test("a module with scope: resourceGroup() deploys to the file's own resource group: no location, as without a scope", () => {
  const e = expandBicep({
    'main.bicep': lines("module m 'mod.bicep' = {", "  name: 'm'", '  scope: resourceGroup()', '}'),
    'mod.bicep': "output x string = 'hello'\n",
  });
  assert.deepEqual(e.errors, []);
  const m = e.resources.find((r) => r.type === 'Microsoft.Resources/deployments')!;
  assert.equal((m.body as { location?: string }).location, undefined);
});

test('a module in a loop without a name is named after its symbol, its index and uniqueString, as the compiler names it', () => {
  const e = expandBicep({
    'main.bicep': lines("module m 'mod.bicep' = [for i in range(0, 2): {", '  params: { i: i }', '}]'),
    'mod.bicep': 'param i int\noutput x int = i\n',
  });
  assert.deepEqual(e.errors, []);
  const names = e.resources.filter((r) => r.type === 'Microsoft.Resources/deployments').map((r) => r.name);
  assert.equal(names.length, 2);
  assert.match(names[0]!, /^m-0-[a-z0-9]{13}$/);
  assert.match(names[1]!, /^m-1-[a-z0-9]{13}$/);
});

test('res[i].?id of a looped resource whose condition is false for that instance is null, as the compiler writes it (if(condition, id, null()))', () => {
  const e = expandBicep({
    'main.bicep': lines(
      "param disks array = [ { name: 'd0' }, { name: 'd1', resourceId: '/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/disks/x' } ]",
      "resource managed 'Microsoft.Compute/disks@2025-01-02' = [for (disk, i) in disks: if (empty(disk.?resourceId)) {",
      '  name: disk.name',
      "  location: 'eastus'",
      '}]',
      'param deployOne bool = false',
      "resource one 'Microsoft.Compute/disks@2025-01-02' = if (deployOne) {",
      "  name: 'one'",
      "  location: 'eastus'",
      '}',
      'output ids array = [for (disk, i) in disks: disk.?resourceId ?? managed[i].?id]',
      'output one string? = one.?id',
    ),
  });
  assert.deepEqual(e.errors, []);
  assert.deepEqual(outputs(e), {
    ids: [
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/tollgate-rg/providers/Microsoft.Compute/disks/d0',
      '/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/disks/x',
    ],
    one: null,
  });
});

test("an interpolated object key stays a key ('${id}': {}), evaluated by ARM as the compiler writes it; unknown, it keeps its value checkable", () => {
  const e = expandBicep({
    'main.bicep': lines(
      'param id string',
      "param known string = 'abc'",
      "resource sa 'Microsoft.Storage/storageAccounts@2023-05-01' = {",
      "  name: 'sa1'",
      "  location: 'eastus'",
      "  tags: { 'hidden-link:${id}': 'Resource', '${known}-x': 'v', plain: 'p' }",
      '}',
    ),
  });
  assert.deepEqual((e.resources[0]!.body as { tags: unknown }).tags, { "[format('hidden-link:{0}', parameters('id'))]": 'Resource', 'abc-x': 'v', plain: 'p' });
});

test("an interpolated key over a resource's id ('${identity.id}': {}) is written as the compiler writes it: resourceId(type, name), the same id when known", () => {
  const e = expandBicep({
    'main.bicep': lines(
      'param name string',
      "resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {",
      "  name: 'temp-${name}'",
      "  location: 'eastus'",
      '}',
      "resource known 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {",
      "  name: 'fixed'",
      "  location: 'eastus'",
      '}',
      "resource script 'Microsoft.Resources/deploymentScripts@2023-08-01' = {",
      "  name: 'script'",
      "  location: 'eastus'",
      "  kind: 'AzureCLI'",
      "  identity: { type: 'UserAssigned', userAssignedIdentities: { '${identity.id}': {}, '${known.id}': {} } }",
      "  properties: { azCliVersion: '2.60.0', retentionInterval: 'PT1H', tags: { id: identity.id } }",
      '}',
    ),
  });
  const script = e.resources.find((r) => r.type === 'Microsoft.Resources/deploymentScripts')!;
  const body = script.body as { identity: { userAssignedIdentities: Record<string, unknown> }; properties: { tags: { id: unknown } } };
  const knownId = `/subscriptions/${DEFAULT_DEPLOYMENT.subscriptionId}/resourceGroups/${DEFAULT_DEPLOYMENT.resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/fixed`;
  assert.deepEqual(Object.keys(body.identity.userAssignedIdentities), [
    "[format('{0}', resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', format('temp-{0}', parameters('name'))))]",
    knownId,
  ]);
  // Outside a key the id is a value like any other (unknown here: the name is a parameter without a value).
  assert.ok(isUnknown(body.properties.tags.id as never));
});

test('@secure() over a resourceInput<> type: the value passed is a secret (the compiler types it securestring or secureObject from the schema)', () => {
  const e = expandBicep({
    'main.bicep': lines(
      "module vm 'vm.bicep' = {",
      "  name: 'vm'",
      "  params: { osProfile: { adminUsername: 'azureuser', adminPassword: 'P@ssw0rd-not-for-reports' } }",
      '}',
    ),
    'vm.bicep': lines(
      '@secure()',
      "param osProfile resourceInput<'Microsoft.Compute/virtualMachines@2024-03-01'>.properties.osProfile",
      "resource vm 'Microsoft.Compute/virtualMachines@2024-03-01' = {",
      "  name: 'vm1'",
      "  location: 'eastus'",
      '  properties: { osProfile: osProfile }',
      '}',
    ),
  });
  assert.deepEqual(e.errors, []);
  assert.ok(e.secrets.has('P@ssw0rd-not-for-reports'), 'the password is known as a secret, so reports mask it');
  assert.ok(e.secrets.has('azureuser'), 'every string of a secure object is');
});
