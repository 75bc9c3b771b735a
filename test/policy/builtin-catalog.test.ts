import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync } from 'node:zlib';
import { repoRoot, template, tempTree } from '../helpers.js';
import {
  builtInDefinition,
  builtInDefinitionRecords,
  builtInDefinitionVersions,
  builtInInitiative,
  builtInInitiativeRecords,
  pickBuiltInVersion,
} from '../../src/policy/builtin-catalog.js';
import { builtInCatalog } from '../../src/policy/builtin-rules.js';
import { DEFAULT_ADDITIONS, loadDefaultPolicies } from '../../src/policy/default-set.js';
import { describePolicy } from '../../src/policy/describe.js';
import { initiativeByName, matchInitiative } from '../../src/policy/initiative-names.js';
import { loadRuleSet } from '../../src/scan.js';
import { NATIVE_RULES } from '../../src/rules/index.js';

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
const run = (args: string[], cwd = repoRoot()) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

const MCSB = '1f3afdf9-d0c9-4c3d-847f-89da613e70a8';

test('the built-in catalog: every public-cloud definition and initiative of release 3.2026.0417.1, none of the Azure Government variants', () => {
  const definitions = builtInDefinitionRecords();
  const initiatives = builtInInitiativeRecords();
  assert.equal(definitions.length, 3594);
  assert.equal(initiatives.length, 181);
  assert.ok([...definitions, ...initiatives].every((r) => !r.path.includes('Azure Government')));
  assert.equal(new Set(definitions.map((r) => r.name.toLowerCase())).size, 3594);
  // Every record is a definition whose name is its line's name.
  let read = 0;
  for (const r of definitions) {
    const d = builtInDefinition(r.name);
    assert.equal(d?.name, r.name, r.path);
    read++;
  }
  assert.equal(read, 3594);
  const categories = new Set(definitions.map((r) => builtInDefinition(r.name)!.category));
  assert.ok(categories.has('Storage') && categories.has('Key Vault') && categories.has('API Management'));
});

test('every built-in definition loads as a rule (3,594), AuditAction ones listed as not applicable to templates, and rules show describes each', () => {
  const entries = builtInCatalog();
  assert.deepEqual(
    entries.filter((e) => !e.rule).map((e) => e.record.name),
    [],
  );
  const mfaDelete = entries.find((e) => e.record.name === 'db4a9d17-db75-4f46-9fcb-9f9526604417')!;
  assert.match(mfaDelete.rule!.notForTemplates ?? '', /auditAction/);
  let described = 0;
  for (const e of entries) {
    if (!e.rule) continue;
    const text = describePolicy(e.definition!, e.rule);
    assert.ok(text.includes(e.record.name), e.record.path);
    described++;
  }
  assert.equal(described, 3594);
});

test('every shipped public initiative resolves every reference; older major versions come from the shipped older versions', () => {
  let references = 0;
  let current = 0;
  const older = new Map<string, number>();
  for (const record of builtInInitiativeRecords()) {
    const initiative = builtInInitiative(record.name)!;
    for (const ref of initiative.references) {
      references++;
      const d = builtInDefinition(ref.definitionName);
      assert.ok(d, `${record.path}: ${ref.definitionId} is not in the catalog`);
      const { picked, problem } = pickBuiltInVersion(d, ref.definitionVersion);
      assert.ok(picked, `${record.path}: ${ref.referenceId}: ${problem}`);
      if (picked === d) {
        current++;
        continue;
      }
      // An older version: one Azure lists for the definition, and the newest of the major asked for.
      assert.ok(d.versions?.includes(picked.version!), `${picked.version} is among ${d.versions?.join(', ')}`);
      const key = `${d.name}@${ref.definitionVersion}->${picked.version}`;
      older.set(key, (older.get(key) ?? 0) + 1);
    }
  }
  assert.equal(references, 15815);
  assert.equal(current, 15714);
  assert.deepEqual(Object.fromEntries([...older].sort()), {
    '17bc14a7-92e1-4551-8b8c-80f36953e166@1.*.*->1.1.0': 1,
    '1a5b4dca-0b6f-4cf5-907c-56316bc1bf3d@8.*.*->8.2.0': 17,
    '1c6e92c9-99f0-4e55-9cf2-0c234dc48f99@7.*.*->7.2.0': 29,
    '47a1ee2f-2a2a-4576-bf2a-e0e36709c2b8@5.*.*->5.2.0': 35,
    '82985f06-dc18-4a48-bc1c-b9f4f0098cfe@6.*.*->6.2.0': 19,
  });
});

