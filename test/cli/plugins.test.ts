import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lineOf, repoRoot, template, tempTree } from '../helpers.js';

// A user's repository with a plugin rule, end to end through the CLI: the plugin imports
// defineRule from the installed package ('tollgate', linked into node_modules as npm would).
const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');

function run(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const PLUGIN = `import { defineRule } from 'tollgate';

export default defineRule({
  id: 'Contoso-NoPublicBlobs',
  title: 'Storage accounts do not allow public blob access',
  severity: 'high',
  description: 'Public blobs can be read by anyone.',
  recommendation: 'Set properties.allowBlobPublicAccess to false.',
  appliesTo: ['Microsoft.Storage/storageAccounts'],
  messages: { publicBlobs: "Storage account '{{name}}' allows public blob access." },
  optionsSchema: { type: 'object', properties: { allowed: { type: 'array', items: { type: 'string' } } }, additionalProperties: false },
  check(resource, ctx) {
    const allowed = Array.isArray(ctx.options.allowed) ? ctx.options.allowed : [];
    if (allowed.includes(resource.name)) return ctx.skip('allowed by configuration');
    if (resource.body.properties?.allowBlobPublicAccess === true) {
      ctx.report({ path: 'properties.allowBlobPublicAccess', messageId: 'publicBlobs', data: { name: resource.name } });
    }
  },
});
`;

const storage = (name: string, allowBlobPublicAccess: boolean) => ({
  type: 'Microsoft.Storage/storageAccounts',
  apiVersion: '2023-01-01',
  name,
  location: 'westeurope',
  sku: { name: 'Standard_LRS' },
  kind: 'StorageV2',
  properties: { allowBlobPublicAccess },
});
const TEMPLATE = template({ resources: [storage('stpublic', true), storage('stprivate', false)] });

function repo(files: Record<string, string>): string {
  const dir = tempTree(files);
  mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  symlinkSync(repoRoot(), path.join(dir, 'node_modules', 'tollgate'), 'dir');
  return dir;
}

test('a plugin rule runs from tollgate.yaml, with settings, suppressions and every report', () => {
  const dir = repo({ 'tollgate.yaml': 'plugins:\n  - rules/no-public-blobs.mjs\n', 'rules/no-public-blobs.mjs': PLUGIN, 'infra/main.json': TEMPLATE });
  const r = run(['scan', 'infra', '-f', 'json'], dir);
  assert.equal(r.code, 1, r.stderr);
  const report = JSON.parse(r.stdout) as { findings: { ruleId: string; message: string; level: string; location: { start: { line: number } } }[] };
  const mine = report.findings.filter((f) => f.ruleId === 'Contoso-NoPublicBlobs');
  assert.equal(mine.length, 1);
  assert.equal(mine[0]!.message, "Storage account 'stpublic' allows public blob access.");
  assert.equal(mine[0]!.level, 'error');
  assert.equal(mine[0]!.location.start.line, lineOf(TEMPLATE, '"allowBlobPublicAccess": true'));

  // The same settings as a native rule: level, options, suppressions.
  const configured = repo({
    'tollgate.yaml': [
      'plugins: [rules/no-public-blobs.mjs]',
      'rules:',
      '  Contoso-NoPublicBlobs:',
      '    level: warning',
      '    options:',
      '      allowed: [stother]',
      '',
    ].join('\n'),
    'rules/no-public-blobs.mjs': PLUGIN,
    'infra/main.json': TEMPLATE,
  });
  const warned = JSON.parse(run(['scan', 'infra', '-f', 'json'], configured).stdout) as { findings: { ruleId: string; level: string }[] };
  assert.deepEqual(
    warned.findings.filter((f) => f.ruleId === 'Contoso-NoPublicBlobs').map((f) => f.level),
    ['warning'],
  );
  const suppressed = repo({
    'tollgate.yaml':
      'plugins: [rules/no-public-blobs.mjs]\nsuppressions:\n  - rule: Contoso-NoPublicBlobs\n    resourceName: stpublic\n    reason: a public website\n',
    'rules/no-public-blobs.mjs': PLUGIN,
    'infra/main.json': TEMPLATE,
  });
  const s = JSON.parse(run(['scan', 'infra', '-f', 'json'], suppressed).stdout) as { findings: { ruleId: string }[]; suppressed?: { ruleId: string }[] };
  assert.equal(s.findings.filter((f) => f.ruleId === 'Contoso-NoPublicBlobs').length, 0);
  assert.equal(s.suppressed?.filter((f) => f.ruleId === 'Contoso-NoPublicBlobs').length, 1);
  const sarif = run(['scan', 'infra', '-f', 'sarif'], dir);
  assert.match(sarif.stdout, /"ruleId": "Contoso-NoPublicBlobs"/);
});

test("a bad option of a plugin's rule is a configuration error at its line", () => {
  const dir = repo({
    'tollgate.yaml': 'plugins: [rules/no-public-blobs.mjs]\nrules:\n  Contoso-NoPublicBlobs:\n    options:\n      allowed: stpublic\n      alowed: [x]\n',
    'rules/no-public-blobs.mjs': PLUGIN,
    'infra/main.json': TEMPLATE,
  });
  const r = run(['scan', 'infra'], dir);
  assert.equal(r.code, 2);
  // allErrors: the first problem Ajv lists is reported (one line); both are real.
  const either = [
    'tollgate: tollgate.yaml:5:7: rules.Contoso-NoPublicBlobs.options.allowed must be array\n',
    'tollgate: tollgate.yaml:6:7: rules.Contoso-NoPublicBlobs.options.alowed: unknown option\n',
  ];
  assert.ok(either.includes(r.stderr), r.stderr);
});

test('a native rule option is checked against its schema too', () => {
  const dir = tempTree({ 'tollgate.yaml': 'rules:\n  APIM-CertificateExpiry:\n    options:\n      days: soon\n', 'main.json': TEMPLATE });
  const r = run(['scan', 'main.json'], dir);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'tollgate: tollgate.yaml:4:7: rules.APIM-CertificateExpiry.options.days must be integer\n');
});

