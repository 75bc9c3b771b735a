import { RuleTester } from '../../../src/testing/index.js';
import rule from '../../../src/rules/native/APIM-PublicNetworkAccess.js';

new RuleTester().run('APIM-PublicNetworkAccess', rule, {
  valid: [
    {
      name: 'disabled',
      resource: {
        type: 'Microsoft.ApiManagement/service',
        apiVersion: '2023-05-01-preview',
        name: 'svc',
        sku: { name: 'Premium', capacity: 1 },
        properties: { publisherEmail: 'a@b.c', publisherName: 'x', publicNetworkAccess: 'Disabled' },
      },
    },
  ],
  invalid: [
    {
      name: 'enabled',
      resource: {
        type: 'Microsoft.ApiManagement/service',
        apiVersion: '2023-05-01-preview',
        name: 'svc',
        sku: { name: 'Premium', capacity: 1 },
        properties: { publisherEmail: 'a@b.c', publisherName: 'x', publicNetworkAccess: 'Enabled' },
      },
      errors: 1,
    },
    {
      name: 'absent (default enabled)',
      resource: {
        type: 'Microsoft.ApiManagement/service',
        apiVersion: '2023-05-01-preview',
        name: 'svc',
        sku: { name: 'Premium', capacity: 1 },
        properties: { publisherEmail: 'a@b.c', publisherName: 'x' },
      },
      errors: [{ message: /\(the default\)/ }],
    },
  ],
});
