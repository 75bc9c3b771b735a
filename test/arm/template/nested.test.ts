import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { DEFAULT_DEPLOYMENT, expandTemplate } from '../../../src/arm/template/expand.js';
import { linkedFileLoader } from '../../../src/input/linked-files.js';
import { parseJsonDocument } from '../../../src/load/json-document.js';
import { SourceFile } from '../../../src/load/source-file.js';
import { getPath, isUnknown } from '../../../src/resources/value.js';
import { doc, lineOf, template, tempTree } from '../../helpers.js';
import { readFileSync } from 'node:fs';

const expand = (t: string) => expandTemplate(doc(t, 'main.json'), undefined, { deployment: DEFAULT_DEPLOYMENT });

const deployment = (name: string, properties: object, extra: object = {}) => ({
  type: 'Microsoft.Resources/deployments',
  apiVersion: '2022-09-01',
  name,
  properties: { mode: 'Incremental', ...properties },
  ...extra,
});

test('inner scope: the nested template sees the parameters its deployment passes, and its own variables', () => {
  const t = template({
    parameters: { prefix: { type: 'string', defaultValue: 'contoso' } },
    variables: { v: 'outer-variable' },
    resources: [
      deployment('inner', {
        expressionEvaluationOptions: { scope: 'inner' },
        parameters: { p: { value: "[concat(parameters('prefix'), '-apim')]" } },
        template: {
          $schema: 'x',
          parameters: { p: { type: 'string' } },
          variables: { v: 'inner-variable' },
          resources: [
            {
              type: 'Microsoft.ApiManagement/service',
              apiVersion: 'x',
              name: "[parameters('p')]",
              properties: { note: "[variables('v')]", rg: '[resourceGroup().name]', dep: '[deployment().name]' },
            },
          ],
        },
      }),
    ],
  });
  const { resources, diagnostics } = expand(t);
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(
    resources.map((r) => `${r.type} ${r.name}`),
    ['Microsoft.Resources/deployments inner', 'Microsoft.ApiManagement/service contoso-apim'],
  );
  const svc = resources[1]!;
  assert.equal(getPath(svc.body, 'properties.note'), 'inner-variable');
  assert.equal(getPath(svc.body, 'properties.rg'), DEFAULT_DEPLOYMENT.resourceGroup);
  assert.equal(getPath(svc.body, 'properties.dep'), 'inner');
  // The deployment resource itself is kept; its template is not re-evaluated in the outer scope.
  assert.ok(isUnknown(getPath(resources[0]!.body, 'properties.template')));
});

test('outer scope (the default): the nested template reads the outer parameters and variables', () => {
  const t = template({
    parameters: { name: { type: 'string', defaultValue: 'svc' } },
    variables: { v: 'outer-variable' },
    resources: [
      deployment('n', {
        template: { $schema: 'x', resources: [{ type: 'A.B/c', apiVersion: 'x', name: "[parameters('name')]", properties: { v: "[variables('v')]" } }] },
      }),
    ],
  });
  const { resources, diagnostics } = expand(t);
  assert.deepEqual(diagnostics, []);
  assert.equal(resources[1]!.name, 'svc');
  assert.equal(getPath(resources[1]!.body, 'properties.v'), 'outer-variable');
});

test('a deployment to another resource group gives its resources ids there', () => {
  const t = template({
    resources: [
      deployment(
        'other',
        {
          expressionEvaluationOptions: { scope: 'inner' },
          template: { $schema: 'x', resources: [{ type: 'A.B/c', apiVersion: 'x', name: 'r', properties: { rg: '[resourceGroup().name]' } }] },
        },
        { resourceGroup: 'rg-other', subscriptionId: '11111111-1111-1111-1111-111111111111' },
      ),
    ],
  });
  const r = expand(t).resources[1]!;
  assert.equal(r.id, '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-other/providers/A.B/c/r');
  assert.equal(getPath(r.body, 'properties.rg'), 'rg-other');
});

