import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { scan } from '../../src/scan.js';
import { expandTemplate, DEFAULT_DEPLOYMENT } from '../../src/arm/template/expand.js';
import { parseJsonDocument } from '../../src/load/json-document.js';
import { SourceFile } from '../../src/load/source-file.js';
import { getPath, isUnknown } from '../../src/resources/value.js';
import { referencesOf } from '../../src/input/references.js';
import { repoRoot, template, tempTree } from '../helpers.js';

// test/fixtures/linked-repo is shaped like a repository of deployments (see its SOURCES.md):
// parents linking nested templates through `_artifactsLocation` (deployment().properties.templateLink.uri,
// uri() + concat() with a SAS token parameter, through a variable, passed down two levels), a
// template using deployment().properties.templateLink.uri directly, a GitHub folder URL mapped by
// `links:`, relativePath, a linked template with a parameter file of its own, a Bicep module with
// a loaded file and a .bicepparam.
const REPO = path.join(repoRoot(), 'test/fixtures/linked-repo');
const LINKS = { 'https://raw.githubusercontent.com/contoso/platform/main/': REPO };

test('every linked template of the repository-shaped tree is followed, with the values its caller passes', () => {
  const out = scan({ paths: ['.'], cwd: REPO, links: LINKS });
  // Entry points only: nested templates are scanned through their callers, not again on their own
  // (legacy/linked/gateway.json has a parameter file of its own: it is a deployment too).
  assert.deepEqual(
    out.units.map((u) => [u.file, u.parameterFile ?? null, u.resources]),
    [
      ['bicep/main.bicep', 'bicep/main.bicepparam', 2],
      ['legacy/azuredeploy.json', null, 4],
      ['legacy/linked/gateway.json', 'legacy/linked/gateway.parameters.json', 1],
      ['quickstart/azuredeploy.json', 'quickstart/azuredeploy.parameters.json', 7],
      ['relative/main.json', null, 2],
    ],
  );
  // Nothing left unfollowed: the only link notes say which URLs were read from the repository.
  const linkNotes = out.diagnostics.filter((d) => d.code === 'linked-template' || d.code === 'scanned-standalone');
  assert.deepEqual(
    linkNotes.map((d) => d.message),
    [
      "deployment 'gateway': the linked template https://raw.githubusercontent.com/contoso/platform/main/legacy/linked/gateway.json is read from legacy/linked/gateway.json (configuration links: 'https://raw.githubusercontent.com/contoso/platform/main/')",
      "deployment 'shared': the linked template https://raw.githubusercontent.com/contoso/platform/main/shared/tags.json is read from shared/tags.json (configuration links: 'https://raw.githubusercontent.com/contoso/platform/main/')",
    ],
  );
  assert.deepEqual(
    out.diagnostics.filter((d) => d.severity !== 'info'),
    [],
  );
  // Each linked file's resource is found, with the value its caller passed (the linked
  // templates' own defaults are https, or absent).
  const http = out.findings.filter((f) => f.ruleId === 'APIM-HTTPBackend').map((f) => `${f.location?.file} ${f.resource.name} <- ${f.file}`);
  assert.deepEqual(http.sort(), [
    'bicep/modules/api.bicep apim-bicep/bicep <- bicep/main.bicep',
    'legacy/linked/gateway.json apim-legacy/gateway <- legacy/azuredeploy.json',
    'quickstart/nested/apis/operations.json apim-quickstart/orders <- quickstart/azuredeploy.json',
    'quickstart/nested/backend-pool.json apim-quickstart/pool <- quickstart/azuredeploy.json',
    'quickstart/nested/backends.json apim-quickstart/orders <- quickstart/azuredeploy.json',
    'relative/modules/backend.json apim-rel/relative <- relative/main.json',
    'shared/tags.json apim-legacy/tags <- legacy/azuredeploy.json',
  ]);
  const passed = out.findings.find((f) => f.ruleId === 'APIM-HTTPBackend' && f.location?.file === 'quickstart/nested/backends.json');
  assert.ok(
    passed?.origins?.some((o) => o.location?.file === 'quickstart/azuredeploy.json' && /passed by deployment 'backends'/.test(o.description)),
    JSON.stringify(passed?.origins),
  );
});

