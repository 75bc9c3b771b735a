import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DEPLOYMENT, evaluateBicepParamValues, expandTemplate } from '../../src/arm/template/expand.js';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { classify } from '../../src/input/classify.js';
import { linkedFileLoader } from '../../src/input/linked-files.js';
import type { Diagnostic } from '../../src/load/diagnostic.js';
import { MAX_INPUT_FILE_BYTES, Sandbox } from '../../src/load/sandbox.js';
import { loadPolicyInputs } from '../../src/policy/policy-inputs.js';
import { getPath, isUnknown, type Value } from '../../src/resources/value.js';
import { lineOf, template, tempTree } from '../helpers.js';

// Every way a scanned file can name another file goes through the sandbox: what is outside it is
// a diagnostic at the referencing line and an Unknown value, and its content appears nowhere.

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
const SECRET = 'TOPSECRET-do-not-print';

const bicepResource = (description: string) =>
  [
    "resource api 'Microsoft.ApiManagement/service/apis@2023-05-01-preview' = {",
    "  name: 'apim/orders'",
    '  properties: {',
    `    description: ${description}`,
    "    path: 'orders'",
    '  }',
    '}',
    '',
  ].join('\n');

/** Expands one Bicep or ARM file the way `scan <scanned>` would, with the scan's sandbox. */
function expandIn(dir: string, scanned: string, file: string, environment?: Record<string, string>) {
  const sandbox = Sandbox.forPaths([scanned], { cwd: dir, environment, registryCache: false });
  const c = classify({ absPath: path.join(dir, file), explicit: false }, dir, sandbox, evaluateBicepParamValues);
  assert.ok(c.ok, !c.ok && !c.skipped ? c.diagnostic.message : 'skipped');
  const expansion = expandTemplate(c.file.document, undefined, { deployment: DEFAULT_DEPLOYMENT, loadLinked: linkedFileLoader(sandbox, dir) });
  const diagnostics = [...(c.file.diagnostics ?? []), ...expansion.diagnostics];
  const everything = JSON.stringify({ resources: expansion.resources.map((r) => r.body), diagnostics, outputs: expansion.outputs() });
  assert.ok(!everything.includes(SECRET), 'the content of a file outside the sandbox appears nowhere');
  return { resources: expansion.resources, diagnostics };
}

function refusal(diagnostics: Diagnostic[], code = 'sandbox'): Diagnostic {
  const d = diagnostics.find((x) => x.code === code && /outside the sandbox/.test(x.message));
  assert.ok(d, `a refusal among ${JSON.stringify(diagnostics.map((x) => `${x.code}: ${x.message}`))}`);
  assert.match(d.message, /Tollgate reads no file outside it/);
  return d;
}

for (const fn of ['loadTextContent', 'loadFileAsBase64', 'loadJsonContent', 'loadYamlContent']) {
  test(`${fn}('../secret.txt') outside the scanned folder: a diagnostic at the call, an unknown value`, () => {
    const text = bicepResource(`${fn}('../secret.txt')`);
    const dir = tempTree({ 'secret.txt': SECRET, 'repo/main.bicep': text });
    const { resources, diagnostics } = expandIn(dir, 'repo', 'repo/main.bicep');
    const d = refusal(diagnostics);
    assert.equal(d.severity, 'error');
    assert.equal(d.location?.file, 'repo/main.bicep');
    assert.equal(d.location?.start.line, lineOf(text, fn));
    assert.equal(d.location?.start.column, text.split('\n')[lineOf(text, fn) - 1]!.indexOf(fn) + 1);
    assert.match(d.message, new RegExp(`^${fn}\\('\\.\\./secret\\.txt'\\): the file is outside the sandbox \\(the scanned path `));
    const value = getPath(resources[0]!.body, 'properties.description');
    assert.ok(isUnknown(value), `unknown, not ${JSON.stringify(value)}`);
  });
}

test('loadTextContent of an absolute path (/etc/hostname, /proc/self/environ) is refused', () => {
  const dir = tempTree({
    'main.bicep': [bicepResource("loadTextContent('/etc/hostname')"), "output env string = loadTextContent('/proc/self/environ')", ''].join('\n'),
  });
  const { resources, diagnostics } = expandIn(dir, '.', 'main.bicep');
  assert.equal(diagnostics.filter((d) => d.code === 'sandbox').length, 2);
  assert.ok(isUnknown(getPath(resources[0]!.body, 'properties.description')));
});

