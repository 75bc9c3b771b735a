import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { repoRoot, template, tempTree } from '../helpers.js';

const CLI = path.join(repoRoot(), 'dist/cli/main.js');
const run = (args: string[], cwd: string) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

const insecure = (name: string) => ({
  type: 'Microsoft.ApiManagement/service/backends',
  apiVersion: '2023-05-01-preview',
  name,
  properties: { url: 'http://x.example.com', protocol: 'http' },
});

test('configuration: suppressions, rule levels, failOn, include and parameter values reach the scan', () => {
  const dir = tempTree({
    'infra/main.json': template({
      parameters: { suffix: { type: 'string' } },
      resources: [insecure('svc/legacy'), insecure("[concat('svc/', parameters('suffix'))]")],
    }),
    'other/main.json': template({ resources: [insecure('svc/other')] }),
    'tollgate.yaml': [
      'include: [infra/]',
      'parameters:',
      '  - files: infra/',
      '    values: { suffix: configured }',
      'suppressions:',
      '  - rule: Azure.APIM.HTTPBackend',
      '    reason: retired in Q1',
      '    resourceName: svc/legacy',
      '',
    ].join('\n'),
  });
  const r = run(['scan', '.', '--format', 'json'], dir);
  const out = JSON.parse(r.stdout);
  const names = out.findings.filter((f: { ruleId: string }) => f.ruleId === 'APIM-HTTPBackend').map((f: { resource: { name: string } }) => f.resource.name);
  assert.deepEqual(names, ['svc/configured']);
  assert.equal(r.status, 1);

  // The remaining finding at warning level: not a failure by default, a failure with --fail-on warning.
  const yaml = readFileSync(path.join(dir, 'tollgate.yaml'), 'utf8') + 'rules:\n  APIM-HTTPBackend: { level: warning }\n';
  const dir2 = tempTree({ 'infra/main.json': readFileSync(path.join(dir, 'infra/main.json'), 'utf8'), 'tollgate.yaml': yaml });
  assert.equal(run(['scan', '.'], dir2).status, 0);
  assert.equal(run(['scan', '.', '--fail-on', 'warning'], dir2).status, 1);
  const never = tempTree({
    'infra/main.json': readFileSync(path.join(dir, 'infra/main.json'), 'utf8'),
    'tollgate.yaml': readFileSync(path.join(dir, 'tollgate.yaml'), 'utf8') + 'failOn: never\n',
  });
  assert.equal(run(['scan', '.'], never).status, 0);
});

test('a rules key that names no rule is a usage error', () => {
  const dir = tempTree({ 'main.json': template({ resources: [] }), 'tollgate.yaml': 'rules:\n  APIM-Typo: { enabled: false }\n' });
  const r = run(['scan', '.'], dir);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /rules\.APIM-Typo: no rule has that id/);
});

test('a rules key for a shipped policy the assigned initiative leaves out is a warning at its line in the configuration', () => {
  const dir = tempTree({
    'main.json': template({ resources: [] }),
    'tollgate.yaml': 'failOn: error\nrules:\n  1dc2fc00-2245-4143-99f4-874c937f13ef: { severity: high }\n',
  });
  const r = run(['scan', '.', '--initiative', 'alz-apim'], dir);
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stdout,
    /tollgate\.yaml:3:3 +warning +rules\.1dc2fc00-2245-4143-99f4-874c937f13ef: policy 1dc2fc00-2245-4143-99f4-874c937f13ef is not among the assigned policies of this scan: the setting has no effect/,
  );
});

test('the pre-commit hook, run as pre-commit runs it (changed files as arguments), skips non-templates', () => {
  const hooks = parse(readFileSync(path.join(repoRoot(), '.pre-commit-hooks.yaml'), 'utf8')) as {
    id: string;
    entry: string;
    files: string;
    pass_filenames: boolean;
  }[];
  const hook = hooks.find((h) => h.id === 'tollgate')!;
  assert.equal(hook.pass_filenames, true);
  const dir = tempTree({
    'package.json': '{"name": "x"}',
    'infra/bad.json': template({ resources: [insecure('svc/b')] }),
    'infra/good.json': template({ resources: [] }),
    'infra/bad.bicep':
      "resource b 'Microsoft.ApiManagement/service/backends@2023-05-01-preview' = {\n  name: 'svc/bicep'\n  properties: {\n    url: 'http://y.example.com'\n    protocol: 'http'\n  }\n}\n",
    'README.md': '# x',
  });
  // No `files` pattern: every changed file reaches the hook (a loaded file can be of any kind).
  const files = ['package.json', 'infra/bad.json', 'infra/good.json', 'infra/bad.bicep', 'README.md'].filter(
    (f) => !hook.files || new RegExp(hook.files).test(f),
  );
  assert.deepEqual(files, ['package.json', 'infra/bad.json', 'infra/good.json', 'infra/bad.bicep', 'README.md']);
  const [command, ...args] = hook.entry.split(' ');
  assert.equal(command, 'tollgate');
  const r = run([...args, ...files], dir);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /infra\/bad\.json[\s\S]*APIM-HTTPBackend/);
  assert.match(r.stdout, /infra\/bad\.bicep[\s\S]*APIM-HTTPBackend/);
  assert.doesNotMatch(r.stdout + r.stderr, /package\.json|README/);
  const clean = run([...args, 'package.json', 'infra/good.json'], dir);
  assert.equal(clean.status, 0, clean.stdout + clean.stderr);
});

