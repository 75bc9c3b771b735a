import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_DEPLOYMENT, expandTemplate } from '../../../src/arm/template/expand.js';
import { evaluateResources } from '../../../src/evaluate/engine.js';
import { resourcesFromExport } from '../../../src/resources/from-export.js';
import httpBackend from '../../../src/rules/native/APIM-HTTPBackend.js';
import { doc, lineOf, parameterFile, template } from '../../helpers.js';

const BACKEND = 'Microsoft.ApiManagement/service/backends';
const API = 'Microsoft.ApiManagement/service/apis';

function scanTemplate(t: string, p?: string) {
  const expansion = expandTemplate(doc(t, 'main.json'), p ? doc(p, 'main.parameters.json') : undefined, { deployment: DEFAULT_DEPLOYMENT });
  return evaluateResources({ file: 'main.json', parameterFile: p ? 'main.parameters.json' : undefined, resources: expansion.resources }, [httpBackend]);
}

const child = (type: string, name: string, properties: object) => ({ type, apiVersion: '2023-05-01-preview', name, properties });

// Each case: a resource, the expected outcome, and for failures the message's key text.
const CASES: { title: string; resource: object; outcome: 'pass' | 'fail' | 'skip' | 'unknown'; message?: RegExp }[] = [
  { title: 'https backend', resource: child(BACKEND, 'svc/b', { url: 'https://b.example.com' }), outcome: 'pass' },
  {
    title: 'http backend',
    resource: child(BACKEND, 'svc/b', { url: 'http://b.example.com' }),
    outcome: 'fail',
    message: /^Backend 'b' sends traffic to 'http:\/\/b\.example\.com' without encryption/,
  },
  { title: 'upper-case HTTP:// backend', resource: child(BACKEND, 'svc/b', { url: 'HTTP://B.EXAMPLE.COM' }), outcome: 'fail', message: /Backend 'b'/ },
  { title: 'backend without url is skipped', resource: child(BACKEND, 'svc/b', { protocol: 'http' }), outcome: 'skip' },
  { title: 'https API', resource: child(API, 'svc/a', { serviceUrl: 'https://a.example.com', path: 'a' }), outcome: 'pass' },
  {
    title: 'http API',
    resource: child(API, 'svc/a', { serviceUrl: 'http://a.example.com', path: 'a' }),
    outcome: 'fail',
    message: /^API 'a' sends traffic to 'http:\/\/a\.example\.com'/,
  },
  { title: 'API without serviceUrl is skipped', resource: child(API, 'svc/a', { path: 'a' }), outcome: 'skip' },
  { title: 'API with empty serviceUrl is skipped', resource: child(API, 'svc/a', { serviceUrl: '' }), outcome: 'skip' },
  {
    title: 'a URL that merely contains http:// is fine',
    resource: child(BACKEND, 'svc/b', { url: 'https://proxy.example.com/?to=http://x' }),
    outcome: 'pass',
  },
  { title: 'property names in other case are read', resource: child(BACKEND, 'svc/b', { URL: 'http://b' }), outcome: 'fail' },
];

for (const c of CASES) {
  test(`HTTPBackend: ${c.title} -> ${c.outcome}`, () => {
    const { results, findings } = scanTemplate(template({ resources: [c.resource] }));
    assert.equal(results.length, 1);
    assert.equal(results[0]!.outcome, c.outcome);
    assert.equal(findings.length, c.outcome === 'fail' ? 1 : 0);
    if (c.message) assert.match(findings[0]!.message, c.message);
  });
}

test('HTTPBackend: the finding points at the url line', () => {
  const t = template({ resources: [child(BACKEND, 'svc/b', { description: 'x', url: 'http://b' })] });
  const [finding] = scanTemplate(t).findings;
  assert.equal(finding!.location!.start.line, lineOf(t, '"url"'));
  assert.equal(finding!.path, 'properties.url');
  assert.equal(finding!.level, 'error');
  assert.equal(finding!.severity, 'critical');
});

