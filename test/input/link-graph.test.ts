import { test } from 'node:test';
import assert from 'node:assert/strict';
import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { LinkGraph } from '../../src/input/link-graph.js';
import { Sandbox } from '../../src/load/sandbox.js';
import { template, tempTree } from '../helpers.js';

// The graph examines only the files whose bytes may name a file asked about: these cases are the
// ways a reference can be written without the target's name as it is on disk, which must still be found.
const linking = (link: string) =>
  template({
    resources: [
      {
        type: 'Microsoft.Resources/deployments',
        apiVersion: '2022-09-01',
        name: 'd',
        properties: { mode: 'Incremental', templateLink: { relativePath: link } },
      },
    ],
  });

function entryPoints(files: Record<string, string>, named: string, links: Record<string, string> = {}): string[] {
  const dir = tempTree(files);
  for (const [link, target] of Object.entries(links)) symlinkSync(target, path.join(dir, link));
  const graph = LinkGraph.build(dir, Sandbox.forPaths([dir], { cwd: dir }), {});
  return graph.entryPointsReaching(path.join(dir, named)).map((p) => path.relative(dir, p));
}

test('entry points through several levels of links, with unrelated files and templates beside them', () => {
  const files = {
    'main.json': linking('nested/mid.json'),
    'nested/mid.json': linking('leaf.json'),
    'nested/leaf.json': template({ resources: [] }),
    'other.json': linking('nested/unrelated.json'),
    'nested/unrelated.json': template({ resources: [] }),
    'notes.json': '{ "leaf.json": "mentions the name but is no template" }',
    'b/main.bicep': "module m '../nested/leaf.json' = {\n  name: 'm'\n}\n",
  };
  assert.deepEqual(entryPoints(files, 'nested/leaf.json'), ['b/main.bicep', 'main.json']);
  assert.deepEqual(entryPoints(files, 'nested/unrelated.json'), ['other.json']);
  assert.deepEqual(entryPoints(files, 'main.json'), []);
});

test('a link written with escapes, or through a symbolic link of another name, is still found', () => {
  // "\u006c" is "l": the text does not contain "leaf.json" as written.
  const escaped = linking('leaf.json').replace('"leaf.json"', '"\\u006ceaf.json"');
  assert.deepEqual(entryPoints({ 'main.json': escaped, 'leaf.json': template({ resources: [] }) }, 'leaf.json'), ['main.json']);
  assert.deepEqual(entryPoints({ 'main.json': linking('alias.json'), 'leaf.json': template({ resources: [] }) }, 'leaf.json', { 'alias.json': 'leaf.json' }), [
    'main.json',
  ]);
  // A name that could be written escaped (the quote is doubled in an expression) is not searched for.
  const quoted = linking("it's.json").replace('"it\'s.json"', `"[concat('it''s.json')]"`);
  assert.deepEqual(entryPoints({ 'main.json': quoted, "it's.json": template({ resources: [] }) }, "it's.json"), ['main.json']);
});
