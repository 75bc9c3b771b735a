import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scan } from '../../src/scan.js';
import { template, tempTree } from '../helpers.js';

test('a finding on a resource whose condition is unknown says it applies if the resource is deployed', () => {
  const dir = tempTree({
    'main.json': template({
      parameters: { deployBackend: { type: 'bool' } },
      resources: [
        {
          type: 'Microsoft.ApiManagement/service/backends',
          apiVersion: '2023-05-01-preview',
          name: 'svc/b',
          condition: "[parameters('deployBackend')]",
          properties: { url: 'http://insecure.example.com', protocol: 'http' },
        },
      ],
    }),
  });
  const out = scan({ paths: [dir], cwd: dir });
  const finding = out.findings.find((f) => f.ruleId === 'APIM-HTTPBackend');
  assert.ok(finding, JSON.stringify(out.findings));
  assert.match(finding.message, /\(if deployed: its condition is unknown because required parameter 'deployBackend' has no value\)$/);
});