test('an older version is the definition as Azure had it: its own rule, file and version; a version nobody kept is still named as missing', () => {
  const versions = builtInDefinitionVersions('17bc14a7-92e1-4551-8b8c-80f36953e166');
  assert.deepEqual(
    versions.map((v) => v.version),
    ['1.0.2', '1.1.0', '2.0.0'],
  );
  const v1 = versions[1]!;
  assert.match(v1.file ?? '', /MDC_Microsoft_Defender_For_Storage_Basic_DINE\.json@1\.1\.0$/);
  // 1.1.0 still allowed the PerTransaction sub plan that 2.0.0 dropped.
  const subPlans = (d: (typeof versions)[number]) => d.parameters.find((p) => p.name === 'subPlan')?.allowedValues;
  assert.deepEqual(subPlans(v1), ['PerTransaction', 'PerStorageAccount', 'DefenderForStorageV2']);
  assert.deepEqual(subPlans(versions[2]!), ['PerStorageAccount', 'DefenderForStorageV2']);
  // A pin no kept version satisfies: the problem names what Tollgate has.
  const { picked, problem } = pickBuiltInVersion(builtInDefinition('17bc14a7-92e1-4551-8b8c-80f36953e166')!, '9.*.*');
  assert.equal(picked, undefined);
  assert.match(problem!, /Tollgate has 1\.0\.2, 1\.1\.0, 2\.0\.0/);
});

test('initiatives by short name, guid, resource id, file name or display name, ignoring case, spaces and punctuation', () => {
  const cases: [string, string][] = [
    ['mcsb', MCSB],
    ['MCSB', MCSB],
    ['Microsoft cloud security benchmark', MCSB],
    [`/providers/Microsoft.Authorization/policySetDefinitions/${MCSB}`, MCSB],
    ['nz-ism', '4f5b1359-4f8e-4d7c-9733-ea47fcde891e'],
    ['nz ism', '4f5b1359-4f8e-4d7c-9733-ea47fcde891e'],
    ['nl bio', 'd8b2ffbe-c6a8-4622-965d-4ade11d1d2ee'],
    ['cis', '470a962c-86a0-433b-803a-3c176b5ce79c'],
    ['CIS Microsoft Azure Foundations Benchmark v2.0.0', '06f19060-9e68-4070-92ca-f15cc126059e'],
    ['nist sp 800-53', '179d1daa-458f-4e47-8086-2a68d0d6c38f'],
    ['NIST SP 800-53 Rev. 4', 'cf25b9c1-bd23-4eb6-bd2c-f4f3ac644a5f'],
    ['iso 27001', '5e4ff661-23bf-42fa-8e3a-309a55091cc7'],
    ['pci dss', 'a06d5deb-24aa-4991-9d58-fa7563154e31'],
    ['PCI_DSS_V4.0', 'c676748e-3af9-4e22-bc28-50feed564afb'],
    ['alz-apim', 'Enforce-Guardrails-APIM'],
  ];
  for (const [query, name] of cases) {
    const found = initiativeByName(query);
    assert.ok('initiative' in found, `${query}: ${'problem' in found ? found.problem : ''}`);
    assert.equal(found.initiative.name, name, query);
  }
  assert.equal(matchInitiative('no such framework').kind, 'none');
  const ambiguous = matchInitiative('CIS Microsoft Azure Foundations');
  assert.equal(ambiguous.kind, 'ambiguous');
  for (const name of ['constructor', '__proto__', 'toString']) assert.equal(matchInitiative(name).kind, 'none', name);
});

test('the default rule set: the API Management pack, the Microsoft cloud security benchmark at its default effects, and the additions (sizes pinned)', () => {
  const set = loadDefaultPolicies();
  assert.deepEqual(
    set.initiatives.map((i) => i.name),
    [MCSB],
  );
  assert.equal(set.rules.length, 235);
  assert.equal(set.rules.filter((r) => r.enabled).length, 201);
  // The four Kubernetes definitions the benchmark pins at an older major version are among them (not for templates).
  assert.equal(set.rules.filter((r) => r.notForTemplates).length, 19);
  assert.deepEqual(set.skipped, []);
  assert.deepEqual(set.diagnostics, []);
  const ids = new Set(set.rules.map((r) => r.meta.id));
  for (const a of DEFAULT_ADDITIONS) assert.ok(ids.has(a.name));
  // At the initiative's default parameter values: MCSB turns the certificate validity check off.
  assert.equal(set.rules.find((r) => r.meta.id === '0a075868-4c26-42ef-914c-5bc007359560')?.effect, 'disabled');
  // The pack keeps its sidecars: 92bb331d keeps its severity and equivalents.
  const seed = set.rules.find((r) => r.meta.id === '92bb331d-ac71-416a-8c91-02f2cb734ce4')!;
  assert.ok(seed.meta.equivalents.some((e) => e.tool === 'template-analyzer'));
  const whole = loadRuleSet();
  assert.equal(whole.rules.length, 235 + NATIVE_RULES.length);
  assert.equal(whole.defaultSkipped?.length ?? 0, 0);
  const narrow = loadRuleSet({}, {}, { defaults: ['apim'] });
  assert.equal(narrow.rules.length, 22 + NATIVE_RULES.length);
});

