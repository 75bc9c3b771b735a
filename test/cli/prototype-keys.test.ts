import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot, template, tempTree } from '../helpers.js';

// Names the user writes (effects, formats, rule ids, initiatives, policy names, Bicep
// identifiers) are looked up in tables; a name that is also a member of Object.prototype must
// be an ordinary unknown (or known) name: a clean usage error or a clean result, never
// "internal error" nor a silent fallback.

const CLI = path.join(repoRoot(), 'dist/cli/main.js');
const run = (args: string[], cwd: string) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};
const KEYS = ['__proto__', 'constructor', 'toString'];

const policy = (name: string, effect = 'Audit') =>
  JSON.stringify({
    name,
    properties: {
      displayName: name,
      mode: 'All',
      parameters: { effect: { type: 'String', defaultValue: effect } },
      policyRule: { if: { field: 'type', equals: 'Microsoft.ApiManagement/service/backends' }, then: { effect: "[parameters('effect')]" } },
    },
  });
const initiative = (name: string) =>
  JSON.stringify({
    name,
    properties: {
      displayName: name,
      policyDefinitionGroups: [{ name }],
      policyDefinitions: [
        { policyDefinitionReferenceId: name, policyDefinitionId: `/providers/Microsoft.Authorization/policyDefinitions/${name}`, groupNames: [name] },
      ],
    },
  });
const backend = {
  type: 'Microsoft.ApiManagement/service/backends',
  apiVersion: '2023-05-01-preview',
  name: 'svc/b',
  properties: { url: 'https://b.example.com', protocol: 'http' },
};

function clean(r: { status: number | null; stderr: string }, expected: number[], what: string): void {
  assert.doesNotMatch(r.stderr, /internal error|TypeError|at .*\.js:\d+/, `${what}: ${r.stderr}`);
  assert.ok(expected.includes(r.status!), `${what}: exit ${r.status}, expected ${expected.join(' or ')}: ${r.stderr}`);
}

test('prototype member names as effects, formats, rule ids, initiatives and policy names: clean usage errors or clean results', () => {
  const files: Record<string, string> = { 'main.json': template({ resources: [backend] }), 'res.json': JSON.stringify(backend) };
  for (const k of KEYS) {
    files[`policy-${k}.json`] = policy(k);
    files[`initiative-${k}.json`] = initiative(k);
    files[`rules-${k}.yaml`] = `rules:\n  ${k}:\n    level: error\n`;
  }
  const dir = tempTree(files);
  for (const k of KEYS) {
    // An effect: not one of Azure Policy's, said as such.
    clean(run(['scan', 'main.json', '--effect', `c15dcc82-b93c-4dcb-9332-fbf121685b54=${k}`], dir), [2], `scan --effect =${k}`);
    // --effect is the caller's choice: bad usage, as in scan; a parameter's value is the definition's input.
    clean(run(['policy', 'test', `policy-${k}.json`, 'res.json', '--effect', k], dir), [2], `policy test --effect ${k}`);
    clean(run(['policy', 'test', `policy-${k}.json`, 'res.json', '--param', `effect=${k}`], dir), [2, 3], `policy test --param effect=${k}`);
    // A format.
    clean(run(['scan', 'main.json', '-f', k], dir), [2], `scan -f ${k}`);
    const pt = run(['policy', 'test', `policy-${k}.json`, 'res.json', '-f', k], dir);
    clean(pt, [2], `policy test -f ${k}`);
    assert.match(pt.stderr, /Allowed choices are pretty, json/);
    // A rule id in tollgate.yaml: no such rule, or (with the policy of that name) the rule itself.
    const unknownRule = run(['scan', 'main.json', '-c', `rules-${k}.yaml`], dir);
    clean(unknownRule, [2], `rules.${k}`);
    assert.match(unknownRule.stderr, new RegExp(`rules\\.${k}: no rule has that id`));
    const known = run(['scan', 'main.json', '--policy', `policy-${k}.json`, '-c', `rules-${k}.yaml`, '-f', 'json'], dir);
    clean(known, [1], `--policy named ${k} with rules.${k}.level: error`);
    assert.deepEqual(
      JSON.parse(known.stdout).findings.map((f: { ruleId: string; level: string }) => `${f.ruleId} ${f.level}`),
      [`${k} error`],
    );
    // An initiative: a shipped name or a file; and an initiative file whose names are these keys.
    clean(run(['scan', 'main.json', '--initiative', k], dir), [3], `--initiative ${k}`);
    const assigned = run(['scan', 'main.json', '--policy', `policy-${k}.json`, '--initiative', `initiative-${k}.json`, '-f', 'json'], dir);
    clean(assigned, [0, 1], `--initiative initiative-${k}.json`);
    assert.equal(JSON.parse(assigned.stdout).compliance[0].initiative, k);
  }
});

test('Bicep identifiers named like prototype members are identifiers', () => {
  const text = ["param constructor string = 'c'", 'var toString = constructor', "var __proto__ = '${toString}-p'", 'output o string = __proto__', ''].join(
    '\n',
  );
  const dir = tempTree({ 'main.bicep': text });
  const r = run(['expand', 'main.bicep'], dir);
  clean(r, [0], 'expand');
  assert.equal(r.stderr, '');
  assert.equal(JSON.parse(r.stdout).outputs.o.value, 'c-p');
});

test('a policy parameter named __proto__ (or constructor, toString), set by an assignment, is a parameter like any other', () => {
  for (const k of KEYS) {
    const definition = {
      name: 'allowed-locations',
      properties: {
        displayName: 'allowed',
        mode: 'All',
        parameters: { [k]: { type: 'Array' } },
        policyRule: { if: { field: 'location', notIn: `[parameters('${k}')]` }, then: { effect: 'audit' } },
      },
    };
    const assignment = {
      properties: {
        displayName: 'a',
        policyDefinitionId: '/providers/Microsoft.Authorization/policyDefinitions/allowed-locations',
        parameters: { [k]: { value: ['westeurope'] } },
      },
    };
    // JSON.stringify writes a computed `__proto__` key as data, as a file would have it.
    const dir = tempTree({
      'main.json': template({ resources: [{ ...backend, location: 'eastus' }] }),
      'policy.json': JSON.stringify(definition),
      'assignment.json': JSON.stringify(assignment),
    });
    const r = run(['scan', 'main.json', '--policy', 'policy.json', '--assignment', 'assignment.json', '-f', 'json'], dir);
    clean(r, [0], k);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.diagnostics, [], k);
    assert.deepEqual(
      out.findings.map((f: { ruleId: string; path: string }) => `${f.ruleId} ${f.path}`),
      ['allowed-locations location'],
      k,
    );
  }
});