test('without links:, GitHub URLs are not fetched and say how to map them; --standalone scans linked templates on their own too', () => {
  const noLinks = scan({ paths: ['.'], cwd: REPO });
  const remote = noLinks.diagnostics.filter((d) => d.code === 'linked-template');
  assert.equal(remote.length, 2);
  for (const d of remote)
    assert.match(
      d.message,
      /is remote and is not fetched \(a links: entry in the configuration can map its prefix to a folder of the repository\); its resources are not checked/,
    );
  // shared/tags.json is referenced only by an unmapped URL: the reference view does not see it, so it is scanned on its own as before.
  assert.ok(noLinks.units.some((u) => u.file === 'shared/tags.json'));

  const standalone = scan({ paths: ['.'], cwd: REPO, links: LINKS, standalone: true });
  assert.deepEqual(
    standalone.units
      .map((u) => u.file)
      .filter((f) => /nested|modules|shared/.test(f))
      .sort(),
    [
      'quickstart/nested/apis/apis.json',
      'quickstart/nested/apis/operations.json',
      'quickstart/nested/backend-pool.json',
      'quickstart/nested/backends.json',
      'relative/modules/backend.json',
      'shared/tags.json',
    ],
  );
});

test('a template the reference view saw linked but whose caller could not follow the link is scanned on its own after all, with a note', () => {
  const dir = tempTree({
    'main.json': template({
      parameters: { base: { type: 'string' } },
      resources: [
        {
          type: 'Microsoft.Resources/deployments',
          apiVersion: '2022-09-01',
          name: 'child',
          properties: { mode: 'Incremental', templateLink: { uri: "[uri(parameters('base'), 'child.json')]" } },
        },
      ],
    }),
    'child.json': template({
      resources: [
        {
          type: 'Microsoft.ApiManagement/service/backends',
          apiVersion: '2023-05-01-preview',
          name: 'apim/child',
          properties: { url: 'http://child.example.com', protocol: 'http' },
        },
      ],
    }),
  });
  const out = scan({ paths: ['.'], cwd: dir });
  assert.deepEqual(
    out.units.map((u) => u.file),
    ['main.json', 'child.json'],
  );
  const notes = out.diagnostics.filter((d) => d.code === 'scanned-standalone');
  assert.deepEqual(
    notes.map((d) => [d.file, d.message]),
    [['child.json', 'linked from main.json, which did not read it: scanned on its own, with its defaults']],
  );
  assert.equal(out.findings.filter((f) => f.ruleId === 'APIM-HTTPBackend').length, 1);

  // A chain: main cannot follow child, child (then scanned on its own) follows grandchild, which is not scanned again.
  const chain = tempTree({
    'main.json': template({
      parameters: { base: { type: 'string' } },
      resources: [
        {
          type: 'Microsoft.Resources/deployments',
          apiVersion: '2022-09-01',
          name: 'child',
          properties: { mode: 'Incremental', templateLink: { uri: "[uri(parameters('base'), 'b-child.json')]" } },
        },
      ],
    }),
    'a-grandchild.json': template({
      resources: [
        {
          type: 'Microsoft.ApiManagement/service/backends',
          apiVersion: '2023-05-01-preview',
          name: 'apim/grandchild',
          properties: { url: 'http://g.example.com', protocol: 'http' },
        },
      ],
    }),
    'b-child.json': template({
      resources: [
        {
          type: 'Microsoft.Resources/deployments',
          apiVersion: '2022-09-01',
          name: 'g',
          properties: { mode: 'Incremental', templateLink: { relativePath: 'a-grandchild.json' } },
        },
      ],
    }),
  });
  const chained = scan({ paths: ['.'], cwd: chain });
  assert.deepEqual(
    chained.units.map((u) => [u.file, u.resources]),
    [
      ['main.json', 1],
      ['b-child.json', 2],
    ],
  );
  assert.deepEqual(
    chained.diagnostics.filter((d) => d.code === 'scanned-standalone').map((d) => d.file),
    ['b-child.json'],
  );
});

