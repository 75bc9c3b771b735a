import { RuleTester } from '../../../src/testing/index.js';
import rule from '../../../src/rules/native/APIM-MinAPIVersion.js';

new RuleTester().run('APIM-MinAPIVersion', rule, {
  valid: [
    {
      name: 'recent, with a constraint',
      resource: {
        type: 'Microsoft.ApiManagement/service',
        apiVersion: '2023-05-01-preview',
        name: 'svc',
        sku: { name: 'Premium', capacity: 1 },
        properties: { publisherEmail: 'a@b.c', publisherName: 'x', apiVersionConstraint: { minApiVersion: '2021-08-01' } },
      },
    },
  ],
  invalid: [
    {
      name: 'no constraint',
      resource: {
        type: 'Microsoft.ApiManagement/service',
        apiVersion: '2023-05-01-preview',
        name: 'svc',
        sku: { name: 'Premium', capacity: 1 },
        properties: { publisherEmail: 'a@b.c', publisherName: 'x' },
      },
      errors: [{ message: /does not set properties\.apiVersionConstraint\.minApiVersion/ }],
    },
    {
      name: 'old constraint',
      resource: {
        type: 'Microsoft.ApiManagement/service',
        apiVersion: '2023-05-01-preview',
        name: 'svc',
        sku: { name: 'Premium', capacity: 1 },
        properties: { publisherEmail: 'a@b.c', publisherName: 'x', apiVersionConstraint: { minApiVersion: '2019-12-01' } },
      },
      errors: [{ message: /older than 2021-08-01/ }],
    },
    {
      name: 'old deployment API version',
      resource: {
        type: 'Microsoft.ApiManagement/service',
        apiVersion: '2020-12-01',
        name: 'svc',
        sku: { name: 'Premium', capacity: 1 },
        properties: { publisherEmail: 'a@b.c', publisherName: 'x', apiVersionConstraint: { minApiVersion: '2022-08-01' } },
      },
      errors: [{ message: /deployed with API version 2020-12-01/ }],
    },
  ],
});
