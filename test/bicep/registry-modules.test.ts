import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DEPLOYMENT, expandTemplate } from '../../src/arm/template/expand.js';
import { loadBicep } from '../../src/bicep/load-bicep.js';
import { resolveRegistryModule } from '../../src/bicep/registry-modules.js';
import { linkedFileLoader } from '../../src/input/linked-files.js';
import { Sandbox } from '../../src/load/sandbox.js';
import { SourceFile } from '../../src/load/source-file.js';
import { getPath } from '../../src/resources/value.js';
import { lineOf, tempTree } from '../helpers.js';
import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { scan } from '../../src/scan.js';

const NO_RULES = { rules: [], diagnostics: [], effectErrors: [] };

// Registry (`br:`) and template-spec (`ts:`) modules come from Bicep's module cache, a
// configured mirror folder, or nowhere (a warning naming the module and the fix).

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'fixtures', 'bicep-registry');
const HOME_CACHE = path.join(FIXTURES, 'cache-root');
const MIRROR = path.join(FIXTURES, 'mirror');

function sandbox(options: { mirror?: boolean; cache?: string | false } = {}): Sandbox {
  return Sandbox.forPaths([path.join(FIXTURES, 'project')], {
    cwd: FIXTURES,
    registryCache: options.cache ?? HOME_CACHE,
    ...(options.mirror !== false && { moduleMirror: MIRROR }),
  });
}

function resolved(spec: string, box = sandbox(), from = path.join(FIXTURES, 'project', 'main.bicep')): string {
  const r = resolveRegistryModule(spec, from, box);
  assert.ok(r.ok, !r.ok ? r.reason : '');
  return path.relative(FIXTURES, r.path).split(path.sep).join('/');
}

test("br/public: the built-in alias reads Bicep's cache as `bicep restore` writes it", () => {
  const expected = 'cache-root/br/mcr.microsoft.com/bicep$avm$res$storage$storage-account/0.9.1$/main.json';
  assert.equal(resolved('br/public:avm/res/storage/storage-account:0.9.1'), expected);
});

test('br:<registry>/<repository>:<tag> and a br alias with a modulePath from bicepconfig.json', () => {
  assert.equal(resolved('br:contoso.azurecr.io/modules/web/site:v2'), 'cache-root/br/contoso.azurecr.io/modules$web$site/v2$/main.json');
  assert.equal(resolved('br/contoso:plan:1.0'), 'cache-root/br/contoso.azurecr.io/modules$web$plan/1.0$/main.json');
  assert.equal(
    resolved('br/contoso:plan@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'),
    'cache-root/br/contoso.azurecr.io/modules$web$plan/sha256#0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef/main.json',
  );
});

test('ts: template specs, by full reference and through a ts alias that fixes subscription and group', () => {
  const full = 'cache-root/ts/00000000-0000-0000-0000-000000000000/shared-rg/vnet-spec/1.0/main.json';
  assert.equal(resolved('ts:00000000-0000-0000-0000-000000000000/shared-rg/vnet-spec:1.0'), full);
  assert.equal(resolved('ts/specs:nsg-spec:v3'), 'cache-root/ts/11111111-1111-1111-1111-111111111111/specs-rg/nsg-spec/v3/main.json');
});

test('bicepconfig.json cacheRootDirectory: the nearest configuration names the cache root', () => {
  const from = path.join(FIXTURES, 'project', 'custom-root', 'main.bicep');
  const expected = 'project/custom-root/cache/br/contoso.azurecr.io/modules$web$site/v2$/main.json';
  assert.equal(resolved('br:contoso.azurecr.io/modules/web/site:v2', sandbox(), from), expected);
});

