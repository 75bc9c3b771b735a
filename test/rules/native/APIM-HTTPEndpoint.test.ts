import { RuleTester } from '../../../src/testing/index.js';
import rule from '../../../src/rules/native/APIM-HTTPEndpoint.js';
import { TEMPLATE_SCHEMA } from '../../helpers.js';

const api = (properties: object) => ({ type: 'Microsoft.ApiManagement/service/apis', apiVersion: '2023-05-01-preview', name: 'svc/a', properties });

/** A template whose API's protocols are written as `protocols` (JSON text), with `parameters` (JSON text). */
const armText = (protocols: string, parameters = '{}') => `{
  "$schema": "${TEMPLATE_SCHEMA}",
  "contentVersion": "1.0.0.0",
  "parameters": ${parameters},
  "resources": [
    {
      "type": "Microsoft.ApiManagement/service/apis",
      "apiVersion": "2023-05-01-preview",
      "name": "svc/a",
      "properties": {
        "path": "a",
        "protocols": ${protocols}
      }
    }
  ]
}
`;

const bicepText = (protocols: string, head = '') => `${head}resource a 'Microsoft.ApiManagement/service/apis@2023-05-01-preview' = {
  name: 'svc/a'
  properties: {
    path: 'a'
    protocols: ${protocols}
  }
}
`;

new RuleTester().run('APIM-HTTPEndpoint', rule, {
  valid: [
    { name: 'https only', resource: api({ path: 'a', protocols: ['https'] }) },
    { name: 'protocols absent', resource: api({ path: 'a' }) },
  ],
  invalid: [
    { name: 'http allowed', resource: api({ path: 'a', protocols: ['https', 'HTTP'] }), errors: [{ message: /API 'a' accepts plain HTTP/ }] },
    {
      name: 'the fix drops http and keeps the rest, in the list as written',
      template: armText('[ "http", "https" ]'),
      bicep: bicepText(`[\n      'http'\n      'https'\n    ]`),
      errors: [{ path: 'properties.protocols[0]', output: { arm: armText('["https"]'), bicep: bicepText(`['https']`) } }],
    },
    {
      name: 'an API left with no protocol takes https',
      template: armText('["http"]'),
      bicep: bicepText(`['http']`),
      errors: [{ output: { arm: armText('["https"]'), bicep: bicepText(`['https']`) } }],
    },
    {
      name: 'a list that is exactly a parameter: the fix edits its default',
      template: armText(`"[parameters('p')]"`, `{ "p": { "type": "array", "defaultValue": ["http", "ws"] } }`),
      bicep: bicepText('p', `param p array = ['http']\n`),
      errors: [
        {
          output: {
            arm: armText(`"[parameters('p')]"`, `{ "p": { "type": "array", "defaultValue": ["https", "ws"] } }`),
            bicep: bicepText('p', `param p array = ['https']\n`),
          },
        },
      ],
    },
    {
      name: 'a list computed by an expression gets no fix',
      template: armText(`"[concat(parameters('p'), createArray('https'))]"`, `{ "p": { "type": "array", "defaultValue": ["http"] } }`),
      bicep: bicepText(`concat(p, ['https'])`, `param p array = ['http']\n`),
      errors: [{ output: null }],
    },
  ],
  undecided: [{ name: 'protocols from a parameter without value', resource: api({ protocols: "[parameters('p')]" }), parameters: { p: { type: 'array' } } }],
});
