import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_DEPLOYMENT, expandTemplate } from '../../../src/arm/template/expand.js';
import { getPath, isUnknown } from '../../../src/resources/value.js';
import { doc, lineOf, parameterFile, template } from '../../helpers.js';

const expand = (t: string, p?: string) =>
  expandTemplate(doc(t, 'main.json'), p ? doc(p, 'main.parameters.json') : undefined, { deployment: DEFAULT_DEPLOYMENT });

test('property copy builds the array property, with copyIndex of its own loop and of the resource loop', () => {
  const t = template({
    resources: [
      {
        type: 'Microsoft.ApiManagement/service',
        apiVersion: 'x',
        name: "[concat('svc', copyIndex())]",
        copy: { name: 'services', count: 2 },
        properties: {
          copy: [
            {
              name: 'hostnameConfigurations',
              count: 3,
              input: { hostName: "[format('h{0}-{1}.contoso.com', copyIndex('services'), copyIndex('hostnameConfigurations'))]", type: 'Proxy' },
            },
          ],
          publisherEmail: 'a@b.c',
        },
      },
    ],
  });
  const { resources, diagnostics } = expand(t);
  assert.deepEqual(diagnostics, []);
  assert.equal(resources.length, 2);
  assert.deepEqual(getPath(resources[1]!.body, 'properties.hostnameConfigurations'), [
    { hostName: 'h1-0.contoso.com', type: 'Proxy' },
    { hostName: 'h1-1.contoso.com', type: 'Proxy' },
    { hostName: 'h1-2.contoso.com', type: 'Proxy' },
  ]);
  assert.equal(getPath(resources[1]!.body, 'properties.copy'), undefined);
  assert.equal(getPath(resources[1]!.body, 'properties.publisherEmail'), 'a@b.c');
});

test('a property copy of count 0 gives an empty array; an unknown count an unknown property', () => {
  const t = template({
    parameters: { n: { type: 'int' } },
    resources: [
      { type: 'A.B/c', apiVersion: 'x', name: 'zero', properties: { copy: [{ name: 'items', count: 0, input: { a: 1 } }] } },
      { type: 'A.B/c', apiVersion: 'x', name: 'unknown', properties: { copy: [{ name: 'items', count: "[parameters('n')]", input: { a: 1 } }] } },
    ],
  });
  const { resources } = expand(t);
  assert.deepEqual(getPath(resources[0]!.body, 'properties.items'), []);
  assert.ok(isUnknown(getPath(resources[1]!.body, 'properties.items')));
});

test('variable copy: a copy entry in variables defines an array variable; copy inside a variable value too', () => {
  const t = template({
    variables: {
      copy: [{ name: 'names', count: 3, input: "[concat('api-', copyIndex('names'))]" }],
      settings: { copy: [{ name: 'ports', count: 2, input: "[add(8080, copyIndex('ports'))]" }], fixed: true },
    },
    resources: [{ type: 'A.B/c', apiVersion: 'x', name: 'r', properties: { names: "[variables('names')]", settings: "[variables('settings')]" } }],
  });
  const { resources, diagnostics } = expand(t);
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(getPath(resources[0]!.body, 'properties.names'), ['api-0', 'api-1', 'api-2']);
  assert.deepEqual(getPath(resources[0]!.body, 'properties.settings'), { ports: [8080, 8081], fixed: true });
});

test('user-defined functions: namespaced calls, their own parameters, calls between them', () => {
  const t = template({
    functions: [
      {
        namespace: 'tg',
        members: {
          url: {
            parameters: [
              { name: 'host', type: 'string' },
              { name: 'https', type: 'bool' },
            ],
            output: { type: 'string', value: "[format('{0}://{1}', if(parameters('https'), 'https', 'http'), parameters('host'))]" },
          },
          secureUrl: { parameters: [{ name: 'host', type: 'string' }], output: { type: 'object', value: { url: "[tg.url(parameters('host'), true)]" } } },
          loop: { parameters: [], output: { type: 'string', value: '[tg.loop()]' } },
        },
      },
    ],
    resources: [
      {
        type: 'A.B/c',
        apiVersion: 'x',
        name: 'r',
        properties: { a: "[tg.url('x.example.com', false)]", b: "[tg.secureUrl('y.example.com')]", c: '[tg.loop()]' },
      },
    ],
  });
  const { resources, diagnostics } = expand(t);
  assert.equal(getPath(resources[0]!.body, 'properties.a'), 'http://x.example.com');
  assert.deepEqual(getPath(resources[0]!.body, 'properties.b'), { url: 'https://y.example.com' });
  // Recursion is reported (ARM forbids it), not a stack overflow.
  assert.ok(isUnknown(getPath(resources[0]!.body, 'properties.c')));
  assert.ok(diagnostics.some((d) => /more than 32 deep/.test(d.message)));
});

