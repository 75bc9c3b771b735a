import { RuleTester } from '../../../src/testing/index.js';
import rule from '../../../src/rules/native/APIM-Name.js';

new RuleTester().run('APIM-Name', rule, {
  valid: [
    {
      name: 'good name',
      resource: {
        type: 'Microsoft.ApiManagement/service',
        apiVersion: '2023-05-01-preview',
        name: 'svc',
        sku: { name: 'Premium', capacity: 1 },
        properties: { publisherEmail: 'a@b.c', publisherName: 'x' },
      },
    },
  ],
  invalid: [
    {
      name: 'starts with a digit',
      resource: {
        type: 'Microsoft.ApiManagement/service',
        apiVersion: '2023-05-01-preview',
        name: '1svc',
        sku: { name: 'Premium', capacity: 1 },
        properties: { publisherEmail: 'a@b.c', publisherName: 'x' },
      },
      errors: [{ message: /does not meet the naming rules/ }],
    },
    {
      name: 'ends with a hyphen',
      resource: {
        type: 'Microsoft.ApiManagement/service',
        apiVersion: '2023-05-01-preview',
        name: 'svc-',
        sku: { name: 'Premium', capacity: 1 },
        properties: { publisherEmail: 'a@b.c', publisherName: 'x' },
      },
      errors: 1,
    },
    {
      name: '51 characters',
      resource: {
        type: 'Microsoft.ApiManagement/service',
        apiVersion: '2023-05-01-preview',
        name: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
        sku: { name: 'Premium', capacity: 1 },
        properties: { publisherEmail: 'a@b.c', publisherName: 'x' },
      },
      errors: 1,
    },
  ],
  undecided: [
    {
      name: 'from an unset parameter',
      resource: {
        type: 'Microsoft.ApiManagement/service',
        apiVersion: '2023-05-01-preview',
        name: "[parameters('n')]",
        sku: { name: 'Premium', capacity: 1 },
        properties: { publisherEmail: 'a@b.c', publisherName: 'x' },
      },
      parameters: { n: { type: 'string' } },
    },
  ],
});
