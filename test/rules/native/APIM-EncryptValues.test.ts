import { RuleTester } from '../../../src/testing/index.js';
import rule from '../../../src/rules/native/APIM-EncryptValues.js';

new RuleTester().run('APIM-EncryptValues', rule, {
  valid: [
    {
      name: 'Key Vault reference',
      resource: {
        type: 'Microsoft.ApiManagement/service/namedValues',
        apiVersion: '2023-05-01-preview',
        name: 'svc/nv',
        properties: { displayName: 'nv', keyVault: { secretIdentifier: 'https://kv.vault.azure.net/secrets/x' } },
      },
    },
  ],
  invalid: [
    {
      name: 'secret: true alone',
      resource: {
        type: 'Microsoft.ApiManagement/service/namedValues',
        apiVersion: '2023-05-01-preview',
        name: 'svc/nv',
        properties: { displayName: 'nv', secret: true, value: 'x' },
      },
      errors: [{ message: /marked secret but stored in API Management/ }],
    },
    {
      name: 'plain value',
      resource: {
        type: 'Microsoft.ApiManagement/service/namedValues',
        apiVersion: '2023-05-01-preview',
        name: 'svc/nv',
        properties: { displayName: 'nv', value: 'x' },
      },
      errors: 1,
    },
  ],
});
