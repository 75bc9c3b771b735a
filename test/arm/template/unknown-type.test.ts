import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_DEPLOYMENT, expandTemplate } from '../../../src/arm/template/expand.js';
import { doc, lineOf, template } from '../../helpers.js';

const expand = (t: string) => expandTemplate(doc(t, 'main.json'), undefined, { deployment: DEFAULT_DEPLOYMENT });
const storage = (name: string) => ({ type: 'Microsoft.Storage/storageAccounts', apiVersion: '2023-01-01', name, properties: {} });

// Issue 17 item 5, found on Azure's built-in deployIfNotExists templates (AssociationForCustomProvider_DINE):
// a type read from a parameter without a value is unknown, which is not a defect of the template.
test('a resource whose type is unknown is a warning that it is not checked, not an error; a missing type stays an error', () => {
  const t = template({
    parameters: { kind: { type: 'string' } },
    variables: { type: "[concat(parameters('kind'), '/providers/associations')]" },
    resources: [{ type: "[variables('type')]", apiVersion: 'x', name: 'a' }, { apiVersion: 'x', name: 'b' }, storage('sa1')],
  });
  const { resources, diagnostics } = expand(t);
  assert.deepEqual(
    resources.map((r) => r.name),
    ['sa1'],
  );
  assert.deepEqual(
    diagnostics.map((d) => [d.severity, d.code, d.location?.start.line]),
    [
      ['warning', 'resource-type-unknown', lineOf(t, `"type": "[variables('type')]"`)],
      ['error', 'resource-type', lineOf(t, '"name": "b"') - 2],
    ],
  );
  assert.match(diagnostics[0]!.message, /^the resource type is unknown \(.*required parameter 'kind' has no value.*\): the resource is not checked$/);
});
