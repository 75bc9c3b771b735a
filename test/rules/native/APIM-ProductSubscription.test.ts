import { RuleTester } from '../../../src/testing/index.js';
import rule from '../../../src/rules/native/APIM-ProductSubscription.js';

new RuleTester().run('APIM-ProductSubscription', rule, {
  valid: [
    {
      name: 'required',
      resource: {
        type: 'Microsoft.ApiManagement/service/products',
        apiVersion: '2023-05-01-preview',
        name: 'svc/p',
        properties: { displayName: 'p', subscriptionRequired: true },
      },
    },
  ],
  invalid: [
    {
      name: 'not required',
      resource: {
        type: 'Microsoft.ApiManagement/service/products',
        apiVersion: '2023-05-01-preview',
        name: 'svc/p',
        properties: { displayName: 'p', subscriptionRequired: false },
      },
      errors: 1,
    },
    {
      name: 'absent',
      resource: { type: 'Microsoft.ApiManagement/service/products', apiVersion: '2023-05-01-preview', name: 'svc/p', properties: { displayName: 'p' } },
      errors: 1,
    },
  ],
});