test('the reference scan sees literal links and _artifactsLocation literals, not computed names; it keeps only files that exist', () => {
  const dir = tempTree({
    'a/main.json': JSON.stringify({
      variables: {
        u: "[uri(parameters('_artifactsLocation'), concat('nested/x.json', parameters('_artifactsLocationSasToken')))]",
        computed: "[concat('nested/', parameters('n'), '.json')]",
      },
      resources: [
        { properties: { templateLink: { relativePath: 'rel/y.json' } } },
        { properties: { templateLink: { uri: "[concat(parameters('_artifactsLocation'), '/shared/z.json')]" } } },
        { properties: { templateLink: { relativePath: 'missing.json' } } },
      ],
    }),
    'a/nested/x.json': '{}',
    'a/rel/y.json': '{}',
    // Relative to a folder above: the `_artifactsLocation` a parent passes down.
    'shared/z.json': '{}',
    'a/main.bicep': "module m 'mods/m.bicep' = {\n  name: 'm'\n}\nmodule r 'br/public:avm/res/x:1.0' = {\n  name: 'r'\n}\nvar p = loadTextContent('p.xml')\n",
    'a/mods/m.bicep': '',
    'a/p.xml': '<x/>',
  });
  const rel = (list: string[]) => list.map((p) => path.relative(dir, p)).sort();
  assert.deepEqual(rel(referencesOf(path.join(dir, 'a/main.json'), JSON.stringify(JSON.parse(tempRead(dir, 'a/main.json'))), { root: dir })), [
    'a/nested/x.json',
    'a/rel/y.json',
    'shared/z.json',
  ]);
  assert.deepEqual(rel(referencesOf(path.join(dir, 'a/main.bicep'), tempRead(dir, 'a/main.bicep'), { root: dir })), ['a/mods/m.bicep', 'a/p.xml']);
});

function tempRead(dir: string, rel: string): string {
  return readFileSync(path.join(dir, rel), 'utf8');
}

test("deployment().properties.templateLink.uri is the template file's URL; an inline nested template has none (unknown)", () => {
  const dir = tempTree({});
  const file = path.join(dir, 'folder with space', 'main.json');
  const text = template({
    resources: [
      {
        type: 'Microsoft.ApiManagement/service/backends',
        apiVersion: '2023-05-01-preview',
        name: 'apim/top',
        properties: { url: "[uri(deployment().properties.templateLink.uri, 'x.json?sv=1')]" },
      },
      {
        type: 'Microsoft.Resources/deployments',
        apiVersion: '2022-09-01',
        name: 'inline',
        properties: {
          mode: 'Incremental',
          expressionEvaluationOptions: { scope: 'inner' },
          template: JSON.parse(
            template({
              resources: [
                {
                  type: 'Microsoft.ApiManagement/service/backends',
                  apiVersion: '2023-05-01-preview',
                  name: 'apim/inner',
                  properties: { url: '[deployment().properties.templateLink.uri]' },
                },
              ],
            }),
          ),
        },
      },
    ],
  });
  const expansion = expandTemplate(parseJsonDocument(new SourceFile(file, 'main.json', text)), undefined, { deployment: DEFAULT_DEPLOYMENT });
  const url = (name: string) => getPath(expansion.resources.find((r) => r.name === name)!.body, ['properties', 'url']);
  assert.equal(url('apim/top'), new URL('x.json?sv=1', pathToFileURL(file)).href);
  assert.match(String(url('apim/top')), /folder%20with%20space\/x\.json\?sv=1$/);
  assert.ok(isUnknown(url('apim/inner')));
});

test('the sandbox still applies: an _artifactsLocation pointing outside the work tree is refused, an error at the link', () => {
  const dir = tempTree({
    'outside/evil.json': template({ resources: [] }),
    'repo/main.json': template({
      parameters: { _artifactsLocation: { type: 'string', defaultValue: '[deployment().properties.templateLink.uri]' } },
      resources: [
        {
          type: 'Microsoft.Resources/deployments',
          apiVersion: '2022-09-01',
          name: 'd',
          properties: { mode: 'Incremental', templateLink: { uri: "[uri(parameters('_artifactsLocation'), 'nested/a.json')]" } },
        },
      ],
    }),
    'repo/main.parameters.json': JSON.stringify({
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#',
      contentVersion: '1.0.0.0',
      parameters: { _artifactsLocation: { value: '' } },
    }),
  });
  const evil = pathToFileURL(path.join(dir, 'outside/')).href;
  const out = scan({ paths: ['repo/main.json'], cwd: dir, related: false });
  // With its default the link resolves beside main.json (missing there: a warning, not a refusal).
  assert.match(
    out.diagnostics.find((d) => d.code === 'linked-template')?.message ?? '',
    /cannot read the linked template 'file:\/\/.*\/repo\/nested\/a\.json': the file does not exist/,
  );
  writeFileSync(
    path.join(dir, 'repo/main.parameters.json'),
    JSON.stringify({
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#',
      contentVersion: '1.0.0.0',
      parameters: { _artifactsLocation: { value: evil } },
    }),
  );
  const refused = scan({ paths: ['repo/main.json'], cwd: dir });
  const d = refused.diagnostics.find((x) => x.code === 'linked-template');
  assert.equal(d?.severity, 'error');
  assert.match(d?.message ?? '', /cannot read the linked template 'file:\/\/.*\/outside\/nested\/a\.json': the file is outside the sandbox/);
});
