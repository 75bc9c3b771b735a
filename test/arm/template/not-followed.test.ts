import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { DEFAULT_DEPLOYMENT, expandTemplate } from '../../../src/arm/template/expand.js';
import { linkedFileLoader } from '../../../src/input/linked-files.js';
import { parseJsonDocument } from '../../../src/load/json-document.js';
import { SourceFile } from '../../../src/load/source-file.js';
import { template, tempTree } from '../../helpers.js';

const deployment = (name: string, properties: object) => ({
  type: 'Microsoft.Resources/deployments',
  apiVersion: '2022-09-01',
  name,
  properties: { mode: 'Incremental', ...properties },
});

test('nested deployments not followed are recorded with their kind, for the coverage to count by reason', () => {
  const text = template({
    parameters: { base: { type: 'string' } },
    resources: [
      deployment('computed', { templateLink: { uri: "[concat(parameters('base'), 'nested/x.json')]" } }),
      deployment('remote', { templateLink: { uri: 'https://example.com/x.json' } }),
      deployment('spec', { templateLink: { id: '/subscriptions/s/resourceGroups/g/providers/Microsoft.Resources/templateSpecs/t/versions/1' } }),
      deployment('registry', { templateLink: { uri: 'br/public:avm/res/storage/storage-account:0.9.0' } }),
      deployment('missing', { templateLink: { relativePath: 'missing.json' } }),
      deployment('empty', {}),
      deployment('followed', { templateLink: { relativePath: 'linked.json' } }),
    ],
  });
  const dir = tempTree({
    'main.json': text,
    'linked.json': template({ resources: [{ type: 'Microsoft.Network/virtualNetworks', apiVersion: '2023-04-01', name: 'vnet', properties: {} }] }),
  });
  const main = parseJsonDocument(new SourceFile(path.join(dir, 'main.json'), 'main.json', text));
  const { notFollowed, resources } = expandTemplate(main, undefined, { deployment: DEFAULT_DEPLOYMENT, loadLinked: linkedFileLoader([dir], dir) });
  assert.deepEqual(
    notFollowed.map((n) => [n.deployment, n.kind, n.file]),
    [
      ['computed', 'computed-link', 'main.json'],
      ['remote', 'remote-link', 'main.json'],
      ['spec', 'template-spec', 'main.json'],
      ['registry', 'registry-module', 'main.json'],
      ['missing', 'unreadable', 'main.json'],
      ['empty', 'no-template', 'main.json'],
    ],
  );
  assert.equal(notFollowed[3]!.detail, 'the registry module br/public:avm/res/storage/storage-account:0.9.0 is not in the local cache');
  // Each at its templateLink, where the diagnostic is.
  assert.ok(notFollowed.every((n) => n.location && n.location.file === 'main.json' && n.location.start.line > 1));
  // The one followed is not recorded, and its resource is there.
  assert.ok(resources.some((r) => r.name === 'vnet'));
});
