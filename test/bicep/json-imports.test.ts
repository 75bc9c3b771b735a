// `import … from 'x.json'`: names a compiled JSON template exports (variables listed in
// metadata.__bicep_exported_variables!, type definitions marked __bicep_export!), copied in as the
// compiler copies them (src/bicep/lower/lower-program.ts, importedJsonScope).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_DEPLOYMENT, expandTemplate } from '../../src/arm/template/expand.js';
import { loadBicep } from '../../src/bicep/load-bicep.js';
import { linkedFileLoader } from '../../src/input/linked-files.js';
import { Sandbox } from '../../src/load/sandbox.js';
import { SourceFile } from '../../src/load/source-file.js';
import { isUnknown } from '../../src/resources/value.js';
import { tempTree } from '../helpers.js';

const SHARED = {
  $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
  languageVersion: '2.0',
  contentVersion: '1.0.0.0',
  metadata: {
    '__bicep_exported_variables!': [
      { name: 'prefix' },
      { name: 'names' },
      { name: 'ports' },
      { name: 'fromParameter' },
      { name: 'shifted' },
      { name: 'greeting' },
    ],
  },
  parameters: { p: { type: 'string', defaultValue: 'x' } },
  definitions: {
    sku: { type: 'string', allowedValues: ['Basic', 'Premium'], metadata: { '__bicep_export!': true } },
    hidden: { type: 'string' },
    vault: { type: 'securestring', metadata: { '__bicep_export!': true } },
    maybeSku: { $ref: '#/definitions/sku', nullable: true, metadata: { '__bicep_export!': true } },
    login: {
      type: 'object',
      properties: {
        user: { type: 'string' },
        password: { $ref: '#/definitions/vault' },
        extra: { type: 'object', additionalProperties: { type: 'secureObject' } },
      },
      metadata: { '__bicep_export!': true },
    },
  },
  functions: [
    {
      namespace: '__bicep',
      members: {
        greet: {
          parameters: [{ name: 'who', type: 'string' }],
          output: { type: 'string', value: "[format('Hi, {0}!', __bicep.shout(parameters('who')))]" },
          metadata: { '__bicep_export!': true },
        },
        shout: { parameters: [{ name: 's', type: 'string' }], output: { type: 'string', value: "[toUpper(parameters('s'))]" } },
      },
    },
  ],
  resources: {},
  variables: {
    greeting: "[__bicep.greet('you')]",
    copy: [
      { name: 'names', count: "[variables('count')]", input: "[format('{0}-{1}', variables('base'), copyIndex('names'))]" },
      { name: 'shifted', count: 2, input: { at: "[copyIndex('shifted', 10)]", literal: '[[not an expression]' } },
    ],
    base: 'app',
    count: 3,
    prefix: "[concat(variables('base'), '-', string(variables('count')))]",
    ports: [80, 443],
    fromParameter: "[parameters('p')]",
    notExported: 'secret-ish',
  },
};

/** Output values by name. */
const values = (outputs: object) => Object.fromEntries(Object.entries(outputs).map(([k, o]) => [k, (o as { value: unknown }).value]));

function expandMain(main: string) {
  return expandIn(tempTree({ 'main.bicep': main, 'shared.json': JSON.stringify(SHARED, null, 2) }));
}

/** Lowers and expands `dir/main.bicep`: its diagnostics, output values and lowered template. */
function expandIn(dir: string) {
  const box = Sandbox.forPaths([dir], { cwd: dir, registryCache: false });
  const abs = path.join(dir, 'main.bicep');
  const { document, diagnostics } = loadBicep(new SourceFile(abs, 'main.bicep', readFileSync(abs, 'utf8')), box);
  const expansion = expandTemplate(document, undefined, { deployment: DEFAULT_DEPLOYMENT, loadLinked: linkedFileLoader(box, dir) });
  const outputs = values(expansion.outputs());
  return {
    diagnostics,
    outputs,
    template: document.value as { parameters: Record<string, { type?: string }> },
    expansionMessages: expansion.diagnostics.map((d) => d.message),
    secrets: [...expansion.secrets].sort(),
  };
}

