import { RuleTester } from '../../../src/testing/index.js';
import rule from '../../../src/rules/native/APIM-APIDescriptors.js';

new RuleTester().run('APIM-APIDescriptors', rule, {
  valid: [
    {
      name: 'both set',
      resource: {
        type: 'Microsoft.ApiManagement/service/apis',
        apiVersion: '2023-05-01-preview',
        name: 'svc/a',
        properties: { displayName: 'A', description: 'About A', path: 'a' },
      },
    },
  ],
  invalid: [
    {
      name: 'no description',
      resource: { type: 'Microsoft.ApiManagement/service/apis', apiVersion: '2023-05-01-preview', name: 'svc/a', properties: { displayName: 'A', path: 'a' } },
      errors: [{ message: /API 'a' has no description/ }],
    },
    {
      name: 'neither',
      resource: { type: 'Microsoft.ApiManagement/service/apis', apiVersion: '2023-05-01-preview', name: 'svc/a', properties: { path: 'a', description: '' } },
      errors: 2,
    },
  ],
});
