import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, findConfig, loadConfig } from '../../src/config/config.js';
import { template, tempTree } from '../helpers.js';

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
const run = (args: string[], cwd: string) => spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

const SEED = '92bb331d-ac71-416a-8c91-02f2cb734ce4';
const BACKEND = template({
  resources: [
    {
      type: 'Microsoft.ApiManagement/service/backends',
      apiVersion: 'x',
      name: 'svc/b',
      properties: { url: 'https://b', tls: { validateCertificateChain: false } },
    },
  ],
});

test('the configuration file is found in the scanned folder or a folder above it', () => {
  const dir = tempTree({ 'tollgate.yaml': 'exclude: []\n', 'infra/apim/main.json': BACKEND });
  assert.equal(findConfig(path.join(dir, 'infra/apim')), path.join(dir, 'tollgate.yaml'));
  assert.equal(findConfig(path.join(dir, 'infra/apim/main.json')), path.join(dir, 'tollgate.yaml'));
});

test('YAML and JSON configurations read the same', () => {
  const dir = tempTree({
    'a.yaml': `rules:\n  ${SEED}:\n    effect: Deny\ndeployment:\n  location: westeurope\n`,
    'b.json': JSON.stringify({ rules: { [SEED]: { effect: 'Deny' } }, deployment: { location: 'westeurope' } }),
  });
  // Everything but where the file is and where its keys are written.
  const settings = (file: string) => {
    const { origin, ...rest } = loadConfig(path.join(dir, file));
    assert.equal(origin?.file, path.join(dir, file));
    return rest;
  };
  assert.deepEqual(settings('a.yaml'), settings('b.json'));
});

test('an unknown key is an error naming the key, its line and column, and the closest known key', () => {
  const dir = tempTree({ 'tollgate.yaml': `exclude: []\nrules:\n  ${SEED}:\n    efect: Deny\n` });
  assert.throws(
    () => loadConfig(path.join(dir, 'tollgate.yaml'), 'tollgate.yaml'),
    (e: unknown) => e instanceof ConfigError && e.message === `tollgate.yaml:4:5: unknown key 'efect' in rules.${SEED} (did you mean 'effect'?)`,
  );
});

test('a value of the wrong type is an error at the value', () => {
  const dir = tempTree({ 'tollgate.yaml': 'deployment:\n  location: 3\n' });
  assert.throws(() => loadConfig(path.join(dir, 'tollgate.yaml'), 'tollgate.yaml'), /tollgate\.yaml:2:13: deployment\.location must be string/);
});

test('YAML syntax errors carry a line', () => {
  const dir = tempTree({ 'tollgate.yaml': 'rules:\n  - a\n  b: c\n' });
  assert.throws(() => loadConfig(path.join(dir, 'tollgate.yaml'), 'tollgate.yaml'), /tollgate\.yaml:3:\d+: /);
});

test('scan: the config selects the Deny effect (exit 1); a flag overrides it; --no-config ignores it', () => {
  const dir = tempTree({ 'tollgate.yaml': `rules:\n  ${SEED}:\n    effect: Deny\n`, 'main.json': BACKEND });
  const deny = run(['scan', '.', '--format', 'json'], dir);
  assert.equal(deny.status, 1, deny.stderr);
  assert.equal(JSON.parse(deny.stdout).findings[0].effect, 'Deny');
  const flag = run(['scan', '.', '--effect', `${SEED}=Audit`], dir);
  assert.equal(flag.status, 0);
  assert.equal(run(['scan', '.', '--no-config'], dir).status, 0);
});

test('scan: a bad configuration is exit 2 with file, line and key', () => {
  const dir = tempTree({ 'tollgate.yaml': 'exclude: []\nrulez: {}\n', 'main.json': BACKEND });
  const r = run(['scan', '.'], dir);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /tollgate\.yaml:2:1: unknown key 'rulez' in the top level \(did you mean 'rules'\?\)/);
});

test('scan: exclude and deployment from the config are used', () => {
  const dir = tempTree({
    'tollgate.json': JSON.stringify({ exclude: ['legacy/'], deployment: { resourceGroup: 'rg-prod' } }),
    'legacy/main.json': BACKEND,
    'main.json': template({
      resources: [
        { type: 'Microsoft.ApiManagement/service/backends', apiVersion: 'x', name: 'svc/b', properties: { url: "[concat('http://', resourceGroup().name)]" } },
      ],
    }),
  });
  const r = run(['scan', '.', '--format', 'json'], dir);
  const report = JSON.parse(r.stdout);
  assert.deepEqual(
    report.findings.map((f: { file: string; message: string }) => [f.file, /rg-prod/.test(f.message)]),
    [['main.json', true]],
  );
});

test('a suppression whose expires is not a calendar date is a configuration error at the key, not a permanent suppression', () => {
  for (const bad of ['2020-13-45', '2021-02-30', '"2023-02-29"']) {
    const dir = tempTree({
      'tollgate.yaml': ['suppressions:', '  - rule: APIM-HTTPBackend', '    reason: retired in Q1', `    expires: ${bad}`, ''].join('\n'),
      'main.json': BACKEND,
    });
    assert.throws(
      () => loadConfig(path.join(dir, 'tollgate.yaml'), 'tollgate.yaml'),
      (e: unknown) => e instanceof ConfigError && /^tollgate\.yaml:4:5: suppressions\[0\]\.expires '[\d-]+' is not a date of the calendar/.test(e.message),
      bad,
    );
    const r = run(['scan', '.'], dir);
    assert.equal(r.status, 2, bad);
    assert.match(r.stderr, /tollgate\.yaml:4:5: suppressions\[0\]\.expires/);
  }
  // A real date (a leap day too) is fine.
  const ok = tempTree({ 'tollgate.yaml': 'suppressions:\n  - rule: APIM-HTTPBackend\n    reason: r\n    expires: 2028-02-29\n' });
  assert.equal(loadConfig(path.join(ok, 'tollgate.yaml')).suppressions?.[0]?.expires, '2028-02-29');
});

