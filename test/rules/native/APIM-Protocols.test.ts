import { RuleTester } from '../../../src/testing/index.js';
import rule from '../../../src/rules/native/APIM-Protocols.js';

new RuleTester().run('APIM-Protocols', rule, {
  valid: [
    {
      name: 'nothing set (defaults are off)',
      resource: {
        type: 'Microsoft.ApiManagement/service',
        apiVersion: '2023-05-01-preview',
        name: 'svc',
        sku: { name: 'Premium', capacity: 1 },
        properties: { publisherEmail: 'a@b.c', publisherName: 'x' },
      },
    },
    {
      name: 'all explicitly off',
      resource: {
        type: 'Microsoft.ApiManagement/service',
        apiVersion: '2023-05-01-preview',
        name: 'svc',
        sku: { name: 'Premium', capacity: 1 },
        properties: {
          publisherEmail: 'a@b.c',
          publisherName: 'x',
          customProperties: {
            'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10': 'False',
            'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls11': 'false',
            'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Backend.Protocols.Ssl30': 'False',
          },
        },
      },
    },
  ],
  invalid: [
    {
      name: 'TLS 1.0 on, backend SSL 3.0 on',
      resource: {
        type: 'Microsoft.ApiManagement/service',
        apiVersion: '2023-05-01-preview',
        name: 'svc',
        sku: { name: 'Premium', capacity: 1 },
        properties: {
          publisherEmail: 'a@b.c',
          publisherName: 'x',
          customProperties: {
            'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10': 'True',
            'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Backend.Protocols.Ssl30': 'true',
          },
        },
      },
      errors: 2 /* first: /TLS 1\.0 is enabled from clients/ */,
    },
  ],
});
