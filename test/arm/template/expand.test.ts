import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_DEPLOYMENT, expandTemplate } from '../../../src/arm/template/expand.js';
import { isUnknown, getPath } from '../../../src/resources/value.js';
import { doc, lineOf, parameterFile, template } from '../../helpers.js';

const expand = (t: string, p?: string) =>
  expandTemplate(doc(t, 'main.json'), p ? doc(p, 'main.parameters.json') : undefined, { deployment: DEFAULT_DEPLOYMENT });

const APIM = {
  parameters: {
    name: { type: 'string', defaultValue: 'svc' },
    backendUrl: { type: 'string', defaultValue: 'https://default.example.com' },
  },
  variables: { protocol: 'http' },
  resources: [
    {
      type: 'Microsoft.ApiManagement/service',
      apiVersion: '2023-05-01-preview',
      name: "[parameters('name')]",
      location: '[resourceGroup().location]',
      properties: { publisherEmail: 'a@b.c' },
      resources: [
        {
          type: 'backends',
          apiVersion: '2023-05-01-preview',
          name: 'b1',
          properties: { url: "[parameters('backendUrl')]", protocol: "[variables('protocol')]" },
        },
      ],
    },
  ],
};

test('nested child resources get their full type and name', () => {
  const { resources, diagnostics } = expand(template(APIM));
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(
    resources.map((r) => [r.type, r.name]),
    [
      ['Microsoft.ApiManagement/service', 'svc'],
      ['Microsoft.ApiManagement/service/backends', 'svc/b1'],
    ],
  );
  const backend = resources[1]!;
  assert.equal(backend.parent, resources[0]);
  assert.equal(
    backend.id,
    `/subscriptions/${DEFAULT_DEPLOYMENT.subscriptionId}/resourceGroups/${DEFAULT_DEPLOYMENT.resourceGroup}/providers/Microsoft.ApiManagement/service/svc/backends/b1`,
  );
  assert.equal(getPath(backend.body, 'properties.protocol'), 'http');
  assert.equal(getPath(resources[0]!.body, 'location'), DEFAULT_DEPLOYMENT.location);
  assert.equal(getPath(backend.body, 'resources'), undefined);
});

test('a nested child type of several segments is relative to its parent; a fully qualified one is not', () => {
  const t = template({
    resources: [
      {
        type: 'Microsoft.ApiManagement/service',
        apiVersion: '2023-05-01-preview',
        name: 'svc',
        location: 'westeurope',
        properties: {},
        resources: [
          { type: 'apis/policies', apiVersion: '2023-05-01-preview', name: 'orders/policy', properties: { format: 'rawxml', value: '<policies />' } },
          { type: 'Microsoft.ApiManagement/service/products', apiVersion: '2023-05-01-preview', name: 'svc/partners', properties: {} },
        ],
      },
    ],
  });
  const { resources, diagnostics } = expand(t);
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(
    resources.map((r) => [r.type, r.name]),
    [
      ['Microsoft.ApiManagement/service', 'svc'],
      ['Microsoft.ApiManagement/service/apis/policies', 'svc/orders/policy'],
      ['Microsoft.ApiManagement/service/products', 'svc/partners'],
    ],
  );
  assert.match(resources[1]!.id, /\/service\/svc\/apis\/orders\/policies\/policy$/);
});

test('parameter defaults are used without a parameter file; the parameter file wins', () => {
  assert.equal(getPath(expand(template(APIM)).resources[1]!.body, 'properties.url'), 'https://default.example.com');
  const withFile = expand(template(APIM), parameterFile({ backendUrl: 'http://from-file.example.com' }));
  assert.equal(getPath(withFile.resources[1]!.body, 'properties.url'), 'http://from-file.example.com');
});

