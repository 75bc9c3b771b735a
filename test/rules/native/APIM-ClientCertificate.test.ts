import { RuleTester } from '../../../src/testing/index.js';
import rule from '../../../src/rules/native/APIM-ClientCertificate.js';

new RuleTester().run('APIM-ClientCertificate', rule, {
  valid: [
    {
      name: 'Consumption with client certificates',
      resource: {
        type: 'Microsoft.ApiManagement/service',
        apiVersion: '2023-05-01-preview',
        name: 'svc',
        sku: { name: 'Consumption', capacity: 0 },
        properties: { publisherEmail: 'a@b.c', publisherName: 'x', enableClientCertificate: true },
      },
    },
  ],
  invalid: [
    {
      name: 'Consumption without',
      resource: {
        type: 'Microsoft.ApiManagement/service',
        apiVersion: '2023-05-01-preview',
        name: 'svc',
        sku: { name: 'Consumption', capacity: 0 },
        properties: { publisherEmail: 'a@b.c', publisherName: 'x' },
      },
      errors: [{ message: /does not request client certificates/ }],
    },
  ],
  notApplicable: [
    {
      name: 'Premium: not applicable',
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