test('loadTextContent through a symbolic link pointing out, or a link loop, is refused', () => {
  const dir = tempTree({ 'secret.txt': SECRET, 'repo/main.bicep': bicepResource("'${loadTextContent('link.txt')}${loadTextContent('loop.txt')}'") });
  symlinkSync(path.join(dir, 'secret.txt'), path.join(dir, 'repo/link.txt'));
  symlinkSync(path.join(dir, 'repo/loop.txt'), path.join(dir, 'repo/loop.txt'));
  const { resources, diagnostics } = expandIn(dir, 'repo', 'repo/main.bicep');
  refusal(diagnostics);
  assert.ok(diagnostics.some((d) => d.code === 'sandbox' && /symbolic link loop/.test(d.message)));
  assert.ok(isUnknown(getPath(resources[0]!.body, 'properties.description')));
});

test('loadTextContent inside the sandbox still reads the file', () => {
  const dir = tempTree({ 'repo/main.bicep': bicepResource("loadTextContent('text/description.txt')"), 'repo/text/description.txt': 'Orders API' });
  const { resources, diagnostics } = expandIn(dir, 'repo', 'repo/main.bicep');
  assert.deepEqual(diagnostics, []);
  assert.equal(getPath(resources[0]!.body, 'properties.description'), 'Orders API');
});

test("import from '../x.bicep' outside the sandbox: a diagnostic at the path, the names unknown", () => {
  const text = ["import { secret } from '../shared.bicep'", bicepResource('secret')].join('\n');
  const dir = tempTree({ 'shared.bicep': `@export()\nvar secret = '${SECRET}'\n`, 'repo/main.bicep': text });
  const { diagnostics } = expandIn(dir, 'repo', 'repo/main.bicep');
  const d = refusal(diagnostics);
  assert.equal(d.location?.start.line, 1);
  assert.equal(d.location?.start.column, text.indexOf("'../shared.bicep'") + 1);
  assert.match(d.message, /^cannot import from '\.\.\/shared\.bicep': the file is outside the sandbox/);
});

test('a module path outside the sandbox is not read: a diagnostic at the module path', () => {
  const text = ["module m '../module.bicep' = {", "  name: 'm'", '}', ''].join('\n');
  const dir = tempTree({ 'module.bicep': bicepResource(`'${SECRET}'`), 'repo/main.bicep': text });
  const { resources, diagnostics } = expandIn(dir, 'repo', 'repo/main.bicep');
  const d = refusal(diagnostics, 'linked-template');
  assert.equal(d.location?.start.line, 1);
  assert.equal(d.location?.start.column, text.indexOf("'../module.bicep'") + 1);
  assert.deepEqual(
    resources.map((r) => r.type),
    ['Microsoft.Resources/deployments'],
  );
});

test('a linked ARM template whose relativePath leaves the sandbox is not read', () => {
  const text = template({
    resources: [
      {
        type: 'Microsoft.Resources/deployments',
        apiVersion: '2022-09-01',
        name: 'linked',
        properties: { mode: 'Incremental', templateLink: { relativePath: '../../outside.json' } },
      },
    ],
  });
  const dir = tempTree({ 'outside.json': template({ resources: [{ type: 'A.B/c', apiVersion: 'x', name: SECRET }] }), 'repo/infra/main.json': text });
  const { resources, diagnostics } = expandIn(dir, 'repo', 'repo/infra/main.json');
  const d = refusal(diagnostics, 'linked-template');
  assert.equal(d.location?.start.line, lineOf(text, '"templateLink"'));
  assert.equal(resources.length, 1);
});

