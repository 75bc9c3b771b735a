import { RuleTester } from '../../../src/testing/index.js';
import rule from '../../../src/rules/native/APIM-CORSPolicy.js';

const SECTIONS = '<backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error>';
const cors = (origin: string, method = 'GET') =>
  `<policies><inbound><base /><cors><allowed-origins><origin>${origin}</origin></allowed-origins><allowed-methods><method>${method}</method></allowed-methods></cors></inbound>${SECTIONS}</policies>`;
const policy = (value: string, format = 'rawxml') => ({
  type: 'Microsoft.ApiManagement/service/apis/policies',
  apiVersion: '2023-05-01-preview',
  name: 'svc/a/policy',
  properties: { format, value },
});

new RuleTester().run('APIM-CORSPolicy', rule, {
  valid: [{ name: 'named origin and method', resource: policy(cors('https://contoso.com')) }],
  invalid: [
    {
      name: 'any origin, any method',
      resource: policy(cors('*', '*')),
      errors: [{ path: 'properties.value', message: /allows any value \(\*\) in allowed-origins, allowed-methods/ }],
    },
  ],
  undecided: [{ name: 'policy read from a link', resource: policy('https://x.example.com/policy.xml', 'rawxml-link') }],
  notApplicable: [{ name: 'no cors policy', resource: policy(`<policies><inbound><base /></inbound>${SECTIONS}</policies>`) }],
});
