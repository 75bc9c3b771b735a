import { RuleTester } from '../../../src/testing/index.js';
import rule from '../../../src/rules/native/APIM-SampleProducts.js';

new RuleTester().run('APIM-SampleProducts', rule, {
  valid: [
    {
      name: 'own product',
      resource: { type: 'Microsoft.ApiManagement/service/products', apiVersion: '2023-05-01-preview', name: 'svc/payments', properties: {} },
    },
  ],
  invalid: [
    {
      name: 'starter',
      resource: { type: 'Microsoft.ApiManagement/service/products', apiVersion: '2023-05-01-preview', name: 'svc/starter', properties: {} },
      errors: [{ message: /sample product/ }],
    },
    {
      name: 'Unlimited, any case',
      resource: { type: 'Microsoft.ApiManagement/service/products', apiVersion: '2023-05-01-preview', name: 'svc/Unlimited', properties: {} },
      errors: 1,
    },
  ],
});
