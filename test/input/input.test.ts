import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { classify } from '../../src/input/classify.js';
import { loadInputs } from '../../src/input/load-inputs.js';
import { discover } from '../../src/input/discover.js';
import { pairParameters, recordOf } from '../../src/input/pair-parameters.js';
import type { ClassifiedFile } from '../../src/input/classify.js';
import { parameterFile, PARAMETERS_SCHEMA, template, tempTree } from '../helpers.js';

const T = template({ resources: [] });
const P = parameterFile({});

function load(dir: string, paths = ['.'], exclude?: string[]) {
  const { candidates, diagnostics } = discover(paths, { cwd: dir, exclude });
  const files: ClassifiedFile[] = [];
  const skipped: string[] = [];
  for (const c of candidates) {
    const r = classify(c, dir);
    if (r.ok) files.push(r.file);
    else if (r.skipped) skipped.push(r.path);
    else diagnostics.push(r.diagnostic);
  }
  return { files, skipped, diagnostics };
}

test('directories are walked recursively; templates, parameter files and exports are recognised; other JSON is skipped', () => {
  const dir = tempTree({
    'infra/main.json': T,
    'infra/main.parameters.json': P,
    'infra/sub.jsonc': `// comment\n${template({ $schema: 'https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#', resources: [] })}`,
    'export/apim.json': JSON.stringify({ id: '/x', name: 'svc', type: 'Microsoft.ApiManagement/service', properties: {} }),
    'package.json': '{"name":"x","version":"1.0.0"}',
    'notes.txt': 'not json',
    'node_modules/dep/main.json': T,
  });
  const { files, skipped, diagnostics } = load(dir);
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(
    files.map((f) => [f.document.file.path, f.kind]),
    [
      ['export/apim.json', 'export'],
      ['infra/main.json', 'template'],
      ['infra/main.parameters.json', 'parameters'],
      ['infra/sub.jsonc', 'template'],
    ].map(([p, k]) => [path.relative(dir, path.join(dir, p!)), k]),
  );
  assert.deepEqual(skipped, ['package.json']);
});

test('--exclude takes .gitignore-style patterns', () => {
  const dir = tempTree({ 'a/main.json': T, 'b/main.json': T, 'b/keep/main.json': T });
  const { files } = load(dir, ['.'], ['b/*', '!b/keep']);
  assert.deepEqual(
    files.map((f) => f.document.file.path),
    ['a/main.json', 'b/keep/main.json'],
  );
});

test('extension-only include patterns (the suffix fast path) take exactly the files the gitignore matcher takes', () => {
  const files = ['a.json', 'A.JSON', 'deep/x/y.Json', '.json', 'b.jsonc', 'c.json.bak', 'd.bicep', 'e/f.bicepparam', 'g.txt.json', 'h.jsonx'];
  const dir = tempTree(Object.fromEntries(files.map((f) => [f, T])));
  const found = (include: string[]) =>
    discover(['.'], { cwd: dir, include })
      .candidates.map((c) => path.relative(dir, c.absPath).split(path.sep).join('/'))
      .sort();
  for (const include of [['**/*.json'], ['*.json'], ['**/*.json', '**/*.jsonc'], ['*.bicep', '**/*.bicepparam'], ['**/*.JSON']]) {
    // The same patterns with one `ignore` must handle (a folder pattern) take the general path; minus that folder's files, the same set.
    const general = found([...include, 'no-such-folder/']);
    assert.deepEqual(found(include), general, include.join(' '));
  }
  assert.deepEqual(found(['**/*.json']), ['.json', 'A.JSON', 'a.json', 'deep/x/y.Json', 'g.txt.json']);
});

test('include keeps only matching files from directory walks; exclude still applies; named files are always taken', () => {
  const dir = tempTree({ 'infra/main.json': T, 'infra/legacy/main.json': T, 'tools/main.json': T, 'tools/named.json': T });
  const { candidates } = discover(['.', 'tools/named.json'], { cwd: dir, include: ['infra/'], exclude: ['legacy/'] });
  assert.deepEqual(
    candidates.map((c) =>
      c.absPath
        .slice(dir.length + 1)
        .split('\\')
        .join('/'),
    ),
    ['infra/main.json', 'tools/named.json'],
  );
});

test('skipUnrecognized: named files that are not templates are skipped (pre-commit passes every changed .json), templates still scanned, broken templates still reported', () => {
  const dir = tempTree({
    'package.json': '{"name": "x"}',
    'main.json': T,
    'broken.json': '{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "resources": [',
  });
  const strict = loadInputs({ paths: ['package.json', 'main.json'], cwd: dir });
  assert.deepEqual(
    strict.diagnostics.map((d) => d.code),
    ['not-a-template'],
  );
  const lenient = loadInputs({ paths: ['package.json', 'main.json', 'broken.json'], cwd: dir, skipUnrecognized: true });
  assert.deepEqual(
    lenient.units.map((u) => u.file.path),
    ['main.json'],
  );
  assert.deepEqual(
    lenient.skipped.map((s) => s.path),
    ['package.json'],
  );
  assert.deepEqual(
    lenient.diagnostics.map((d) => d.code),
    ['json-syntax'],
  );
});