test(".bicepparam extends '../base.bicepparam' outside the sandbox: a diagnostic at the path", () => {
  const text = ["using './main.bicep'", "extends '../base.bicepparam'", "param own = 'mine'", ''].join('\n');
  const dir = tempTree({
    'base.bicepparam': `using none\nparam stolen = '${SECRET}'\n`,
    'repo/main.bicep': 'param own string\nparam stolen string\n',
    'repo/main.bicepparam': text,
  });
  const sandbox = Sandbox.forPaths(['repo'], { cwd: dir, registryCache: false });
  const c = classify({ absPath: path.join(dir, 'repo/main.bicepparam'), explicit: false }, dir, sandbox, evaluateBicepParamValues);
  assert.ok(c.ok);
  const d = refusal(c.file.diagnostics ?? []);
  assert.equal(d.location?.start.line, 2);
  assert.equal(d.location?.start.column, text.split('\n')[1]!.indexOf("'../base.bicepparam'") + 1);
  assert.ok(!JSON.stringify(c.file.document.value).includes(SECRET));
});

test('a Bicep test in a git work tree loads the module above the scanned folder (the work tree is the sandbox)', () => {
  // The AVM layout: tests/e2e/x/main.test.bicep uses the module at the repository root.
  const repo = tempTree({
    'main.bicep': [
      'param name string',
      "resource svc 'Microsoft.ApiManagement/service@2023-05-01-preview' = {",
      '  name: name',
      "  location: 'westeurope'",
      "  sku: { name: 'Developer', capacity: 1 }",
      '}',
      '',
    ].join('\n'),
    'tests/e2e/x/main.test.bicep': ["module testDeployment '../../../main.bicep' = {", "  name: 'e2e'", "  params: { name: 'apim-e2e' }", '}', ''].join('\n'),
  });
  mkdirSync(path.join(repo, '.git'));
  const { resources, diagnostics } = expandIn(repo, 'tests', 'tests/e2e/x/main.test.bicep');
  assert.deepEqual(
    diagnostics.filter((d) => d.severity !== 'info'),
    [],
  );
  assert.deepEqual(
    resources.map((r) => `${r.type} ${r.name}`),
    ['Microsoft.Resources/deployments e2e', 'Microsoft.ApiManagement/service apim-e2e'],
  );
  // Without the work tree the same module is outside the scanned folder.
  const plain = tempTree({
    'main.bicep': 'param name string\n',
    'tests/e2e/x/main.test.bicep': "module t '../../../main.bicep' = {\n  name: 'e2e'\n  params: { name: 'x' }\n}\n",
  });
  refusal(expandIn(plain, 'tests', 'tests/e2e/x/main.test.bicep').diagnostics, 'linked-template');
});

const ENV_PARAMS = [
  "using './main.bicep'",
  "param fromEnv = readEnvironmentVariable('TOLLGATE_TEST_VAR')",
  "param withDefault = readEnvironmentVariable('TOLLGATE_UNSET_VAR', 'fallback')",
  '',
].join('\n');

test('readEnvironmentVariable(): unknown without --env (the real environment is never read), the given value with it', () => {
  process.env['TOLLGATE_TEST_VAR'] = SECRET;
  try {
    const dir = tempTree({ 'main.bicep': 'param fromEnv string\nparam withDefault string\n', 'main.bicepparam': ENV_PARAMS });
    const values = (environment?: Record<string, string>) => {
      const sandbox = Sandbox.forPaths(['.'], { cwd: dir, environment, registryCache: false });
      const c = classify({ absPath: path.join(dir, 'main.bicepparam'), explicit: false }, dir, sandbox, evaluateBicepParamValues);
      assert.ok(c.ok);
      assert.ok(!JSON.stringify([c.file.document.value, c.file.diagnostics]).includes(SECRET), 'process.env is not read');
      return { parameters: (c.file.document.value as { parameters: Record<string, Value> }).parameters, diagnostics: c.file.diagnostics ?? [] };
    };
    const unknown = values();
    // Unknown parameter values of a .bicepparam are secret references, which the expansion keeps unknown.
    assert.ok('reference' in (unknown.parameters['fromEnv'] as object));
    assert.ok('reference' in (unknown.parameters['withDefault'] as object), 'whether the variable is set is unknown too, so the default is not taken');
    const note = unknown.diagnostics.find((d) => d.code === 'environment');
    assert.equal(note?.severity, 'info');
    assert.equal(note?.location?.start.line, 2);
    assert.match(note!.message, /--env TOLLGATE_TEST_VAR=VALUE/);
    const given = values({ TOLLGATE_TEST_VAR: 'given', TOLLGATE_UNSET_VAR: 'also given' });
    assert.deepEqual(given.parameters['fromEnv'], { value: 'given' });
    assert.deepEqual(given.parameters['withDefault'], { value: 'also given' });
    assert.deepEqual(
      given.diagnostics.filter((d) => d.code === 'environment'),
      [],
    );
  } finally {
    delete process.env['TOLLGATE_TEST_VAR'];
  }
});