test('outputs of a nested deployment feed reference() callers; runtime-only properties are unknown', () => {
  const t = template({
    resources: [
      deployment('inner', {
        expressionEvaluationOptions: { scope: 'inner' },
        template: {
          $schema: 'x',
          resources: [{ type: 'A.B/c', apiVersion: 'x', name: 'made-inside', properties: { url: 'https://inside' } }],
          outputs: {
            url: { type: 'string', value: "[reference(resourceId('A.B/c', 'made-inside')).url]" },
            n: { type: 'array', copy: { count: 2, input: '[copyIndex()]' } },
          },
        },
      }),
      {
        type: 'A.B/d',
        apiVersion: 'x',
        name: 'consumer',
        dependsOn: ['inner'],
        properties: {
          fromOutput: "[reference('inner').outputs.url.value]",
          loop: "[reference('inner').outputs.n.value]",
          runtime: "[reference(resourceId('A.B/c', 'made-inside')).principalId]",
          declared: "[reference(resourceId('A.B/c', 'made-inside')).url]",
        },
      },
    ],
  });
  const { resources, diagnostics } = expand(t);
  assert.deepEqual(diagnostics, []);
  const consumer = resources.find((r) => r.name === 'consumer')!;
  assert.equal(getPath(consumer.body, 'properties.fromOutput'), 'https://inside');
  assert.deepEqual(getPath(consumer.body, 'properties.loop'), [0, 1]);
  // made-inside lives in the nested deployment, which the outer reference() does not see by id.
  assert.ok(isUnknown(getPath(consumer.body, 'properties.runtime')));
});

test('reference() to a resource of the same template returns its declared properties; missing ones are unknown', () => {
  const t = template({
    resources: [
      { type: 'Microsoft.ApiManagement/service', apiVersion: 'x', name: 'svc', identity: { type: 'SystemAssigned' }, properties: { publisherEmail: 'a@b.c' } },
      {
        type: 'A.B/d',
        apiVersion: 'x',
        name: 'consumer',
        properties: {
          email: "[reference(resourceId('Microsoft.ApiManagement/service', 'svc')).publisherEmail]",
          byName: "[reference('svc').publisherEmail]",
          full: "[reference(resourceId('Microsoft.ApiManagement/service', 'svc'), '2022-08-01', 'Full').identity.type]",
          principal: "[reference(resourceId('Microsoft.ApiManagement/service', 'svc'), '2022-08-01', 'Full').identity.principalId]",
          gateway: "[reference('svc').gatewayUrl]",
          elsewhere: "[reference(resourceId('other-rg', 'Microsoft.KeyVault/vaults', 'kv')).vaultUri]",
        },
      },
    ],
  });
  const { resources, diagnostics } = expand(t);
  assert.deepEqual(diagnostics, []);
  const p = (k: string) => getPath(resources[1]!.body, `properties.${k}`);
  assert.equal(p('email'), 'a@b.c');
  assert.equal(p('byName'), 'a@b.c');
  assert.equal(p('full'), 'SystemAssigned');
  assert.ok(isUnknown(p('principal')));
  assert.ok(isUnknown(p('gateway')));
  assert.ok(isUnknown(p('elsewhere')));
});

test('languageVersion 2.0: symbolic references, resourceInfo, references over a copy loop, existing resources', () => {
  const t = template({
    languageVersion: '2.0',
    resources: {
      svc: { type: 'Microsoft.ApiManagement/service', apiVersion: '2023-05-01-preview', name: 'svc', properties: { publisherEmail: 'a@b.c' } },
      kv: { existing: true, type: 'Microsoft.KeyVault/vaults', apiVersion: 'x', name: 'kv' },
      backends: {
        copy: { name: 'backends', count: 2 },
        type: 'Microsoft.ApiManagement/service/backends',
        apiVersion: 'x',
        name: "[format('svc/b{0}', copyIndex())]",
        properties: { url: "[format('https://b{0}', copyIndex())]" },
      },
      out: {
        type: 'A.B/d',
        apiVersion: 'x',
        name: 'out',
        dependsOn: ['svc', 'backends'],
        properties: {
          email: "[reference('svc').publisherEmail]",
          info: "[resourceInfo('svc')]",
          urls: "[map(references('backends'), lambda('b', lambdaVariables('b').url))]",
          vault: "[reference('kv').vaultUri]",
          second: "[reference('backends[1]').url]",
        },
      },
    },
  });
  const { resources, diagnostics } = expand(t);
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(
    resources.map((r) => r.name),
    ['svc', 'svc/b0', 'svc/b1', 'out'],
  );
  const p = (k: string) => getPath(resources[3]!.body, `properties.${k}`);
  assert.equal(p('email'), 'a@b.c');
  assert.deepEqual(p('info'), { id: resources[0]!.id, name: 'svc', type: 'Microsoft.ApiManagement/service', apiVersion: '2023-05-01-preview' });
  assert.deepEqual(p('urls'), ['https://b0', 'https://b1']);
  assert.ok(isUnknown(p('vault')));
  assert.equal(p('second'), 'https://b1');
});