test('the mirror folder: <module path>/<version>/ first, then a checkout holding one version (main.bicep before main.json)', () => {
  assert.equal(resolved('br/public:avm/res/network/private-dns-zone:0.7.0'), 'mirror/avm/res/network/private-dns-zone/0.7.0/main.bicep');
  assert.equal(resolved('br/public:avm/res/key-vault/vault:0.11.0'), 'mirror/avm/res/key-vault/vault/main.bicep');
  // Without the mirror setting the same modules are not found, and the reason says what to do.
  const r = resolveRegistryModule('br/public:avm/res/key-vault/vault:0.11.0', path.join(FIXTURES, 'project', 'main.bicep'), sandbox({ mirror: false }));
  assert.ok(!r.ok);
  assert.match(r.reason, /bicep restore/);
  assert.match(r.reason, /bicep\.moduleCache/);
});

test('an alias bicepconfig.json does not define is named in the reason', () => {
  const r = resolveRegistryModule('br/nowhere:x/y:1', path.join(FIXTURES, 'project', 'main.bicep'), sandbox());
  assert.ok(!r.ok);
  assert.match(r.reason, /the module alias 'br\/nowhere' is not defined in moduleAliases of .*bicepconfig\.json/);
});

test('expansion: every module found is expanded; a missing one is a warning naming it and the fix, its resources not checked', () => {
  const box = sandbox();
  const abs = path.join(FIXTURES, 'project', 'main.bicep');
  const text = readFileSync(abs, 'utf8');
  const { document, diagnostics } = loadBicep(new SourceFile(abs, 'project/main.bicep', text), box);
  const expansion = expandTemplate(document, undefined, { deployment: DEFAULT_DEPLOYMENT, loadLinked: linkedFileLoader(box, FIXTURES) });
  const from = expansion.resources
    .filter((r) => r.type !== 'Microsoft.Resources/deployments')
    .map((r) => getPath(r.body, 'tags.from'))
    .sort();
  const everyPath = ['cache br alias', 'cache br digest', 'cache br full', 'cache br/public', 'cache ts', 'cache ts alias'];
  everyPath.push('mirror checkout', 'mirror versioned');
  assert.deepEqual(from, everyPath);
  const missing = diagnostics.filter((d) => d.code === 'bicep-module-missing');
  assert.equal(missing.length, 2, JSON.stringify(missing.map((d) => d.message)));
  const site = missing.find((d) => d.message.includes('br/public:avm/res/web/site:0.1.0'));
  assert.ok(site);
  assert.equal(site.severity, 'warning');
  assert.equal(site.location?.start.line, lineOf(text, "'br/public:avm/res/web/site:0.1.0'"));
  assert.match(site.message, /run `bicep restore`.*or set bicep\.moduleCache in tollgate\.yaml/);
  assert.match(site.message, /its resources are not checked/);
  // The deployment of the missing module is reported like any linked template not followed.
  const notFollowed = expansion.diagnostics.filter((d) => d.code === 'linked-template');
  const unchecked = notFollowed.some((d) => /deployment 'missing-/.test(d.message) && /its resources are not checked/.test(d.message));
  assert.ok(unchecked, JSON.stringify(notFollowed.map((d) => d.message)));
});

test('sandbox: a cacheRootDirectory outside the work tree opens its br and ts folders only', () => {
  const outside = tempTree({ 'elsewhere/br/r.io/m/1$/main.json': '{}', 'elsewhere/secret.txt': 'x' });
  const dir = tempTree({ '.git/HEAD': '', 'bicepconfig.json': JSON.stringify({ cacheRootDirectory: path.join(outside, 'elsewhere') }), 'main.bicep': '' });
  const box = Sandbox.forPaths([dir], { cwd: dir, registryCache: false });
  assert.equal(box.readText(path.join(outside, 'elsewhere', 'br/r.io/m/1$/main.json')).ok, false, 'not before a module resolves into it');
  const r = resolveRegistryModule('br:r.io/m:1', path.join(dir, 'main.bicep'), box);
  assert.ok(r.ok, !r.ok ? r.reason : '');
  assert.ok(box.readText(r.path).ok);
  assert.equal(box.readText(path.join(outside, 'elsewhere', 'secret.txt')).ok, false);
});

test('tollgate.yaml bicep.moduleCache: relative to the file, used by scan; a found one must stay inside the work tree', () => {
  const module = "param name string\nresource r 'Microsoft.KeyVault/vaults@2023-07-01' = {\n  name: name\n  location: 'westeurope'\n  properties: {}\n}\n";
  const dir = tempTree({
    'repo/.git/HEAD': '',
    'repo/tollgate.yaml': 'bicep:\n  moduleCache: vendor/modules\n',
    'repo/vendor/modules/avm/res/key-vault/vault/1.0.0/main.bicep': module,
    'repo/infra/main.bicep': "module kv 'br/public:avm/res/key-vault/vault:1.0.0' = {\n  params: { name: 'kv' }\n}\n",
    'bad/.git/HEAD': '',
    'bad/tollgate.yaml': 'bicep:\n  moduleCache: ../repo/vendor\n',
  });
  const repo = path.join(dir, 'repo');
  const config = loadConfig(path.join(repo, 'tollgate.yaml'), 'tollgate.yaml', { confineTo: Sandbox.forPaths(['.'], { cwd: repo, registryCache: false }) });
  assert.equal(config.bicep?.moduleCache, path.join(repo, 'vendor/modules'));
  const out = scan({ paths: ['infra'], cwd: repo, ruleSet: NO_RULES, bicepModuleCache: config.bicep!.moduleCache! });
  assert.deepEqual(
    out.diagnostics.filter((d) => d.severity !== 'info').map((d) => d.message),
    [],
  );
  const without = scan({ paths: ['infra'], cwd: repo, ruleSet: NO_RULES });
  assert.ok(without.diagnostics.some((d) => d.code === 'bicep-module-missing'));
  // The module deployment, plus the vault inside it once the mirror has the module.
  assert.deepEqual([out.units[0]?.resources, without.units[0]?.resources], [2, 1]);
  const bad = path.join(dir, 'bad');
  assert.throws(
    () => loadConfig(path.join(bad, 'tollgate.yaml'), 'tollgate.yaml', { confineTo: Sandbox.forPaths(['.'], { cwd: bad, registryCache: false }) }),
    (e: Error) => e instanceof ConfigError && /tollgate\.yaml:2:\d+: bicep\.moduleCache '\.\.\/repo\/vendor' is outside/.test(e.message),
  );
});

test('module cycles are found from the parsed module files: only real module declarations count, not strings or comments', () => {
  const dir = tempTree({
    'main.bicep': ["module a './a.bicep' = {}", "module b './b.bicep' = {}", ''].join('\n'),
    // Text that looks like a module declaration but is a comment, a string or an object key.
    'a.bicep': ["// module x './main.bicep' = {}", "var s = '''", "module c './main.bicep' = {}", "'''", "var o = { module: 'x' }", ''].join('\n'),
    'b.bicep': ["@description('back')", "module m './main.bicep' = {}", ''].join('\n'),
  });
  const main = path.join(dir, 'main.bicep');
  const loaded = loadBicep(new SourceFile(main, 'main.bicep', readFileSync(main, 'utf8')));
  const cycles = loaded.diagnostics.filter((d) => /module cycle/.test(d.message)).map((d) => d.message);
  assert.deepEqual(cycles, ["'./b.bicep' leads back to this file (a module cycle): its resources are not checked"]);
});

test('tollgate expand reads the configuration scan reads: bicep.moduleCache, links, env and deployment (flags win; --no-config ignores it)', () => {
  const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
  const run = (args: string[], cwd: string) =>
    spawnSync(process.execPath, [cli, 'expand', ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const vault = "param name string\nresource r 'Microsoft.KeyVault/vaults@2023-07-01' = {\n  name: name\n  location: 'westeurope'\n  properties: {}\n}\n";
  const linked = {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    resources: [{ type: 'Microsoft.Storage/storageAccounts', apiVersion: '2023-05-01', name: 'linkedsa', location: 'westeurope', properties: {} }],
  };
  const caller = {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    resources: [
      {
        type: 'Microsoft.Resources/deployments',
        apiVersion: '2022-09-01',
        name: 'linked',
        properties: { mode: 'Incremental', templateLink: { uri: 'https://example.com/templates/linked.json' } },
      },
    ],
  };
  const dir = tempTree({
    'repo/.git/HEAD': '',
    'repo/tollgate.yaml': [
      'deployment:',
      '  resourceGroup: rg-config',
      'env:',
      '  SKU: premium',
      'bicep:',
      '  moduleCache: vendor/modules',
      'links:',
      '  https://example.com/templates/: shared',
      '',
    ].join('\n'),
    'repo/vendor/modules/avm/res/key-vault/vault/1.0.0/main.bicep': vault,
    'repo/shared/linked.json': JSON.stringify(linked),
    'repo/infra/caller.json': JSON.stringify(caller),
    'repo/infra/main.bicep': [
      "module kv 'br/public:avm/res/key-vault/vault:1.0.0' = {",
      "  params: { name: 'kv' }",
      '}',
      "resource sa 'Microsoft.Storage/storageAccounts@2023-05-01' = {",
      "  name: 'sa1'",
      "  location: 'westeurope'",
      "  sku: { name: readEnvironmentVariable('SKU') }",
      "  kind: 'StorageV2'",
      '}',
      '',
    ].join('\n'),
  });
  const repo = path.join(dir, 'repo');
  type Out = { resources: { id: string; type: string; body: { sku?: { name: unknown } } }[] };
  const ids = (stdout: string) => (JSON.parse(stdout) as Out).resources.map((r) => r.id.replace(/^\/subscriptions\/[^/]+/, ''));

  const withConfig = run(['infra/main.bicep'], repo);
  assert.equal(withConfig.status, 0, withConfig.stderr);
  assert.deepEqual(ids(withConfig.stdout).sort(), [
    '/resourceGroups/rg-config/providers/Microsoft.KeyVault/vaults/kv',
    '/resourceGroups/rg-config/providers/Microsoft.Resources/deployments/' +
      (JSON.parse(withConfig.stdout) as Out).resources
        .find((r) => r.type === 'Microsoft.Resources/deployments')!
        .id.split('/')
        .pop(),
    '/resourceGroups/rg-config/providers/Microsoft.Storage/storageAccounts/sa1',
  ]);
  const sa = (JSON.parse(withConfig.stdout) as Out).resources.find((r) => r.type === 'Microsoft.Storage/storageAccounts')!;
  assert.equal(sa.body.sku?.name, 'premium');

  // A flag wins over the configuration.
  const flagged = run(['infra/main.bicep', '--resource-group', 'rg-flag', '--env', 'SKU=standard'], repo);
  assert.equal(flagged.status, 0, flagged.stderr);
  assert.ok(ids(flagged.stdout).every((id) => id.startsWith('/resourceGroups/rg-flag/')));
  assert.equal((JSON.parse(flagged.stdout) as Out).resources.find((r) => r.type === 'Microsoft.Storage/storageAccounts')!.body.sku?.name, 'standard');

  // links: the absolute URL is read from the folder it maps to.
  const link = run(['infra/caller.json'], repo);
  assert.equal(link.status, 0, link.stderr);
  assert.ok(ids(link.stdout).includes('/resourceGroups/rg-config/providers/Microsoft.Storage/storageAccounts/linkedsa'), link.stdout);

  // --no-config: no mirror (the module is missing, a warning), the default resource group.
  const without = run(['infra/main.bicep', '--no-config'], repo);
  assert.match(without.stderr, /bicep-module-missing/);
  assert.ok(!ids(without.stdout).some((id) => id.includes('Microsoft.KeyVault')));
  assert.ok(ids(without.stdout).every((id) => id.startsWith('/resourceGroups/tollgate-rg/')));
});