test('suppressed findings: counted in the summary, listed with --show-suppressed, in JSON, and in SARIF with suppressions', () => {
  const t = template({
    resources: [
      { ...insecure('svc/b'), metadata: { tollgate: { suppress: [{ rule: 'APIM-HTTPBackend', reason: 'partner is HTTP-only', expires: '2099-01-01' }] } } },
    ],
  });
  const dir = tempTree({ 'main.json': t });
  const pretty = run(['scan', '.'], dir);
  assert.equal(pretty.status, 0, pretty.stdout);
  assert.match(pretty.stdout, /1 suppressed \(--show-suppressed lists them\)/);
  assert.doesNotMatch(pretty.stdout, /partner is HTTP-only/);
  const shown = run(['scan', '.', '--show-suppressed'], dir);
  assert.match(shown.stdout, /accepted until 2099-01-01: partner is HTTP-only \(main\.json:\d+:\d+\)/);
  const json = JSON.parse(run(['scan', '.', '--format', 'json'], dir).stdout);
  assert.equal(json.findings.filter((f: { ruleId: string }) => f.ruleId === 'APIM-HTTPBackend').length, 0);
  assert.equal(json.suppressed[0].suppression.justification, 'partner is HTTP-only');
  assert.equal(json.summary.suppressed, 1);
  const sarif = JSON.parse(run(['scan', '.', '--format', 'sarif'], dir).stdout);
  const result = sarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'APIM-HTTPBackend');
  assert.deepEqual(
    { kind: result.suppressions[0].kind, status: result.suppressions[0].status, justification: result.suppressions[0].justification },
    { kind: 'inSource', status: 'accepted', justification: 'partner is HTTP-only' },
  );
});

test('tollgate rules lists the rule set of tollgate.yaml: rules.default and rule settings, as scan runs them', () => {
  type Row = { id: string; kind: string; effect?: string; runs: boolean };
  const list = (args: string[], cwd: string) => {
    const r = run(['rules', '--format', 'json', ...args], cwd);
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as Row[];
  };
  const pack = tempTree({ 'tollgate.yaml': 'rules:\n  default: apim\n' });
  const packRows = list([], pack);
  const packPolicies = packRows.filter((r) => r.kind === 'policy');
  // The API Management pack alone: its 22 definitions, none of the benchmark's.
  assert.equal(packPolicies.length, 22);
  assert.ok(!packPolicies.some((r) => r.id === '404c3081-a854-4457-ae30-26a93ef643f9'), 'storage secure transfer is an MCSB definition');
  const defaults = list(['--no-config'], pack).filter((r) => r.kind === 'policy');
  assert.ok(defaults.some((r) => r.id === '404c3081-a854-4457-ae30-26a93ef643f9'));
  assert.ok(defaults.length > packPolicies.length + 100, `${defaults.length} default policies`);
  // The same file named with -c from elsewhere; and the text footer names it.
  const elsewhere = tempTree({ 'x.txt': '' });
  assert.equal(list(['-c', path.join(pack, 'tollgate.yaml')], elsewhere).filter((r) => r.kind === 'policy').length, 22);
  assert.match(run(['rules'], pack).stdout, /45 rules in the rule set of tollgate\.yaml/);

  // An effect and enabled: false from the configuration show in the listing as scan applies them.
  const tuned = tempTree({
    'tollgate.yaml': [
      'rules:',
      '  default: apim',
      '  92bb331d-ac71-416a-8c91-02f2cb734ce4: { effect: Deny }',
      '  APIM-HTTPBackend: { enabled: false }',
      '',
    ].join('\n'),
  });
  const rows = list([], tuned);
  assert.equal(rows.find((r) => r.id === '92bb331d-ac71-416a-8c91-02f2cb734ce4')?.effect, 'Deny');
  assert.equal(rows.find((r) => r.id === 'APIM-HTTPBackend')?.runs, false);

  // A bad configuration is bad usage, as for scan.
  const bad = tempTree({ 'tollgate.yaml': 'rules:\n  default: no-such-initiative\n' });
  const r = run(['rules'], bad);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /tollgate\.yaml:2:\d+: rules\.default 'no-such-initiative'/);
});
