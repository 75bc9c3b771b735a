import { RuleTester } from '../../../src/testing/index.js';
import rule from '../../../src/rules/native/APIM-HTTPBackend.js';

const backend = (properties: object) => ({ type: 'Microsoft.ApiManagement/service/backends', apiVersion: '2023-05-01-preview', name: 'svc/b', properties });
const api = (properties: object) => ({ type: 'Microsoft.ApiManagement/service/apis', apiVersion: '2023-05-01-preview', name: 'svc/a', properties });

new RuleTester().run('APIM-HTTPBackend', rule, {
  valid: [
    { name: 'https backend', resource: backend({ url: 'https://b.example.com', protocol: 'http' }) },
    { name: 'https API', resource: api({ serviceUrl: 'https://a.example.com', path: 'a' }) },
  ],
  invalid: [
    {
      name: 'http backend',
      resource: backend({ url: 'http://b.example.com', protocol: 'http' }),
      errors: [
        {
          messageId: 'plainHttp',
          path: 'properties.url',
          message: "Backend 'b' sends traffic to 'http://b.example.com' without encryption: use an https:// URL.",
        },
      ],
    },
    {
      name: 'upper-case HTTP:// API',
      resource: api({ serviceUrl: 'HTTP://A.EXAMPLE.COM', path: 'a' }),
      errors: [{ messageId: 'plainHttp', path: 'properties.serviceUrl' }],
    },
    {
      name: 'the line in a template of its own',
      template: `{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {
      "type": "Microsoft.ApiManagement/service/backends",
      "apiVersion": "2023-05-01-preview",
      "name": "svc/b",
      "properties": {
        "protocol": "http",
        "url": "http://b.example.com"
      }
    }
  ]
}
`,
      bicep: `resource b 'Microsoft.ApiManagement/service/backends@2023-05-01-preview' = {
  name: 'svc/b'
  properties: {
    protocol: 'http'
    url: 'http://b.example.com'
  }
}
`,
      errors: [{ messageId: 'plainHttp', line: { arm: 11, bicep: 5 } }],
    },
  ],
  undecided: [
    {
      name: 'url from a parameter without value',
      resource: backend({ url: "[parameters('url')]", protocol: 'http' }),
      parameters: { url: { type: 'string' } },
    },
  ],
  notApplicable: [{ name: 'backend without url', resource: backend({ protocol: 'http' }) }],
});