test('plugins that cannot be used are configuration errors naming the file', () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    [
      'not a rule',
      { 'p.mjs': "export default { id: 'x' };\nexport const helper = 1;\n" },
      /tollgate\.yaml:1:11: plugins\[0\] p\.mjs: export 'default' is not a rule/,
    ],
    [
      'fails to load',
      { 'p.mjs': "import 'nowhere-to-be-found';\n" },
      /plugins\[0\] p\.mjs: the module failed to load: Cannot find package 'nowhere-to-be-found'/,
    ],
    ['syntax error', { 'p.mjs': 'export default {\n' }, /plugins\[0\] p\.mjs: the module failed to load: /],
    ['exports nothing', { 'p.mjs': '// nothing\n' }, /plugins\[0\] p\.mjs: exports no rule/],
    ['TypeScript', { 'p.ts': 'export default 1;\n' }, /plugins\[0\] p\.ts: Node\.js cannot load TypeScript here: compile the plugin to JavaScript/],
    ['missing', {}, /plugins\[0\] p\.mjs: no such file/],
    ['id taken', { 'p.mjs': PLUGIN.replace('Contoso-NoPublicBlobs', 'APIM-Ciphers') }, /rule id 'APIM-Ciphers' is already taken by a shipped rule/],
  ];
  for (const [what, files, expected] of cases) {
    const name = Object.keys(files)[0] ?? 'p.mjs';
    const dir = repo({ 'tollgate.yaml': `plugins: [${name}]\n`, 'main.json': TEMPLATE, ...files });
    const r = run(['scan', 'main.json'], dir);
    assert.equal(r.code, 2, `${what}: ${r.stderr}`);
    assert.match(r.stderr, expected, what);
  }
});

test('a configuration found in the scanned tree may not load a plugin outside it; one given with -c may', () => {
  const outside = repo({ 'elsewhere/p.mjs': PLUGIN, 'project/tollgate.yaml': 'plugins: [../elsewhere/p.mjs]\n', 'project/main.json': TEMPLATE });
  const found = run(['scan', 'main.json'], path.join(outside, 'project'));
  assert.equal(found.code, 2);
  assert.match(found.stderr, /tollgate\.yaml:1:11: plugins\.0 '\.\.\/elsewhere\/p\.mjs' is outside .* loads plugins only inside them/);
  const given = run(['scan', 'main.json', '-c', 'tollgate.yaml', '-f', 'json'], path.join(outside, 'project'));
  assert.equal(given.code, 1, given.stderr);
  assert.match(given.stdout, /Contoso-NoPublicBlobs/);
});

test("users test their plugin's rule with tollgate/testing, and a wrong case fails", () => {
  const spec = (expected: string) => `import rule from './no-public-blobs.mjs';
import { RuleTester } from 'tollgate/testing';
const account = (allow) => ({
  type: 'Microsoft.Storage/storageAccounts', apiVersion: '2023-01-01', name: 'st1', location: 'westeurope', properties: { allowBlobPublicAccess: allow },
});
new RuleTester().run('Contoso-NoPublicBlobs', rule, {
  valid: [{ resource: account(false) }],
  invalid: [{ resource: account(true), errors: [{ messageId: '${expected}', path: 'properties.allowBlobPublicAccess' }] }],
  notApplicable: [{ resource: account(true), options: { allowed: ['st1'] } }],
});
`;
  const dir = repo({ 'rules/no-public-blobs.mjs': PLUGIN, 'rules/good.test.mjs': spec('publicBlobs'), 'rules/bad.test.mjs': spec('public') });
  // Outside this test run's own runner: a child that sees NODE_TEST_CONTEXT reports to the parent instead of printing.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_TEST_CONTEXT'));
  const nodeTest = (file: string) => spawnSync(process.execPath, ['--test', '--test-reporter=tap', file], { cwd: dir, encoding: 'utf8', env });
  const good = nodeTest('rules/good.test.mjs');
  assert.equal(good.status, 0, good.stdout + good.stderr);
  assert.match(good.stdout, /# pass 9/);
  const bad = nodeTest('rules/bad.test.mjs');
  assert.equal(bad.status, 1);
  assert.match(bad.stdout, /# fail 3/);
  assert.match(bad.stdout, /Contoso-NoPublicBlobs › invalid #1 \[bicep\]: finding 1: the rule has no message 'public' \(it has: publicBlobs\)/);
});
