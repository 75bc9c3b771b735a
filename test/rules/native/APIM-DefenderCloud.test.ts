import { RuleTester } from '../../../src/testing/index.js';
import rule from '../../../src/rules/native/APIM-DefenderCloud.js';

const service = {
  type: 'Microsoft.ApiManagement/service',
  apiVersion: '2023-05-01-preview',
  name: 'svc',
  sku: { name: 'Premium', capacity: 1 },
  properties: { publisherEmail: 'a@b.c', publisherName: 'x' },
};
const api = (properties: object = { path: 'orders' }) => ({
  type: 'Microsoft.ApiManagement/service/apis',
  apiVersion: '2023-05-01-preview',
  name: 'svc/orders',
  properties,
});
// An extension resource: only an ARM template (scope) or Bicep (parent/scope) can write it, so the case gives its own text.
const onboarded = `{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    { "type": "Microsoft.ApiManagement/service", "apiVersion": "2023-05-01-preview", "name": "svc", "sku": { "name": "Premium", "capacity": 1 }, "properties": { "publisherEmail": "a@b.c", "publisherName": "x" } },
    { "type": "Microsoft.ApiManagement/service/apis", "apiVersion": "2023-05-01-preview", "name": "svc/orders", "properties": { "path": "orders" } },
    {
      "type": "Microsoft.Security/apiCollections",
      "apiVersion": "2023-11-15",
      "name": "orders",
      "scope": "[resourceId('Microsoft.ApiManagement/service', 'svc')]"
    }
  ]
}
`;

new RuleTester().run('APIM-DefenderCloud', rule, {
  valid: [{ name: 'an API collection named after the API', template: onboarded, shapes: ['arm'] }],
  invalid: [
    {
      name: 'no API collection',
      resource: api(),
      resources: [service],
      errors: [{ messageId: 'notOnboarded', path: 'name', message: /API 'orders' is not onboarded/ }],
    },
  ],
  notApplicable: [{ name: 'a SOAP API', resource: api({ path: 'orders', apiType: 'soap' }) }],
});
