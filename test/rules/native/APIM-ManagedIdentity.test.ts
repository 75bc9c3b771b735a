import { RuleTester } from '../../../src/testing/index.js';
import rule from '../../../src/rules/native/APIM-ManagedIdentity.js';

new RuleTester().run('APIM-ManagedIdentity', rule, {
  valid: [
    {
      name: 'system assigned',
      resource: {
        type: 'Microsoft.ApiManagement/service',
        apiVersion: '2023-05-01-preview',
        name: 'svc',
        sku: { name: 'Premium', capacity: 1 },
        properties: { publisherEmail: 'a@b.c', publisherName: 'x' },
        identity: { type: 'SystemAssigned' },
      },
    },
    {
      name: 'both, with spaces',
      resource: {
        type: 'Microsoft.ApiManagement/service',
        apiVersion: '2023-05-01-preview',
        name: 'svc',
        sku: { name: 'Premium', capacity: 1 },
        properties: { publisherEmail: 'a@b.c', publisherName: 'x' },
        identity: { type: 'SystemAssigned, UserAssigned' },
      },
    },
  ],
  invalid: [
    {
      name: 'none',
      resource: {
        type: 'Microsoft.ApiManagement/service',
        apiVersion: '2023-05-01-preview',
        name: 'svc',
        sku: { name: 'Premium', capacity: 1 },
        properties: { publisherEmail: 'a@b.c', publisherName: 'x' },
        identity: { type: 'None' },
      },
      errors: [{ message: /identity\.type is 'None'/ }],
    },
    {
      name: 'absent',
      resource: {
        type: 'Microsoft.ApiManagement/service',
        apiVersion: '2023-05-01-preview',
        name: 'svc',
        sku: { name: 'Premium', capacity: 1 },
        properties: { publisherEmail: 'a@b.c', publisherName: 'x' },
      },
      errors: [{ message: /has no managed identity/ }],
    },
  ],
});