test('HTTPBackend: a URL from a parameter default names the default as origin', () => {
  const t = template({
    parameters: { u: { type: 'string', defaultValue: 'http://from-default' } },
    resources: [child(BACKEND, 'svc/b', { url: "[parameters('u')]" })],
  });
  const [finding] = scanTemplate(t).findings;
  assert.equal(finding!.location!.start.line, lineOf(t, '"url"'));
  assert.equal(finding!.origins[0]!.location.start.line, lineOf(t, '"defaultValue": "http://from-default"'));
});

test('HTTPBackend: a URL from a parameter file names the file entry as origin and the parameter file', () => {
  const t = template({ parameters: { u: { type: 'string' } }, resources: [child(API, 'svc/a', { serviceUrl: "[parameters('u')]" })] });
  const p = parameterFile({ u: 'http://from-file' });
  const [finding] = scanTemplate(t, p).findings;
  assert.equal(finding!.parameterFile, 'main.parameters.json');
  assert.equal(finding!.origins[0]!.location.file, 'main.parameters.json');
  assert.equal(finding!.origins[0]!.location.start.line, lineOf(p, '"value": "http://from-file"'));
});

test('HTTPBackend: a URL nobody set is unknown, not a pass or a failure', () => {
  const t = template({ parameters: { u: { type: 'string' } }, resources: [child(BACKEND, 'svc/b', { url: "[parameters('u')]" })] });
  const { results } = scanTemplate(t);
  assert.equal(results[0]!.outcome, 'unknown');
  assert.match(results[0]!.reason!, /required parameter 'u' has no value/);
});

test('HTTPBackend: backends and APIs nested in the service and declared at top level are both checked', () => {
  const t = template({
    resources: [
      {
        type: 'Microsoft.ApiManagement/service',
        apiVersion: '2023-05-01-preview',
        name: 'svc',
        properties: {},
        resources: [
          { type: 'backends', apiVersion: 'x', name: 'nested', properties: { url: 'http://nested' } },
          { type: 'apis', apiVersion: 'x', name: 'nestedapi', properties: { serviceUrl: 'http://nestedapi' } },
        ],
      },
      child(BACKEND, "[concat('svc', '/top')]", { url: 'http://top' }),
    ],
  });
  const { findings } = scanTemplate(t);
  assert.deepEqual(
    findings.map((f) => [f.resource.type, f.resource.name]),
    [
      [BACKEND, 'svc/nested'],
      [API, 'svc/nestedapi'],
      [BACKEND, 'svc/top'],
    ],
  );
  assert.equal(findings[0]!.location!.start.line, lineOf(t, '"url": "http://nested"'));
});

test('HTTPBackend: an APIM service with no APIs or backends passes (nothing to fail)', () => {
  const { results, findings } = scanTemplate(
    template({ resources: [{ type: 'Microsoft.ApiManagement/service', apiVersion: 'x', name: 'svc', properties: {} }] }),
  );
  assert.deepEqual(results, []);
  assert.deepEqual(findings, []);
});

test('HTTPBackend: exported services with nested sub-resources (Get-AzResource shape)', () => {
  const text = JSON.stringify(
    {
      Name: 'svc',
      ResourceType: 'Microsoft.ApiManagement/service',
      ResourceId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/svc',
      Properties: {},
      resources: [
        { Name: 'legacy', ResourceType: API, Properties: { ServiceUrl: 'http://legacy' } },
        { Name: 'secure', ResourceType: BACKEND, Properties: { Url: 'https://secure' } },
      ],
    },
    null,
    2,
  );
  const resources = resourcesFromExport(doc(text, 'export.json'));
  const { results, findings } = evaluateResources({ file: 'export.json', resources }, [httpBackend]);
  assert.deepEqual(
    results.map((r) => [r.resource.name, r.outcome]),
    [
      ['svc/legacy', 'fail'],
      ['svc/secure', 'pass'],
    ],
  );
  assert.match(findings[0]!.message, /API 'legacy'/);
  assert.equal(findings[0]!.location!.start.line, lineOf(text, '"ServiceUrl"'));
});