test('the definitions the default set uses sit in the small catalog file: a default scan never decompresses the others', () => {
  const text = brotliDecompressSync(readFileSync(path.join(repoRoot(), 'catalog', 'builtin', 'definitions-default.ndjson.br'))).toString('utf8');
  const names = new Set(text.split('\n').map((l) => l.slice(0, l.indexOf('\t')).toLowerCase()));
  const mcsb = builtInInitiative(MCSB)!;
  for (const ref of mcsb.references) assert.ok(names.has(ref.definitionName.toLowerCase()), ref.definitionName);
  for (const a of DEFAULT_ADDITIONS) assert.ok(names.has(a.name.toLowerCase()), a.name);
  assert.equal(names.size, 224);
});

test('a rule compiled on first use has the effect and applicability its compiled form has, and is indexed by at least the types it can match', () => {
  const set = loadDefaultPolicies();
  let compared = 0;
  for (const rule of set.rules) {
    const compiled = rule.compiled;
    assert.equal(rule.effect, compiled.effect, rule.meta.id);
    assert.equal(rule.notForTemplates, compiled.notForTemplates, rule.meta.id);
    // The index never hides a resource: '*' or a superset of the compiled types.
    const indexed = rule.meta.appliesTo;
    if (!indexed.includes('*'))
      for (const t of compiled.condition.types())
        assert.ok(
          indexed.some((x) => x.toLowerCase() === t.toLowerCase()),
          `${rule.meta.id}: ${t}`,
        );
    compared++;
  }
  assert.equal(compared, 235);
  // Not narrower than needed either: most of the benchmark names its types.
  assert.ok(set.rules.filter((r) => !r.meta.appliesTo.includes('*')).length > 200);
});

const STORAGE = {
  type: 'Microsoft.Storage/storageAccounts',
  apiVersion: '2023-01-01',
  name: 'stdemo001',
  location: 'westeurope',
  sku: { name: 'Standard_LRS' },
  kind: 'StorageV2',
  properties: { supportsHttpsTrafficOnly: false, allowBlobPublicAccess: true, minimumTlsVersion: 'TLS1_0' },
};
const STORAGE_BICEP = `resource st 'Microsoft.Storage/storageAccounts@2023-01-01' = {
  name: 'stdemo001'
  location: 'westeurope'
  sku: { name: 'Standard_LRS' }
  kind: 'StorageV2'
  properties: {
    supportsHttpsTrafficOnly: false
    allowBlobPublicAccess: true
    minimumTlsVersion: 'TLS1_0'
  }
}
`;

test("issue 17's storage account gets its findings by default (ARM and Bicep): secure transfer, public blob access, minimum TLS; rules.default: apim narrows them away", () => {
  const dir = tempTree({
    'arm/main.json': template({ resources: [STORAGE] }),
    'bicep/main.bicep': STORAGE_BICEP,
    'narrow/tollgate.yaml': 'rules:\n  default: apim\n',
    'narrow/main.json': template({ resources: [STORAGE] }),
  });
  const expected: [string, string][] = [
    ['404c3081-a854-4457-ae30-26a93ef643f9', 'properties.supportsHttpsTrafficOnly'],
    ['4fa4b6c0-31ca-4c0d-b10d-24b96f62a751', 'properties.allowBlobPublicAccess'],
    ['fe83a0eb-a853-422d-aac2-1bffd182c5d0', 'properties.minimumTlsVersion'],
  ];
  for (const folder of ['arm', 'bicep']) {
    const r = run(['scan', folder, '-f', 'json'], dir);
    assert.equal(r.status, 0, r.stderr);
    const findings = JSON.parse(r.stdout).findings as { ruleId: string; path?: string; level: string; location: { start: { line: number } } }[];
    for (const [id, at] of expected) {
      const f = findings.find((x) => x.ruleId === id);
      assert.ok(f, `${folder}: ${id}`);
      assert.equal(f.path, at, `${folder}: ${id}`);
      assert.equal(f.level, 'warning');
    }
    if (folder === 'bicep') assert.equal(findings.find((x) => x.ruleId === expected[2]![0])!.location.start.line, 9);
  }
  const narrow = run(['scan', '.', '-f', 'json'], path.join(dir, 'narrow'));
  assert.equal(narrow.status, 0, narrow.stderr);
  assert.deepEqual(JSON.parse(narrow.stdout).findings, []);
});