test('expand and scan take --env and the configuration env: for readEnvironmentVariable(); the real environment never does', () => {
  const dir = tempTree({
    'main.bicep': ['param fromEnv string', bicepResource('fromEnv')].join('\n'),
    'main.bicepparam': ENV_PARAMS,
    'tollgate.yaml': 'env:\n  TOLLGATE_TEST_VAR: from-config\n  TOLLGATE_UNSET_VAR: 12\n',
  });
  const run = (args: string[]) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', TOLLGATE_TEST_VAR: SECRET } });
    assert.ok(!r.stdout.includes(SECRET) && !r.stderr.includes(SECRET), 'process.env is not read');
    return r;
  };
  const description = (args: string[]) =>
    getPath(
      (JSON.parse(run(['expand', 'main.bicep', '-p', 'main.bicepparam', ...args]).stdout) as { resources: { body: Value }[] }).resources[0]!.body,
      'properties.description',
    );
  // expand reads the configuration scan reads (its env: too); without it the value stays unknown.
  assert.equal(description([]), 'from-config');
  assert.match(String(description(['--no-config'])), /^<unknown: /);
  assert.equal(description(['--env', 'TOLLGATE_TEST_VAR=a=b']), 'a=b', 'the first = splits name and value');
  assert.equal(run(['expand', 'main.bicep', '--env', 'novalue']).status, 2);
  // scan: the configuration's env: gives the variables (numbers too), so no note asks for them.
  const notes = (args: string[]) =>
    (JSON.parse(run(['scan', '.', '--format', 'json', ...args]).stdout) as { diagnostics: Diagnostic[] }).diagnostics
      .filter((d) => d.code === 'environment')
      .map((d) => d.message.slice(0, 50));
  assert.deepEqual(notes([]), []);
  assert.equal(notes(['--no-config']).length, 2);
  assert.equal(notes(['--no-config', '--env', 'TOLLGATE_TEST_VAR=x']).length, 1);
});

