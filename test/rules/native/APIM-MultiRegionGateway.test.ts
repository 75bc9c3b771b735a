import { RuleTester } from '../../../src/testing/index.js';
import rule from '../../../src/rules/native/APIM-MultiRegionGateway.js';

new RuleTester().run('APIM-MultiRegionGateway', rule, {
  valid: [
    {
      name: 'gateways on',
      resource: {
        type: 'Microsoft.ApiManagement/service',
        apiVersion: '2023-05-01-preview',
        name: 'svc',
        sku: { name: 'Premium', capacity: 1 },
        properties: { publisherEmail: 'a@b.c', publisherName: 'x', additionalLocations: [{ location: 'northeurope' }] },
      },
    },
  ],
  invalid: [
    {
      name: 'a gateway disabled',
      resource: {
        type: 'Microsoft.ApiManagement/service',
        apiVersion: '2023-05-01-preview',
        name: 'svc',
        sku: { name: 'Premium', capacity: 1 },
        properties: { publisherEmail: 'a@b.c', publisherName: 'x', additionalLocations: [{ location: 'northeurope', disableGateway: true }] },
      },
      errors: [{ message: /northeurope is disabled/ }],
    },
  ],
  notApplicable: [
    {
      name: 'no additional locations',
      resource: {
        type: 'Microsoft.ApiManagement/service',
        apiVersion: '2023-05-01-preview',
        name: 'svc',
        sku: { name: 'Premium', capacity: 1 },
        properties: { publisherEmail: 'a@b.c', publisherName: 'x' },
      },
    },
  ],
});