test('exported variables and functions of a compiled JSON template, with the variables, loops and functions they use', () => {
  const { diagnostics, outputs } = expandMain(
    [
      "import { prefix, names, ports, shifted } from 'shared.json'",
      "import * as shared from 'shared.json'",
      'output prefix string = prefix',
      'output names array = names',
      'output ports array = shared.ports',
      'output shifted array = shifted',
      "import { greet, greeting } from 'shared.json'",
      "output greet string = greet('friend')",
      'output greeting string = greeting',
      '',
    ].join('\n'),
  );
  assert.deepEqual(diagnostics, []);
  assert.equal(outputs.prefix, 'app-3');
  assert.deepEqual(outputs.names, ['app-0', 'app-1', 'app-2']);
  assert.deepEqual(outputs.ports, [80, 443]);
  // A loop's offset, and a literal string that looks like an expression, as ARM reads them.
  // Its user functions, and a variable that calls one, with the function it calls in turn.
  assert.equal(outputs.greet, 'Hi, FRIEND!');
  assert.equal(outputs.greeting, 'Hi, YOU!');
  assert.deepEqual(outputs.shifted, [
    { at: 10, literal: '[not an expression]' },
    { at: 11, literal: '[not an expression]' },
  ]);
});

test('a JSON import that reads the template parameters is unknown; a name it does not export is an error', () => {
  const { diagnostics, outputs } = expandMain(["import { fromParameter, notExported } from 'shared.json'", 'output p string = fromParameter', ''].join('\n'));
  assert.ok(isUnknown(outputs.p as never), `unknown, not guessed: ${JSON.stringify(outputs.p)}`);
  assert.deepEqual(
    diagnostics.map((d) => [d.severity, d.message]),
    [['error', "'notExported' is not declared in 'shared.json'"]],
  );
});

test('an exported type of a JSON template gives a parameter its base type, allowed values and nullability, through $ref', () => {
  const { diagnostics, template } = expandMain(
    ["import { sku, maybeSku } from 'shared.json'", "param tier sku = 'Basic'", 'param other maybeSku', 'output tier string = tier', ''].join('\n'),
  );
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(template.parameters.tier, { type: 'string', defaultValue: 'Basic', allowedValues: ['Basic', 'Premium'] });
  assert.deepEqual(template.parameters.other, { type: 'string', allowedValues: ['Basic', 'Premium'], nullable: true });
  // ARM checks the value against them, as it would the compiler's $ref.
  const wrong = expandMain(["import { sku } from 'shared.json'", "param tier sku = 'Gold'", 'output tier string = tier', ''].join('\n'));
  assert.deepEqual(wrong.diagnostics, []);
  assert.ok(
    wrong.expansionMessages.some((m) => m.includes('"Gold" is not one of the allowed values ["Basic","Premium"]')),
    wrong.expansionMessages.join('\n'),
  );
});

test('secure parts of a type imported from a JSON template stay secrets (properties, $ref, additionalProperties)', () => {
  const { diagnostics, template, secrets } = expandMain(
    [
      "import { login } from 'shared.json'",
      "param creds login = { user: 'ann', password: 'hunter2-secret', extra: { k: { v: 'also-secret' } } }",
      'output n int = length(creds)',
      '',
    ].join('\n'),
  );
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(template.parameters.creds, {
    type: 'object',
    defaultValue: { user: 'ann', password: 'hunter2-secret', extra: { k: { v: 'also-secret' } } },
    properties: { password: { type: 'securestring' }, extra: { type: 'object', additionalProperties: { type: 'secureObject' } } },
  });
  // The parts the type makes secure are secrets (never shown in a report); `user` is not.
  assert.deepEqual(secrets, ['also-secret', 'hunter2-secret']);
});

test('the compiler baseline Imports_LF: the output read through an imported variable loop is the compiled value', () => {
  const base = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..', 'test', 'fixtures', 'upstream', 'bicep', 'baselines', 'Imports_LF');
  const { diagnostics, outputs } = expandIn(base);
  assert.deepEqual(diagnostics, []);
  // main.json: refersToCopyVariable[3].value = notExported[mod(3, 2)].
  assert.equal(outputs.magicWord, 'abracadabra');
});

test('a parameter of a type declared @secure() is a secret, as the compiler writes it (securestring, secureObject); so is one of a secure definition imported from JSON', () => {
  const { diagnostics, template } = expandMain(
    [
      "import { vault } from 'shared.json'",
      '@secure()',
      'type secretString = string',
      '@secure()',
      'type secretBag = { key: string }',
      'param password secretString',
      'param bag secretBag',
      'param fromJson vault',
      "output o string = 'x'",
      '',
    ].join('\n'),
  );
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(
    ['password', 'bag', 'fromJson'].map((p) => template.parameters[p]?.type),
    ['securestring', 'secureObject', 'securestring'],
  );
});
