import { RuleTester } from '../../../src/testing/index.js';
import rule from '../../../src/rules/native/APIM-ProductApproval.js';

new RuleTester().run('APIM-ProductApproval', rule, {
  valid: [
    {
      name: 'required',
      resource: { type: 'Microsoft.ApiManagement/service/products', apiVersion: '2023-05-01-preview', name: 'svc/p', properties: { approvalRequired: true } },
    },
  ],
  invalid: [
    {
      name: 'not required',
      resource: { type: 'Microsoft.ApiManagement/service/products', apiVersion: '2023-05-01-preview', name: 'svc/p', properties: { approvalRequired: false } },
      errors: [{ message: /approvalRequired/ }],
    },
  ],
});