test('a parameter whose $ref type is nullable is null without a value: a loop over it has no instance', () => {
  const t = template({
    definitions: { roles: { type: 'array', items: { type: 'string' }, nullable: true } },
    parameters: { roles: { $ref: '#/definitions/roles' } },
    resources: [
      {
        type: 'Microsoft.Authorization/locks',
        apiVersion: '2020-05-01',
        name: "[format('l{0}', copyIndex())]",
        copy: { name: 'l', count: "[length(coalesce(parameters('roles'), createArray()))]" },
        properties: { level: 'CanNotDelete' },
      },
    ],
  });
  const { resources, diagnostics } = expand(t);
  assert.deepEqual(diagnostics, []);
  assert.equal(resources.length, 0);
});

test('a parameter file value of null is no value: the default applies, as in ARM', () => {
  const withNull = expand(template(APIM), parameterFile({ backendUrl: null }));
  assert.equal(getPath(withNull.resources[1]!.body, 'properties.url'), 'https://default.example.com');
});

test('provenance: a value from the parameter file points at the file entry, a default at the defaultValue', () => {
  const t = template(APIM);
  const p = parameterFile({ backendUrl: 'http://from-file.example.com' });
  const backend = expand(t, p).resources[1]!;
  const located = backend.source.locate(['properties', 'url']);
  assert.equal(located.location.start.line, lineOf(t, '"url"'));
  assert.equal(located.exact, true, 'the url property itself is written in the template');
  assert.equal(located.origins.length, 1);
  assert.equal(located.origins[0]!.location.file, 'main.parameters.json');
  assert.equal(located.origins[0]!.location.start.line, lineOf(p, '"value": "http://from-file'));
  const fromDefault = expand(t).resources[1]!.source.locate(['properties', 'url']);
  assert.equal(fromDefault.origins[0]!.location.file, 'main.json');
  assert.equal(fromDefault.origins[0]!.location.start.line, lineOf(t, '"defaultValue": "https://default'));
  assert.match(fromDefault.origins[0]!.description, /default value of parameter 'backendUrl'/);
});

test('provenance through a variable names the variable and the parameter it reads', () => {
  const t = template({
    parameters: { host: { type: 'string', defaultValue: 'http://x' } },
    variables: { url: "[concat(parameters('host'), '/api')]" },
    resources: [
      { type: 'Microsoft.ApiManagement/service/backends', apiVersion: '2023-05-01-preview', name: 'svc/b', properties: { url: "[variables('url')]" } },
    ],
  });
  const located = expand(t).resources[0]!.source.locate(['properties', 'url']);
  assert.deepEqual(
    located.origins.map((o) => [o.description, o.location.start.line]),
    [
      ["variable 'url'", lineOf(t, '"url": "[concat')],
      ["default value of parameter 'host'", lineOf(t, '"defaultValue": "http://x"')],
    ],
  );
});

test('a literal property is located exactly, with no origins', () => {
  const t = template({
    resources: [{ type: 'Microsoft.ApiManagement/service/backends', apiVersion: 'x', name: 'svc/b', properties: { url: 'http://literal' } }],
  });
  const located = expand(t).resources[0]!.source.locate(['properties', 'url']);
  assert.equal(located.exact, true);
  assert.equal(located.location.start.line, lineOf(t, '"url": "http://literal"'));
  assert.equal(located.location.start.column, 9);
  assert.deepEqual(located.origins, []);
});

test('a required parameter without a value is unknown, and the resource is still produced', () => {
  const t = template({
    parameters: { url: { type: 'string' } },
    resources: [
      { type: 'Microsoft.ApiManagement/service/backends', apiVersion: 'x', name: 'svc/b', properties: { url: "[parameters('url')]", protocol: 'http' } },
    ],
  });
  const { resources, diagnostics } = expand(t);
  assert.equal(resources.length, 1);
  assert.deepEqual(diagnostics, []);
  const url = getPath(resources[0]!.body, 'properties.url');
  assert.ok(isUnknown(url));
  assert.match(String(url), /required parameter 'url' has no value/);
  assert.equal(getPath(resources[0]!.body, 'properties.protocol'), 'http');
});