test('outputs are evaluated, with conditions and copy', () => {
  const t = template({
    parameters: { on: { type: 'bool', defaultValue: false } },
    resources: [{ type: 'A.B/c', apiVersion: 'x', name: 'r', properties: { v: 1 } }],
    outputs: {
      id: { type: 'string', value: "[resourceId('A.B/c', 'r')]" },
      hidden: { type: 'string', condition: "[parameters('on')]", value: 'x' },
      list: { type: 'array', copy: { count: 2, input: "[concat('i', copyIndex())]" } },
      v: { type: 'int', value: "[reference('r').v]" },
    },
  });
  const e = expand(t);
  assert.deepEqual(e.outputs(), {
    id: { type: 'string', value: `/subscriptions/${DEFAULT_DEPLOYMENT.subscriptionId}/resourceGroups/${DEFAULT_DEPLOYMENT.resourceGroup}/providers/A.B/c/r` },
    list: { type: 'array', value: ['i0', 'i1'] },
    v: { type: 'int', value: 1 },
  });
});

test('parameter values are checked against allowedValues, min/max and lengths, at the line that sets them', () => {
  const t = template({
    parameters: {
      sku: { type: 'string', allowedValues: ['Developer', 'Premium'] },
      count: { type: 'int', minValue: 1, maxValue: 10 },
      name: { type: 'string', minLength: 3, maxLength: 5 },
      zones: { type: 'array', allowedValues: ['1', '2', '3'] },
      flag: { type: 'bool' },
    },
    resources: [
      {
        type: 'A.B/c',
        apiVersion: 'x',
        name: "[parameters('name')]",
        properties: { s: "[parameters('sku')]", c: "[parameters('count')]", z: "[parameters('zones')]", f: "[parameters('flag')]" },
      },
    ],
  });
  const p = parameterFile({ sku: 'premium', count: 11, name: 'toolong', zones: ['1', '4'], flag: 'yes' });
  const { diagnostics, resources } = expand(t, p);
  const messages = diagnostics.filter((d) => d.code === 'parameter-value').map((d) => d.message);
  assert.equal(messages.length, 4, messages.join('\n'));
  assert.ok(messages.some((m) => /count.*11 is more than the maximum 10/.test(m)));
  assert.ok(messages.some((m) => /name.*length 7 is more than the maximum 5/.test(m)));
  assert.ok(messages.some((m) => /zones.*"4" is not one of the allowed values/.test(m)));
  assert.ok(messages.some((m) => /flag.*expected a value of type bool/.test(m)));
  // 'premium' is allowed: ARM compares allowed strings ignoring case.
  assert.ok(!messages.some((m) => /sku/.test(m)));
  const countDiag = diagnostics.find((d) => /count/.test(d.message))!;
  assert.equal(countDiag.file, 'main.parameters.json');
  assert.equal(countDiag.location?.start.line, lineOf(p, '11'));
  // The deployment would be refused, but every other property is still checked.
  assert.equal(getPath(resources[0]!.body, 'properties.s'), 'premium');
});

test('a nullable parameter without a value is null, not unknown', () => {
  const t = template({
    languageVersion: '2.0',
    parameters: { tag: { type: 'string', nullable: true } },
    resources: { r: { type: 'A.B/c', apiVersion: 'x', name: 'r', properties: { t: "[parameters('tag')]" } } },
  });
  assert.equal(getPath(expand(t).resources[0]!.body, 'properties.t'), null);
});

