import { RuleTester } from '../../../src/testing/index.js';
import rule from '../../../src/rules/native/APIM-HTTPEndpoint.js';

const api = (properties: object) => ({ type: 'Microsoft.ApiManagement/service/apis', apiVersion: '2023-05-01-preview', name: 'svc/a', properties });

new RuleTester().run('APIM-HTTPEndpoint', rule, {
  valid: [
    { name: 'https only', resource: api({ path: 'a', protocols: ['https'] }) },
    { name: 'protocols absent', resource: api({ path: 'a' }) },
  ],
  invalid: [{ name: 'http allowed', resource: api({ path: 'a', protocols: ['https', 'HTTP'] }), errors: [{ message: /API 'a' accepts plain HTTP/ }] }],
  undecided: [{ name: 'protocols from a parameter without value', resource: api({ protocols: "[parameters('p')]" }), parameters: { p: { type: 'array' } } }],
});