test('a cycle in dependsOn is an error at the dependsOn of the first resource in it', () => {
  const t = template({
    resources: [
      { type: 'A.B/c', apiVersion: 'x', name: 'a', dependsOn: ["[resourceId('A.B/c', 'b')]"] },
      { type: 'A.B/c', apiVersion: 'x', name: 'b', dependsOn: ['a'] },
    ],
  });
  const { diagnostics, resources } = expand(t);
  assert.equal(resources.length, 2);
  const cycle = diagnostics.filter((d) => d.code === 'dependson-cycle');
  assert.equal(cycle.length, 1);
  assert.match(cycle[0]!.message, /a -> b -> a/);
  assert.equal(cycle[0]!.location?.start.line, lineOf(t, '"dependsOn"'));
});

test('reference() between two resources that read each other is a diagnostic, not a hang', () => {
  const t = template({
    resources: [
      { type: 'A.B/c', apiVersion: 'x', name: 'a', properties: { x: "[reference('b').y]" } },
      { type: 'A.B/c', apiVersion: 'x', name: 'b', properties: { y: "[reference('a').x]" } },
    ],
  });
  const { diagnostics } = expand(t);
  assert.ok(
    diagnostics.some((d) => /circular reference/.test(d.message)),
    JSON.stringify(diagnostics),
  );
});

test('a deployment that nests itself again and again stops at the depth limit', () => {
  // A linked template that links itself.
  const dir = tempTree({
    'main.json': template({ resources: [deployment('self', { templateLink: { relativePath: 'main.json' } })] }),
  });
  const file = path.join(dir, 'main.json');
  const d = parseJsonDocument(new SourceFile(file, 'main.json', readFileSync(file, 'utf8')));
  const { diagnostics, resources } = expandTemplate(d, undefined, { deployment: DEFAULT_DEPLOYMENT, loadLinked: linkedFileLoader([dir], dir) });
  assert.ok(diagnostics.some((x) => x.code === 'nesting-depth'));
  assert.ok(resources.length > 5 && resources.length < 100);
});

test('linked templates by relative path are read inside the scan root only; remote links are noted', () => {
  const dir = tempTree({
    'root/main.json': template({
      parameters: { n: { type: 'string', defaultValue: 'from-main' } },
      resources: [
        deployment('linked', { templateLink: { relativePath: 'nested/apim.json' }, parameters: { name: { value: "[parameters('n')]" } } }),
        deployment('escape', { templateLink: { relativePath: '../outside.json' } }),
        deployment('remote', { templateLink: { uri: 'https://example.com/t.json' } }),
      ],
    }),
    'root/nested/apim.json': template({
      parameters: { name: { type: 'string' } },
      resources: [{ type: 'Microsoft.ApiManagement/service', apiVersion: 'x', name: "[parameters('name')]" }],
    }),
    'outside.json': template({ resources: [{ type: 'A.B/c', apiVersion: 'x', name: 'secret' }] }),
  });
  const root = path.join(dir, 'root');
  const file = path.join(root, 'main.json');
  const d = parseJsonDocument(new SourceFile(file, 'main.json', readFileSync(file, 'utf8')));
  const { diagnostics, resources } = expandTemplate(d, undefined, { deployment: DEFAULT_DEPLOYMENT, loadLinked: linkedFileLoader([root], root) });
  assert.deepEqual(
    resources.map((r) => r.name),
    ['linked', 'from-main', 'escape', 'remote'],
  );
  const svc = resources[1]!;
  assert.equal(svc.source.document.file.path, 'nested/apim.json');
  // The value's origin is where main.json passes it.
  assert.equal(svc.source.locate(['name']).origins[0]?.location.start.line, lineOf(readFileSync(file, 'utf8'), '"value"'));
  assert.ok(diagnostics.some((x) => x.code === 'linked-template' && /outside the sandbox \(the scanned path /.test(x.message)));
  assert.ok(diagnostics.some((x) => x.code === 'linked-template' && x.severity === 'info' && /remote/.test(x.message)));
});
