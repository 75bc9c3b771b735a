import { RuleTester } from '../../../src/testing/index.js';
import rule from '../../../src/rules/native/APIM-MultiRegion.js';

new RuleTester().run('APIM-MultiRegion', rule, {
  valid: [
    {
      name: 'Premium with an extra region',
      resource: {
        type: 'Microsoft.ApiManagement/service',
        apiVersion: '2023-05-01-preview',
        name: 'svc',
        sku: { name: 'Premium', capacity: 1 },
        properties: { publisherEmail: 'a@b.c', publisherName: 'x', additionalLocations: [{ location: 'northeurope', sku: { name: 'Premium', capacity: 1 } }] },
      },
    },
  ],
  invalid: [
    {
      name: 'Premium, one region',
      resource: {
        type: 'Microsoft.ApiManagement/service',
        apiVersion: '2023-05-01-preview',
        name: 'svc',
        sku: { name: 'Premium', capacity: 1 },
        properties: { publisherEmail: 'a@b.c', publisherName: 'x' },
      },
      errors: [{ message: /runs in one region/ }],
    },
    {
      name: 'Developer tier',
      resource: {
        type: 'Microsoft.ApiManagement/service',
        apiVersion: '2023-05-01-preview',
        name: 'svc',
        sku: { name: 'Developer', capacity: 1 },
        properties: { publisherEmail: 'a@b.c', publisherName: 'x' },
      },
      errors: [{ message: /Developer tier/ }],
    },
  ],
});
