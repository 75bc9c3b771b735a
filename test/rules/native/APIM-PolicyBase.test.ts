import { RuleTester } from '../../../src/testing/index.js';
import rule from '../../../src/rules/native/APIM-PolicyBase.js';

const policy = (value: string) => ({
  type: 'Microsoft.ApiManagement/service/apis/policies',
  apiVersion: '2023-05-01-preview',
  name: 'svc/a/policy',
  properties: { format: 'rawxml', value },
});

new RuleTester().run('APIM-PolicyBase', rule, {
  valid: [
    {
      name: 'base in every section',
      resource: policy('<policies><inbound><base /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>'),
    },
  ],
  invalid: [
    {
      name: 'base missing in three sections',
      resource: policy('<policies><inbound><base /></inbound><backend><forward-request /></backend><outbound /></policies>'),
      errors: [{ path: 'properties.value', message: /no <base\/> in <backend>, <outbound>, <on-error>/ }],
    },
  ],
});