test('an unused configuration suppression is reported at its line in the configuration file', () => {
  const dir = tempTree({
    'tollgate.yaml': [
      'exclude: []',
      'suppressions:',
      '  - rule: APIM-HTTPBackend',
      '    reason: used',
      '  - rule: APIM-HTTPBackend',
      '    reason: stale',
      '    resourceName: svc/gone',
      '',
    ].join('\n'),
    'main.json': template({
      resources: [
        {
          type: 'Microsoft.ApiManagement/service/backends',
          apiVersion: '2023-05-01-preview',
          name: 'svc/b',
          properties: { url: 'http://b.example.com', protocol: 'http' },
        },
      ],
    }),
  });
  const r = run(['scan', '.', '--format', 'json'], dir);
  const unused = JSON.parse(r.stdout).diagnostics.filter((d: { code: string }) => d.code === 'suppression-unused');
  assert.equal(unused.length, 1, r.stdout);
  assert.equal(unused[0].location.file, 'tollgate.yaml');
  assert.equal(unused[0].location.start.line, 5);
  const pretty = run(['scan', '.'], dir);
  assert.match(pretty.stdout + pretty.stderr, /tollgate\.yaml:5:5 +warning +the suppression of APIM-HTTPBackend in the configuration matches no finding/);
});

test('a YAML alias bomb ("billion laughs") is a configuration error naming the file, not an internal error or a hang', () => {
  const levels = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]'];
  for (const name of 'bcdefgh') {
    const prev = String.fromCharCode(name.charCodeAt(0) - 1);
    levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
  }
  const dir = tempTree({ 'tollgate.yaml': levels.join('\n') + '\n', 'main.json': BACKEND });
  assert.throws(
    () => loadConfig(path.join(dir, 'tollgate.yaml'), 'tollgate.yaml'),
    (err: Error) => err instanceof ConfigError && /^tollgate\.yaml: cannot read the configuration file: .*alias/i.test(err.message),
  );
  const r = run(['scan', '.'], dir);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^tollgate: tollgate\.yaml: cannot read the configuration file/);
  assert.doesNotMatch(r.stderr, /internal error/);
  // A few aliases, as a real configuration uses them, are fine.
  const fine = tempTree({ 'tollgate.yaml': 'include: &files ["*.json"]\nexclude: *files\n', 'main.json': BACKEND });
  assert.deepEqual(loadConfig(path.join(fine, 'tollgate.yaml')).exclude, ['*.json']);
});

test('links: URL prefixes map to folders relative to the configuration file; a prefix that is not a URL is an error at its line', () => {
  const dir = tempTree({ 'tollgate.yaml': 'links:\n  https://raw.githubusercontent.com/contoso/platform/main/: infra\n' });
  assert.deepEqual(loadConfig(path.join(dir, 'tollgate.yaml')).links, { 'https://raw.githubusercontent.com/contoso/platform/main/': path.join(dir, 'infra') });
  const bad = tempTree({ 'tollgate.yaml': 'failOn: error\nlinks:\n  nested/: .\n' });
  assert.throws(
    () => loadConfig(path.join(bad, 'tollgate.yaml'), 'tollgate.yaml'),
    (err: unknown) => err instanceof ConfigError && /tollgate\.yaml:\d+:\d+: .*links/.test(err.message),
  );
});

test('the schema validator compiled at build time is used, and judges as the one compiled at run time does', async () => {
  const { compileConfigValidator, configValidator } = await import('../../src/config/config.js');
  const { readFileSync } = await import('node:fs');
  const { repoRoot } = await import('../helpers.js');
  const built = configValidator() as ReturnType<typeof configValidator> & { schemaSha256?: string };
  assert.equal(typeof built.schemaSha256, 'string', 'dist/config-validator.cjs is missing or stale: run npm run build');
  const now = compileConfigValidator(readFileSync(path.join(repoRoot(), 'schema', 'tollgate.schema.json'), 'utf8'));
  const cases: unknown[] = [
    {},
    { exclude: ['a/'], rules: { default: ['apim'], 'APIM-MinAPIVersion': { enabled: false } } },
    { exclud: ['a/'] },
    { rules: { default: 'apim' } },
    { rules: { 'APIM-MinAPIVersion': { level: 'loud' } } },
    { failOn: 3 },
    { links: { 'https://x/': 5 } },
    { suppressions: [{ rule: 'x' }] },
    { output: [{ format: 'nope' }] },
    { deployment: { location: 7 } },
  ];
  for (const value of cases) {
    const a = built(value);
    const b = now(value);
    assert.equal(a, b, JSON.stringify(value));
    const pick = (errors: typeof built.errors) => errors?.map((e) => [e.keyword, e.instancePath, e.params, e.message]);
    assert.deepEqual(pick(built.errors), pick(now.errors), JSON.stringify(value));
    if (!a) assert.deepEqual(built.errors?.[0]?.parentSchema, now.errors?.[0]?.parentSchema);
  }
});