test('rules.default: a list widens; a name that is no initiative is an error at its line', () => {
  const dir = tempTree({
    'wide/tollgate.yaml': 'rules:\n  default: [mcsb, "NIST SP 800-53 Rev. 5"]\n',
    'wide/main.json': template({ resources: [STORAGE] }),
    'bad/tollgate.yaml': 'rules:\n  default:\n    - mcsb\n    - no-such-framework\n',
    'bad/main.json': template({ resources: [STORAGE] }),
  });
  const r = run(['scan', '.', '-f', 'json'], path.join(dir, 'wide'));
  assert.equal(r.status, 0, r.stderr);
  const rules = JSON.parse(r.stdout).summary.rules as number;
  // NIST SP 800-53 Rev. 5 adds the definitions the benchmark does not reference.
  assert.ok(rules > 235 + NATIVE_RULES.length + 300, `${rules}`);
  assert.equal(rules, loadRuleSet({}, {}, { defaults: ['mcsb', 'NIST SP 800-53 Rev. 5'] }).rules.length);
  const bad = run(['scan', '.'], path.join(dir, 'bad'));
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /tollgate\.yaml:4:7: rules\.default 'no-such-framework' names no built-in initiative/);
});

test('tollgate rules: the default set by default; --all, --category, --type and --initiative filter the catalog', () => {
  const list = run(['rules']);
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout, /404c3081-a854-4457-ae30-26a93ef643f9 /);
  assert.match(list.stdout, new RegExp(`${235 + NATIVE_RULES.length} rules in the default rule set`));
  const storage = run(['rules', '--all', '--category', 'storage', '--type', 'Microsoft.Storage/storageAccounts', '-f', 'json']);
  assert.equal(storage.status, 0, storage.stderr);
  const rows = JSON.parse(storage.stdout) as { id: string; category: string; appliesTo: string[] }[];
  assert.ok(rows.length > 20, `${rows.length}`);
  assert.ok(rows.every((r) => r.category === 'Storage' && r.appliesTo.some((t) => t.toLowerCase().startsWith('microsoft.storage/storageaccounts'))));
  assert.ok(rows.some((r) => r.id === 'fe83a0eb-a853-422d-aac2-1bffd182c5d0'));
  const namespace = JSON.parse(run(['rules', '--all', '--type', 'Microsoft.Storage', '-f', 'json']).stdout) as { id: string }[];
  assert.ok(namespace.length > rows.length);
  const all = run(['rules', '--all']);
  assert.match(all.stdout, new RegExp(`${3594 + NATIVE_RULES.length} rules in the catalog`));
  const nist = JSON.parse(run(['rules', '--initiative', 'nist sp 800-53', '-f', 'json']).stdout) as unknown[];
  assert.equal(nist.length, new Set(builtInInitiative('179d1daa-458f-4e47-8086-2a68d0d6c38f')!.references.map((r) => r.definitionName)).size);
  const outside = run(['rules', 'show', '2d9dbfa3-927b-4cf0-9d0f-08747f971650']);
  assert.equal(outside.status, 0, outside.stderr);
  assert.match(outside.stdout, /Managed workspace virtual network on Azure Synapse workspaces should be enabled/);
  assert.match(outside.stdout, /Microsoft\.Synapse\/workspaces\/managedVirtualNetwork/);
  const bad = run(['rules', '--initiative', 'nope nope']);
  assert.equal(bad.status, 2);
});

test('scan --initiative takes built-in initiatives by name beyond the four short names', () => {
  const dir = tempTree({ 'main.json': template({ resources: [STORAGE] }) });
  const r = run(['scan', 'main.json', '--initiative', 'cis', '-f', 'json'], dir);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.compliance[0].initiative, '470a962c-86a0-433b-803a-3c176b5ce79c');
  assert.ok(report.findings.some((f: { ruleId: string }) => f.ruleId === '404c3081-a854-4457-ae30-26a93ef643f9'));
});
