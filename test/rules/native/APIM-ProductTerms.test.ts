import { RuleTester } from '../../../src/testing/index.js';
import rule from '../../../src/rules/native/APIM-ProductTerms.js';

// The rule ships off; the tester turns it on for its cases.
const product = (properties: object) => ({ type: 'Microsoft.ApiManagement/service/products', apiVersion: '2023-05-01-preview', name: 'svc/p', properties });

new RuleTester().run('APIM-ProductTerms', rule, {
  valid: [{ name: 'terms set', resource: product({ displayName: 'P', terms: 'Be nice.' }) }],
  invalid: [{ name: 'no terms', resource: product({ displayName: 'P' }), errors: [{ path: 'properties', message: "Product 'p' has no terms of use." }] }],
});
