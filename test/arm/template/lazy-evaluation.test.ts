// ARM evaluates a variable only where it is read and an existing resource only where it is used
// (issue 17 item 5): the errors of unused ones are not reported; those of used ones are, at the
// definition, naming the read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_DEPLOYMENT, expandTemplate } from '../../../src/arm/template/expand.js';
import { doc, lineOf, template } from '../../helpers.js';

const expand = (t: string) => expandTemplate(doc(t, 'main.json'), undefined, { deployment: DEFAULT_DEPLOYMENT });
const storage = (name: string, properties: object = {}) => ({ type: 'Microsoft.Storage/storageAccounts', apiVersion: '2023-01-01', name, properties });

test('a variable nothing reads is not evaluated: its error is not reported', () => {
  const t = template({ variables: { unused: '[div(1, 0)]', fine: 'sa1' }, resources: [storage("[variables('fine')]")] });
  const { resources, diagnostics } = expand(t);
  assert.deepEqual(diagnostics, []);
  assert.equal(resources[0]!.name, 'sa1');
});

test("a variable's error is reported once, at its definition, naming where it is read", () => {
  const t = template({ variables: { bad: '[div(2, 0)]' }, resources: [storage('sa1', { a: "[variables('bad')]", b: "[variables('bad')]" })] });
  const { diagnostics } = expand(t);
  assert.equal(diagnostics.length, 1);
  const d = diagnostics[0]!;
  assert.equal(d.location?.start.line, lineOf(t, '"bad": "[div(2, 0)]"'));
  const readLine = lineOf(t, `"a": "[variables('bad')]"`);
  assert.match(d.message, new RegExp(`^cannot evaluate: div: division by zero \\(variable 'bad', read at main\\.json:${readLine}:\\d+\\)$`));
});

test('a chain of variables names each read once: the failing one is read by the next', () => {
  const t = template({
    variables: { inner: '[div(2, 0)]', outer: "[add(variables('inner'), 1)]" },
    resources: [storage('sa1', { a: "[variables('outer')]" })],
  });
  const { diagnostics } = expand(t);
  assert.equal(diagnostics.length, 1);
  assert.match(diagnostics[0]!.message, new RegExp(`\\(variable 'inner', read at main\\.json:${lineOf(t, '"outer":')}:\\d+\\)$`));
});

// PSRule.Rules.Azure issue 2917's case: Bicep `existing` resources named from an optional id.
const existingIdentity = {
  type: 'Microsoft.ManagedIdentity/userAssignedIdentities',
  apiVersion: '2023-01-31',
  existing: true,
  resourceGroup: "[split(parameters('identityId'), '/')[4]]",
  name: "[split(parameters('identityId'), '/')[8]]",
};

test('an existing resource nothing uses is not evaluated: its errors are not reported', () => {
  const t = template({
    languageVersion: '2.0',
    parameters: { identityId: { type: 'string', defaultValue: '' } },
    resources: {
      identity: existingIdentity,
      other: { ...existingIdentity, dependsOn: ['identity'] },
      // The only user is a deployment whose condition is false.
      child: { condition: "[not(empty(parameters('identityId')))]", ...storage('sa0', { p: "[reference('identity').principalId]" }) },
      sa: storage('sa1'),
    },
  });
  const { resources, diagnostics } = expand(t);
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(
    resources.map((r) => r.name),
    ['sa1'],
  );
});

test('an existing resource that is used reports its errors: by reference(), resourceInfo(), dependsOn or a child', () => {
  const uses: Record<string, object> = {
    reference: storage('sa1', { p: "[reference('identity').principalId]" }),
    resourceInfo: storage('sa1', { p: "[resourceInfo('identity').id]" }),
    dependsOn: { ...storage('sa1'), dependsOn: ['identity'] },
  };
  for (const [how, user] of Object.entries(uses)) {
    const t = template({
      languageVersion: '2.0',
      parameters: { identityId: { type: 'string', defaultValue: '' } },
      resources: { identity: existingIdentity, user },
    });
    const { diagnostics } = expand(t);
    assert.deepEqual(
      diagnostics.map((d) => [d.location?.start.line, d.message]).sort((a, b) => Number(a[0]) - Number(b[0])),
      [
        [lineOf(t, '"resourceGroup"'), 'cannot evaluate: index 4 is out of range for an array of length 1'],
        [lineOf(t, '"name": "[split'), 'cannot evaluate: index 8 is out of range for an array of length 1'],
      ],
      how,
    );
  }
  const withChild = template({
    parameters: { vaultId: { type: 'string', defaultValue: '' } },
    resources: [
      {
        type: 'Microsoft.KeyVault/vaults',
        apiVersion: '2023-07-01',
        existing: true,
        name: "[split(parameters('vaultId'), '/')[8]]",
        resources: [{ type: 'secrets', apiVersion: '2023-07-01', name: 's', properties: {} }],
      },
    ],
  });
  assert.deepEqual(
    expand(withChild).diagnostics.map((d) => d.message),
    ['cannot evaluate: index 8 is out of range for an array of length 1'],
  );
});

test('a variable first evaluated for an unused existing resource is still reported when a deployed resource reads it', () => {
  const t = template({
    languageVersion: '2.0',
    variables: { vaultName: "[split('', '/')[8]]" },
    resources: {
      vault: { type: 'Microsoft.KeyVault/vaults', apiVersion: '2023-07-01', existing: true, name: "[variables('vaultName')]" },
      sa: storage("[variables('vaultName')]"),
    },
  });
  const { diagnostics } = expand(t);
  assert.equal(diagnostics.length, 1);
  assert.equal(diagnostics[0]!.location?.start.line, lineOf(t, '"vaultName": '));
  assert.match(
    diagnostics[0]!.message,
    /^cannot evaluate: index 8 is out of range for an array of length 1 \(variable 'vaultName', read at main\.json:\d+:\d+\)$/,
  );
});

test("a parameter's problem found through a variable stays the parameter's: it does not name the variable's read", () => {
  const t = template({
    parameters: { sku: { type: 'string', allowedValues: ['a', 'b'], defaultValue: 'c' } },
    variables: { skuName: "[toUpper(parameters('sku'))]" },
    resources: [storage('sa1', { sku: "[variables('skuName')]" })],
  });
  const { diagnostics } = expand(t);
  assert.equal(diagnostics.length, 1);
  assert.equal(diagnostics[0]!.code, 'parameter-value');
  assert.doesNotMatch(diagnostics[0]!.message, /read at/);
});
