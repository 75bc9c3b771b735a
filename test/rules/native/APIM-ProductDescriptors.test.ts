import { RuleTester } from '../../../src/testing/index.js';
import rule from '../../../src/rules/native/APIM-ProductDescriptors.js';

new RuleTester().run('APIM-ProductDescriptors', rule, {
  valid: [
    {
      name: 'both set',
      resource: {
        type: 'Microsoft.ApiManagement/service/products',
        apiVersion: '2023-05-01-preview',
        name: 'svc/p',
        properties: { displayName: 'P', description: 'About P' },
      },
    },
  ],
  invalid: [
    {
      name: 'no display name',
      resource: { type: 'Microsoft.ApiManagement/service/products', apiVersion: '2023-05-01-preview', name: 'svc/p', properties: { description: 'About P' } },
      errors: [{ message: /Product 'p' has no displayName/ }],
    },
  ],
});
