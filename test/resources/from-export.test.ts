import { test } from 'node:test';
import assert from 'node:assert/strict';
import { looksLikeExport, resourcesFromExport } from '../../src/resources/from-export.js';
import { getPath } from '../../src/resources/value.js';
import { doc, lineOf } from '../helpers.js';

const SUB = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service';

test('ARM GET shape: a child with a leaf name gets its full name from the id', () => {
  const text = JSON.stringify(
    [
      { id: `${SUB}/svc`, name: 'svc', type: 'Microsoft.ApiManagement/service', location: 'westeurope', properties: {} },
      { id: `${SUB}/svc/backends/pay`, name: 'pay', type: 'Microsoft.ApiManagement/service/backends', properties: { url: 'http://pay' } },
    ],
    null,
    2,
  );
  assert.ok(looksLikeExport(JSON.parse(text)));
  const resources = resourcesFromExport(doc(text, 'export.json'));
  assert.deepEqual(
    resources.map((r) => [r.type, r.name, r.id]),
    [
      ['Microsoft.ApiManagement/service', 'svc', `${SUB}/svc`],
      ['Microsoft.ApiManagement/service/backends', 'svc/pay', `${SUB}/svc/backends/pay`],
    ],
  );
  const located = resources[1]!.source.locate(['properties', 'url']);
  assert.equal(located.location.start.line, lineOf(text, '"url": "http://pay"'));
});

test('Get-AzResource shape: PascalCase keys and children nested under resources', () => {
  const text = JSON.stringify(
    {
      Name: 'svc',
      ResourceName: 'svc',
      ResourceType: 'Microsoft.ApiManagement/service',
      ResourceId: `${SUB}/svc`,
      Location: 'westeurope',
      Properties: { PublisherEmail: 'a@b.c' },
      resources: [
        { Name: 'orders', ResourceType: 'Microsoft.ApiManagement/service/apis', Properties: { ServiceUrl: 'HTTP://orders' } },
        {
          Name: 'svc/pay',
          ResourceType: 'Microsoft.ApiManagement/service/backends',
          ResourceId: `${SUB}/svc/backends/pay`,
          Properties: { Url: 'https://pay' },
        },
      ],
    },
    null,
    2,
  );
  const resources = resourcesFromExport(doc(text, 'export.json'));
  assert.deepEqual(
    resources.map((r) => [r.type, r.name]),
    [
      ['Microsoft.ApiManagement/service', 'svc'],
      ['Microsoft.ApiManagement/service/apis', 'svc/orders'],
      ['Microsoft.ApiManagement/service/backends', 'svc/pay'],
    ],
  );
  assert.equal(resources[1]!.parent, resources[0]);
  // Rules read properties in ARM's case-insensitive way.
  assert.equal(getPath(resources[1]!.body, 'properties.serviceUrl'), 'HTTP://orders');
  assert.equal(getPath(resources[0]!.body, 'location'), 'westeurope');
  assert.equal(resources[1]!.source.locate(['properties', 'serviceUrl']).location.start.line, lineOf(text, '"ServiceUrl"'));
});

test('an ARM list response ({ "value": [...] }) is an export', () => {
  const text = JSON.stringify({ value: [{ id: `${SUB}/svc`, name: 'svc', type: 'Microsoft.ApiManagement/service', properties: {} }] });
  assert.equal(resourcesFromExport(doc(text)).length, 1);
});

test('ordinary JSON is not mistaken for an export', () => {
  assert.equal(looksLikeExport({ name: 'my-package', version: '1.0.0' }), false);
  assert.equal(looksLikeExport({ type: 'module', name: 'x', properties: {} }), false);
  assert.equal(looksLikeExport([]), false);
});