test('a found configuration may not write reports or read policy files outside the sandbox; -c and --output may', () => {
  const dir = tempTree({
    'repo/main.json': template({ resources: [] }),
    'repo/tollgate.yaml': ['output:', '  formats: [json]', '  files:', '    json: ../../elsewhere/x.json', ''].join('\n'),
  });
  const repo = path.join(dir, 'repo');
  const confineTo = Sandbox.forPaths(['.'], { cwd: repo, registryCache: false });
  assert.throws(
    () => loadConfig(path.join(repo, 'tollgate.yaml'), 'tollgate.yaml', { confineTo }),
    (e: unknown) =>
      e instanceof ConfigError && /^tollgate\.yaml:4:11: output\.files\.json '\.\.\/\.\.\/elsewhere\/x\.json' is outside the scanned path /.test(e.message),
  );
  // Given with -c, the same file is the user's choice.
  assert.equal(loadConfig(path.join(repo, 'tollgate.yaml'), 'tollgate.yaml').output?.files?.['json'], path.join(dir, '..', 'elsewhere', 'x.json'));
  // Through the CLI: usage error, and nothing created outside.
  const r = spawnSync(process.execPath, [CLI, 'scan', '.'], { cwd: repo, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /tollgate\.yaml:4:11: output\.files\.json/);
  assert.ok(!existsSync(path.join(dir, '..', 'elsewhere')));
  // Inside the tree is fine.
  const ok = tempTree({
    'main.json': template({ resources: [] }),
    'tollgate.yaml': 'output:\n  formats: [json]\n  files:\n    json: reports/x.json\npolicy:\n  initiatives: [mcsb]\n',
  });
  assert.equal(
    loadConfig(path.join(ok, 'tollgate.yaml'), 'tollgate.yaml', { confineTo: Sandbox.forPaths(['.'], { cwd: ok, registryCache: false }) }).output?.files?.[
      'json'
    ],
    path.join(ok, 'reports/x.json'),
  );
  // Policy files from a found configuration too.
  const policy = tempTree({ 'repo/main.json': template({ resources: [] }), 'repo/tollgate.yaml': 'policy:\n  definitions:\n    - ../../etc/policies\n' });
  assert.throws(
    () =>
      loadConfig(path.join(policy, 'repo/tollgate.yaml'), 'tollgate.yaml', { confineTo: Sandbox.forPaths(['repo'], { cwd: policy, registryCache: false }) }),
    (e: unknown) => e instanceof ConfigError && /^tollgate\.yaml:3:7: policy\.definitions\.0 /.test(e.message),
  );
});

test('expand reports a refused read at its line, prints the value as unknown and exits 3', () => {
  const dir = tempTree({ 'secret.txt': SECRET, 'repo/main.bicep': bicepResource("loadTextContent('../secret.txt')") });
  const r = spawnSync(process.execPath, [CLI, 'expand', 'main.bicep'], {
    cwd: path.join(dir, 'repo'),
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  assert.equal(r.status, 3);
  assert.match(r.stderr, /^main\.bicep:4:18: error: loadTextContent\('\.\.\/secret\.txt'\): the file is outside the sandbox .*\[sandbox\]$/m);
  assert.match(r.stdout, /"description": "<unknown: loadTextContent\('\.\.\/secret\.txt'\) could not be read>"/);
  assert.ok(!r.stdout.includes(SECRET) && !r.stderr.includes(SECRET));
});

test('a scanned file or a policy file larger than MAX_INPUT_FILE_BYTES is a diagnostic, not an out-of-memory', () => {
  const dir = tempTree({ 'main.json': template({ resources: [] }) });
  for (const name of ['huge.json', 'huge-policy.json']) {
    writeFileSync(path.join(dir, name), '');
    truncateSync(path.join(dir, name), MAX_INPUT_FILE_BYTES + 1024); // sparse: no disk used
  }
  const sandbox = Sandbox.forPaths(['.'], { cwd: dir, registryCache: false });
  const c = classify({ absPath: path.join(dir, 'huge.json'), explicit: false }, dir, sandbox, evaluateBicepParamValues);
  assert.ok(!c.ok && !c.skipped && c.diagnostic.code === 'sandbox' && /MiB, more than Tollgate reads/.test(c.diagnostic.message));
  const policies = loadPolicyInputs({ policies: ['huge-policy.json'] }, dir);
  assert.ok(
    policies.diagnostics.some((d) => d.file === 'huge-policy.json' && /more than Tollgate reads \(32 MiB\)/.test(d.message)),
    JSON.stringify(policies.diagnostics),
  );
});

test('load*() of a missing file, invalid YAML or a computed path: an error at the call and an unknown value, not null', () => {
  const text = [
    "var name = 'x.txt'",
    "resource api 'Microsoft.ApiManagement/service/apis@2023-05-01-preview' = {",
    "  name: 'apim/orders'",
    '  properties: {',
    "    description: loadTextContent('missing.txt')",
    "    displayName: loadYamlContent('bad.yaml').title",
    '    serviceUrl: loadTextContent(name)',
    "    path: 'orders'",
    '  }',
    '}',
    '',
  ].join('\n');
  const dir = tempTree({ 'main.bicep': text, 'bad.yaml': 'title: [unclosed\n' });
  const { resources, diagnostics } = expandIn(dir, '.', 'main.bicep');
  const body = resources[0]!.body;
  for (const property of ['description', 'displayName', 'serviceUrl']) assert.ok(isUnknown(getPath(body, `properties.${property}`)), property);
  assert.deepEqual(
    diagnostics.filter((d) => d.severity === 'error').map((d) => [d.location?.start.line, d.message.replace(/ \(.*$/s, ' (…')]),
    [
      [5, "loadTextContent('missing.txt'): cannot read it (…"],
      [6, "loadYamlContent('bad.yaml'): not valid YAML (…"],
      [7, 'loadTextContent() needs a literal file path'],
    ],
  );
});
