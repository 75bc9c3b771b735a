import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scan } from '../../src/scan.js';
import { tempTree } from '../helpers.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

test('a module is scanned through its caller (with the parameters it passes), not again on its own; findings point into the module file', () => {
  const dir = tempTree({
    'main.bicep': lines("module apis 'modules/api.bicep' = {", "  name: 'apis'", '  params: {', "    protocols: ['http']", '  }', '}'),
    'modules/api.bicep': lines(
      'param protocols array',
      "resource api 'Microsoft.ApiManagement/service/apis@2023-05-01-preview' = {",
      "  name: 'apim/orders'",
      '  properties: {',
      "    path: 'orders'",
      '    protocols: protocols',
      '  }',
      '}',
    ),
  });
  const out = scan({ paths: ['.'], cwd: dir });
  assert.equal(out.units.length, 1, 'one entry point');
  const http = out.findings.filter((f) => f.ruleId === 'APIM-HTTPEndpoint');
  assert.equal(http.length, 1);
  assert.equal(http[0]!.location?.file, 'modules/api.bicep');
  assert.equal(http[0]!.location?.start.line, 6);
  assert.ok(
    http[0]!.origins?.some((o) => o.location?.file === 'main.bicep' && o.location.start.line === 4),
    'the value was set by the caller',
  );

  // Named on its own, the module is scanned with its required parameter unknown, not failed.
  const alone = scan({ paths: ['modules/api.bicep'], cwd: dir });
  assert.deepEqual(
    alone.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  assert.equal(alone.findings.filter((f) => f.ruleId === 'APIM-HTTPEndpoint').length, 0);
});

test('a Bicep syntax error is a diagnostic at its line and column; the rest of the file and the other files are still scanned', () => {
  const dir = tempTree({
    'broken.bicep': lines(
      'var x = (1 +',
      "resource api 'Microsoft.ApiManagement/service/apis@2023-05-01-preview' = {",
      "  name: 'apim/orders'",
      '  properties: {',
      "    protocols: ['http']",
      '  }',
      '}',
    ),
    'other.bicep': lines(
      "resource b 'Microsoft.ApiManagement/service/backends@2023-05-01-preview' = {",
      "  name: 'apim/b'",
      '  properties: {',
      "    url: 'http://x'",
      "    protocol: 'http'",
      '  }',
      '}',
    ),
  });
  const out = scan({ paths: ['.'], cwd: dir });
  const syntax = out.diagnostics.filter((d) => d.code === 'bicep-syntax');
  assert.ok(syntax.length >= 1);
  assert.equal(syntax[0]!.location?.file, 'broken.bicep');
  assert.equal(syntax[0]!.location?.start.line, 1);
  assert.deepEqual(
    out.findings
      .map((f) => `${f.location?.file}:${f.location?.start.line} ${f.ruleId}`)
      .filter((s) => /HTTPEndpoint|HTTPBackend/.test(s))
      .sort(),
    ['broken.bicep:5 APIM-HTTPEndpoint', 'other.bicep:4 APIM-HTTPBackend'],
  );
});

test('nested child resources, parent:, loops and conditions lower to the names and instances ARM deploys', () => {
  const dir = tempTree({
    'main.bicep': lines(
      "param names array = ['a', 'b']",
      'param deployBackends bool = true',
      "resource apim 'Microsoft.ApiManagement/service@2023-05-01-preview' = {",
      "  name: 'apim1'",
      "  location: 'westeurope'",
      "  sku: { name: 'Premium', capacity: 2 }",
      "  properties: { publisherEmail: 'a@b.c', publisherName: 'x' }",
      "  resource product 'products' = {",
      "    name: 'starter'",
      '  }',
      '}',
      "resource backends 'Microsoft.ApiManagement/service/backends@2023-05-01-preview' = [for (n, i) in names: if (deployBackends) {",
      '  parent: apim',
      "  name: '${n}-${i}'",
      "  properties: { url: 'https://${n}.example', protocol: 'http' }",
      '}]',
    ),
  });
  const out = scan({ paths: ['.'], cwd: dir });
  assert.deepEqual(
    out.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  assert.equal(out.units[0]!.resources, 4, 'the service, its product and two backends');
  const backends = out.findings.filter((f) => f.ruleId === 'APIM-HTTPBackend');
  assert.deepEqual(backends, [], 'https backends pass');
  const sample = out.findings.find((f) => f.ruleId === 'APIM-SampleProducts');
  assert.equal(sample?.location?.start.line, 9);
  assert.equal(sample?.resource.name, 'apim1/starter');
});

test('registry modules come from the local Bicep cache when present; otherwise the module is unknown and a warning says so', () => {
  const home = tempTree({
    '.bicep/br/contoso.azurecr.io/modules$apim/1.0.0$/main.json': JSON.stringify({
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      parameters: { url: { type: 'string' } },
      resources: [
        {
          type: 'Microsoft.ApiManagement/service/backends',
          apiVersion: '2023-05-01-preview',
          name: 'apim/b',
          properties: { url: "[parameters('url')]", protocol: 'http' },
        },
      ],
    }),
  });
  const dir = tempTree({
    'main.bicep': lines(
      "module cached 'br:contoso.azurecr.io/modules/apim:1.0.0' = {",
      "  name: 'cached'",
      "  params: { url: 'http://plain' }",
      '}',
      "module missing 'br:contoso.azurecr.io/modules/other:2.0.0' = {",
      "  name: 'missing'",
      '}',
    ),
  });
  const saved = process.env.HOME;
  process.env.HOME = home;
  try {
    const out = scan({ paths: ['.'], cwd: dir });
    assert.equal(out.findings.filter((f) => f.ruleId === 'APIM-HTTPBackend').length, 1, 'the cached module was expanded with its parameters');
    const missing = out.diagnostics.filter((d) => d.code === 'bicep-module-missing' && /cannot find offline.*bicep restore/.test(d.message));
    assert.equal(missing.length, 1);
    assert.equal(missing[0]!.location?.start.line, 5);
  } finally {
    process.env.HOME = saved;
  }
});