test('conditions: false drops the resource (and its children), unknown keeps it and says so', () => {
  const t = template({
    parameters: { deploy: { type: 'bool', defaultValue: false }, maybe: { type: 'bool' } },
    resources: [
      {
        condition: "[parameters('deploy')]",
        type: 'Microsoft.ApiManagement/service',
        apiVersion: 'x',
        name: 'a',
        resources: [{ type: 'backends', apiVersion: 'x', name: 'b' }],
      },
      { condition: "[parameters('maybe')]", type: 'Microsoft.ApiManagement/service', apiVersion: 'x', name: 'c' },
    ],
  });
  const { resources } = expand(t);
  assert.deepEqual(
    resources.map((r) => r.name),
    ['c'],
  );
  assert.match(resources[0]!.conditionUnknown ?? '', /required parameter 'maybe'/);
});

test('copy loops produce one resource per index', () => {
  const t = template({
    resources: [
      {
        type: 'Microsoft.ApiManagement/service/backends',
        apiVersion: 'x',
        name: "[format('svc/b{0}', copyIndex(1))]",
        copy: { name: 'loop', count: 3 },
        properties: { url: "[concat('https://b', copyIndex('loop'))]" },
      },
    ],
  });
  const { resources } = expand(t);
  assert.deepEqual(
    resources.map((r) => r.name),
    ['svc/b1', 'svc/b2', 'svc/b3'],
  );
  assert.equal(getPath(resources[2]!.body, 'properties.url'), 'https://b2');
});

test('a copy count over 800 is a diagnostic, not a hang', () => {
  const t = template({ resources: [{ type: 'A.B/c', apiVersion: 'x', name: 'n', copy: { name: 'l', count: 100000 } }] });
  const { resources, diagnostics } = expand(t);
  assert.equal(resources.length, 0);
  assert.match(diagnostics[0]!.message, /over ARM's limit of 800/);
});

test('an unsupported function is an error at its line and column; the rest of the resource survives', () => {
  const t = template({
    resources: [{ type: 'Microsoft.ApiManagement/service/backends', apiVersion: 'x', name: 'svc/b', properties: { url: "[madeUp('x')]", protocol: 'http' } }],
  });
  const { resources, diagnostics } = expand(t);
  assert.equal(diagnostics.length, 1);
  const d = diagnostics[0]!;
  assert.equal(d.code, 'unknown-function');
  assert.match(d.message, /madeUp/);
  assert.equal(d.location?.start.line, lineOf(t, 'madeUp'));
  const lineText = t.split('\n')[d.location!.start.line - 1]!;
  assert.equal(lineText.slice(d.location!.start.column - 1).startsWith("madeUp('x')"), true);
  assert.ok(isUnknown(getPath(resources[0]!.body, 'properties.url')));
  assert.equal(getPath(resources[0]!.body, 'properties.protocol'), 'http');
});

test('a variable that refers to itself is a diagnostic', () => {
  const t = template({
    variables: { a: "[variables('b')]", b: "[variables('a')]" },
    resources: [{ type: 'A.B/c', apiVersion: 'x', name: "[variables('a')]" }],
  });
  const { diagnostics } = expand(t);
  assert.ok(diagnostics.some((d) => /refers to itself/.test(d.message)));
});

test('parameter-file entries the template does not declare are warned about', () => {
  const { diagnostics } = expand(template(APIM), parameterFile({ nope: 1 }));
  assert.equal(diagnostics[0]?.code, 'unknown-parameter');
  assert.equal(diagnostics[0]?.severity, 'warning');
});

test('languageVersion 2.0 symbolic resources are expanded; existing ones are not deployed', () => {
  const t = template({
    languageVersion: '2.0',
    resources: {
      svc: { type: 'Microsoft.ApiManagement/service', apiVersion: 'x', name: 'svc', existing: true },
      backend: { type: 'Microsoft.ApiManagement/service/backends', apiVersion: 'x', name: 'svc/b', properties: { url: 'http://x' } },
    },
  });
  assert.deepEqual(
    expand(t).resources.map((r) => r.name),
    ['svc/b'],
  );
});