test('invalid JSON in a template is an error with line and column; unrelated broken JSON is skipped', () => {
  const dir = tempTree({
    'bad.json': `{\n  "$schema": "${'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#'}",\n  "resources": [ }\n}`,
    'random.json': '{ nope',
  });
  const { diagnostics, skipped } = load(dir);
  assert.equal(diagnostics.length, 1);
  assert.equal(diagnostics[0]!.file, 'bad.json');
  assert.equal(diagnostics[0]!.location?.start.line, 3);
  assert.equal(diagnostics[0]!.location?.start.column, 18);
  assert.match(diagnostics[0]!.message, /invalid JSON/);
  assert.deepEqual(skipped, ['random.json']);
});

test('a file named explicitly that is not a template is an error', () => {
  const dir = tempTree({ 'package.json': '{"name":"x"}' });
  const { diagnostics } = load(dir, ['package.json']);
  assert.equal(diagnostics[0]?.code, 'not-a-template');
});

test('a missing path is an error naming it', () => {
  const dir = tempTree({});
  const { diagnostics } = load(dir, ['nope/']);
  assert.match(diagnostics[0]!.message, /no such file or directory: nope\//);
});

test('comments, trailing commas and a BOM are accepted, positions stay right', () => {
  const dir = tempTree({ 'main.json': `\uFEFF// header\n${T.replace('"resources": []', '"resources": [],')}` });
  const { files, diagnostics } = load(dir);
  assert.deepEqual(diagnostics, []);
  assert.equal(files[0]?.kind, 'template');
});

test('parameter files pair by naming convention, per environment, and by metadata.template', () => {
  const dir = tempTree({
    'apim.json': T,
    'apim.parameters.json': P,
    'apim.parameters.prod.json': P,
    'other.json': T,
    'params/custom.json': JSON.stringify({ $schema: PARAMETERS_SCHEMA, metadata: { template: '../other.json' }, parameters: {} }),
    'orphan.parameters.json': P,
  });
  const { files } = load(dir);
  const { units, diagnostics } = pairParameters(files.map(recordOf), []);
  assert.deepEqual(
    units.map((u) => [u.file.path, u.parameterFile?.path]),
    [
      ['apim.json', 'apim.parameters.json'],
      ['apim.json', 'apim.parameters.prod.json'],
      ['other.json', 'params/custom.json'],
    ],
  );
  assert.equal(diagnostics.length, 1);
  assert.equal(diagnostics[0]!.file, 'orphan.parameters.json');
  assert.equal(diagnostics[0]!.severity, 'warning');
});

test('the naming convention pairs files whose folder or name holds a line break (CR or LF)', () => {
  const dir = tempTree({ 'in\nfra/ap\rim.json': T, 'in\nfra/ap\rim.parameters.json': P, 'in\nfra/ap\rim.parameters.dev\nx.json': P });
  const { files } = load(dir);
  const { units, diagnostics } = pairParameters(files.map(recordOf), []);
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(
    units.map((u) => [u.file.path, u.parameterFile?.path]),
    [
      ['in\nfra/ap\rim.json', 'in\nfra/ap\rim.parameters.dev\nx.json'],
      ['in\nfra/ap\rim.json', 'in\nfra/ap\rim.parameters.json'],
    ],
  );
});

test('an explicit --parameters file goes with the one template scanned', () => {
  const dir = tempTree({ 'tpl/main.json': T, 'env/dev.json': P });
  const { files } = load(dir, ['tpl']);
  const explicit = classify({ absPath: path.join(dir, 'env/dev.json'), explicit: true }, dir);
  assert.ok(explicit.ok);
  const { units } = pairParameters(files.map(recordOf), [recordOf(explicit.file)]);
  assert.deepEqual(
    units.map((u) => [u.file.path, u.parameterFile?.path]),
    [['tpl/main.json', 'env/dev.json']],
  );
});

test('a file that cannot be read is an error naming it, not a crash', () => {
  const dir = tempTree({});
  const r = classify({ absPath: path.join(dir, 'vanished.json'), explicit: true }, dir);
  assert.equal(r.ok, false);
  assert.ok(!r.ok && !r.skipped && r.diagnostic.code === 'unreadable' && r.diagnostic.file === 'vanished.json' && /does not exist/.test(r.diagnostic.message));
});
