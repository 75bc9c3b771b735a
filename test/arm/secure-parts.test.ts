// Parts of a parameter that its declared type makes secure below the top level (a property or
// item typed securestring/secureObject: Bicep's `@secure()` on a property of a user type, as the
// compiler writes it) are secrets too: never shown in a report (src/arm/template/parameter-checks.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_DEPLOYMENT, expandTemplate } from '../../src/arm/template/expand.js';
import { loadBicep } from '../../src/bicep/load-bicep.js';
import { SourceFile } from '../../src/load/source-file.js';
import { doc, template, tempTree } from '../helpers.js';

test('a compiled template: a parameter of a secure definition, and secure properties and items of user-defined types, through $ref, items, prefixItems and additionalProperties', () => {
  const t = template({
    languageVersion: '2.0',
    definitions: {
      secretEntry: { type: 'object', properties: { name: { type: 'string' }, value: { type: 'securestring', nullable: true } } },
      vault: { type: 'object', additionalProperties: { type: 'secureObject' } },
      secretString: { type: 'securestring' },
    },
    parameters: {
      entries: { type: 'array', items: { $ref: '#/definitions/secretEntry' }, defaultValue: [{ name: 'visible-name', value: 'hidden-value-1' }] },
      pair: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'securestring' }], items: false, defaultValue: ['visible-first', 'hidden-value-2'] },
      vault: { $ref: '#/definitions/vault', defaultValue: { a: { key: 'hidden-value-3' } } },
      plain: { type: 'object', defaultValue: { value: 'visible-plain' } },
      // A whole parameter of a secure user type, as the compiler writes `param p secretString`.
      byRef: { $ref: '#/definitions/secretString', defaultValue: 'hidden-value-4' },
    },
    resources: {},
    outputs: {
      n: {
        type: 'int',
        value:
          "[add(length(parameters('entries')), add(length(parameters('pair')), add(length(parameters('vault')), add(length(parameters('plain')), length(parameters('byRef'))))))]",
      },
    },
  });
  const expansion = expandTemplate(doc(t), undefined, { deployment: DEFAULT_DEPLOYMENT });
  expansion.outputs();
  assert.deepEqual([...expansion.secrets].sort(), ['hidden-value-1', 'hidden-value-2', 'hidden-value-3', 'hidden-value-4']);
});

test('Bicep: @secure() on a property of a user type (AVM secrets: name and value) makes that property of the parameter secret, and only it', () => {
  const dir = tempTree({
    'main.bicep': [
      'type secretType = {',
      '  name: string',
      '  @secure()',
      '  value: string?',
      '}',
      "param secrets secretType[] = [ { name: 'visible-name', value: 'hidden-value' } ]",
      "param inline { @secure()\n  token: string, label: string } = { token: 'hidden-token', label: 'visible-label' }",
      'output n int = length(secrets) + length(inline)',
      '',
    ].join('\n'),
  });
  const abs = path.join(dir, 'main.bicep');
  const { document, diagnostics } = loadBicep(new SourceFile(abs, 'main.bicep', readFileSync(abs, 'utf8')));
  assert.deepEqual(diagnostics, []);
  const expansion = expandTemplate(document, undefined, { deployment: DEFAULT_DEPLOYMENT });
  expansion.outputs();
  assert.deepEqual([...expansion.secrets].sort(), ['hidden-token', 'hidden-value']);
});

test('a type that refers to itself: a secure part reached through the cycle is found, and a type with no secure part anywhere leaves the value alone', () => {
  const t = template({
    languageVersion: '2.0',
    definitions: {
      // A tree: each node has children of its own type, and a secure token.
      node: { type: 'object', properties: { token: { type: 'securestring' }, children: { type: 'array', items: { $ref: '#/definitions/node' } } } },
      // A list that refers to itself with no secure part anywhere.
      plainNode: { type: 'object', properties: { label: { type: 'string' }, next: { $ref: '#/definitions/plainNode' } } },
    },
    parameters: {
      tree: {
        $ref: '#/definitions/node',
        defaultValue: { token: 'hidden-root', children: [{ token: 'hidden-child', children: [{ token: 'hidden-grandchild', children: [] }] }] },
      },
      list: { $ref: '#/definitions/plainNode', defaultValue: { label: 'visible-1', next: { label: 'visible-2' } } },
      many: { type: 'array', defaultValue: Array.from({ length: 200 }, (_, i) => ({ name: `visible-${i}` })) },
    },
    resources: {},
    outputs: { n: { type: 'int', value: "[add(length(parameters('tree')), add(length(parameters('list')), length(parameters('many'))))]" } },
  });
  const expansion = expandTemplate(doc(t), undefined, { deployment: DEFAULT_DEPLOYMENT });
  expansion.outputs();
  assert.deepEqual([...expansion.secrets].sort(), ['hidden-child', 'hidden-grandchild', 'hidden-root']);
});