test('templates with raw line breaks and tabs inside strings are read as Azure reads them, positions kept', () => {
  const t = `{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {
      "type": "A.B/c", "apiVersion": "x", "name": "r",
      "properties": { "policy": "<policies>
\t<inbound />
</policies>", "bad": "[madeUp()]" }
    }
  ]
}`;
  const { resources, diagnostics } = expand(t);
  assert.equal(getPath(resources[0]!.body, 'properties.policy'), '<policies>\n\t<inbound />\n</policies>');
  assert.equal(diagnostics[0]?.location?.start.line, 9);
});

test('__proto__ and constructor keys are plain data', () => {
  const t = `{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
    "variables": { "__proto__": { "polluted": true } },
    "resources": [{ "type": "A.B/c", "apiVersion": "x", "name": "r", "properties": { "__proto__": { "polluted": true }, "constructor": "c", "v": "[variables('__proto__')]" } }]}`;
  const { resources } = expand(t);
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  assert.deepEqual(getPath(resources[0]!.body, 'properties.v'), { polluted: true });
  assert.equal(Object.getPrototypeOf(getPath(resources[0]!.body, 'properties')), Object.prototype);
});

test('extension resources get ids under their scope; subscription templates get subscription ids', () => {
  const ext = template({
    resources: [{ type: 'Microsoft.Authorization/locks', apiVersion: 'x', name: 'lock', scope: "[resourceId('Microsoft.ApiManagement/service', 'svc')]" }],
  });
  assert.equal(
    expand(ext).resources[0]!.id,
    `/subscriptions/${DEFAULT_DEPLOYMENT.subscriptionId}/resourceGroups/${DEFAULT_DEPLOYMENT.resourceGroup}/providers/Microsoft.ApiManagement/service/svc/providers/Microsoft.Authorization/locks/lock`,
  );
  const sub = JSON.stringify({
    $schema: 'https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    resources: [{ type: 'Microsoft.Resources/resourceGroups', apiVersion: 'x', name: 'rg', location: 'westeurope' }],
  });
  assert.equal(expand(sub).resources[0]!.id, `/subscriptions/${DEFAULT_DEPLOYMENT.subscriptionId}/providers/Microsoft.Resources/resourceGroups/rg`);
});

test('a parameter of a user-defined type is checked against the definition', () => {
  const t = template({
    languageVersion: '2.0',
    definitions: { skuName: { type: 'string', allowedValues: ['Developer', 'Premium'] }, sku: { $ref: '#/definitions/skuName' } },
    parameters: { sku: { $ref: '#/definitions/sku', defaultValue: 'Basic' } },
    resources: { r: { type: 'A.B/c', apiVersion: 'x', name: 'r', properties: { sku: "[parameters('sku')]" } } },
  });
  const { diagnostics } = expand(t);
  assert.equal(diagnostics.length, 1);
  assert.match(diagnostics[0]!.message, /parameter 'sku': "Basic" is not one of the allowed values/);
});

test('property names may be expressions (ARM evaluates them; Bicep writes interpolated keys so); [[ escapes a literal name', () => {
  const t = template({
    parameters: { key: { type: 'string', defaultValue: 'region' } },
    resources: [
      { type: 'My.Rp/things', apiVersion: 'x', name: 'a', properties: { "[format('{0}-1', parameters('key'))]": 1, '[[literal]': 2, '[utcNow()]': 3 } },
    ],
  });
  const { resources, diagnostics } = expand(t);
  assert.deepEqual(diagnostics, []);
  const props = getPath(resources[0]!.body, 'properties') as Record<string, unknown>;
  assert.equal(props['region-1'], 1);
  assert.equal(props['[literal]'], 2);
  // A name only known at deployment keeps its expression text; its value is still there.
  assert.equal(props['[utcNow()]'], 3);
});

test('createArray and createObject keep an unknown item inside: the rest stays known', () => {
  const t = template({
    resources: [
      { type: 'My.Rp/things', apiVersion: 'x', name: 'a', properties: { list: '[createArray(1, utcNow())]', obj: "[createObject('a', 1, 'b', utcNow())]" } },
    ],
  });
  const { resources } = expand(t);
  const list = getPath(resources[0]!.body, 'properties.list') as unknown[];
  assert.equal(list[0], 1);
  assert.ok(isUnknown(list[1] as never));
  assert.equal(getPath(resources[0]!.body, 'properties.obj.a'), 1);
  assert.ok(isUnknown(getPath(resources[0]!.body, 'properties.obj.b') as never));
});
