import { test } from 'node:test';
import assert from 'node:assert/strict';
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
