import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot, template, tempTree } from '../helpers.js';

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
const run = (args: string[], cwd = repoRoot()) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

test('scan --initiative mcsb: the terminal report has compliance per control and counts what is not available offline', () => {
  const r = run(['scan', 'examples/noncompliant', '--initiative', 'mcsb']);
  assert.equal(r.status, 1, r.stderr);
  assert.match(
    r.stdout,
    /Compliance: Microsoft cloud security benchmark \(assignment 1f3afdf9-d0c9-4c3d-847f-89da613e70a8\): \d+(\.\d)?% of \d+ resources compliant/,
  );
  assert.match(r.stdout, /^ {2}IM-4 +non-compliant +\d+ non-compliant/m);
  // With the whole built-in catalog shipped, only what cannot run offline is left: the benchmark's
  // Kubernetes (Resource Provider mode) definitions, 4 of them at the older major version the benchmark pins.
  assert.match(r.stdout, /204 policies evaluated; 19 not available offline \(not applicable to deployment templates \(Resource Provider mode/);
  const verbose = run(['scan', 'examples/noncompliant', '--initiative', 'mcsb', '--verbose']);
  assert.match(verbose.stdout, /not available offline: \S+ \(\/providers\/Microsoft\.Authorization\/policyDefinitions\/[0-9a-f-]+\)/);
  const json = JSON.parse(run(['scan', 'examples/noncompliant', '--initiative', 'mcsb', '-f', 'json']).stdout);
  assert.equal(json.compliance[0].initiative, '1f3afdf9-d0c9-4c3d-847f-89da613e70a8');
  assert.equal(json.compliance[0].evaluated + json.compliance[0].unavailable.length, 223);
});

test('config: policy.assignments and policy.exemptions (paths relative to the file); rules.<id>.parameters turns on a definition that needs one', () => {
  const svc = template({
    resources: [
      {
        type: 'Microsoft.ApiManagement/service',
        apiVersion: '2023-05-01-preview',
        name: 'svc',
        location: 'westeurope',
        sku: { name: 'Developer', capacity: 1 },
        properties: { publisherEmail: 'a@b.c', publisherName: 'x' },
      },
    ],
  });
  const assignment = JSON.stringify({
    name: 'vnet',
    properties: {
      policyDefinitionId: '/providers/Microsoft.Authorization/policyDefinitions/ef619a2c-cc4d-4d03-b2ba-8c94a834d85b',
      parameters: { effect: { value: 'Deny' } },
    },
  });
  const exemption = JSON.stringify({
    name: 'lab',
    properties: {
      policyAssignmentId: '/subscriptions/x/providers/Microsoft.Authorization/policyAssignments/vnet',
      exemptionCategory: 'Mitigated',
      displayName: 'Lab network is isolated',
    },
  });
  const dir = tempTree({
    'repo/tollgate.yaml': 'policy:\n  assignments: [policy/vnet.json]\n  exemptions: [policy/lab.json]\n',
    'repo/policy/vnet.json': assignment,
    'repo/policy/lab.json': exemption,
    'repo/infra/main.json': svc,
  });
  const r = run(['scan', 'infra', '-f', 'json'], path.join(dir, 'repo'));
  const report = JSON.parse(r.stdout);
  assert.ok(!report.findings.some((f: { ruleId: string }) => f.ruleId === 'ef619a2c-cc4d-4d03-b2ba-8c94a834d85b'));
  const exempt = report.suppressed.find((f: { ruleId: string }) => f.ruleId === 'ef619a2c-cc4d-4d03-b2ba-8c94a834d85b');
  assert.equal(exempt.effect, 'Deny');
  assert.deepEqual(exempt.suppression.exemption, { name: 'lab', category: 'Mitigated' });
  const pretty = run(['scan', 'infra', '--show-suppressed'], path.join(dir, 'repo'));
  assert.match(pretty.stdout, /exempt \(Mitigated\)/);
  assert.match(pretty.stdout, /policy exemption lab/);

  // The Log Analytics diagnostic-settings definition needs a workspace: off until configured.
  const LA = '567c93f7-3661-494f-a30f-0a94d9bfebf8';
  const off = JSON.parse(run(['scan', 'infra', '-f', 'json', '--no-config'], path.join(dir, 'repo')).stdout);
  assert.ok(!off.results.some((x: { ruleId: string }) => x.ruleId === LA));
  const cfg = tempTree({
    'tollgate.yaml': `rules:\n  ${LA}:\n    parameters:\n      logAnalytics: /subscriptions/x/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/ws\n`,
    'main.json': svc,
  });
  const on = JSON.parse(run(['scan', '.', '-f', 'json'], cfg).stdout);
  const result = on.results.find((x: { ruleId: string }) => x.ruleId === LA);
  // No diagnostic setting in the deployment, and one may exist outside it: unknown, never compliant.
  assert.equal(result?.outcome, 'unknown');
});
