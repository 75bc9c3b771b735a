import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { repoRoot, template, tempTree } from '../helpers.js';
import { isArmPolicyResource, unescapeArmStrings } from '../../src/policy/arm-deployed.js';
import { loadPolicyInputs } from '../../src/policy/policy-inputs.js';
import { loadRuleSet, scan } from '../../src/scan.js';
import type { Value } from '../../src/resources/value.js';

/** The Azure Landing Zones library (Azure/Enterprise-Scale src/resources/Microsoft.Authorization), unpacked into a temporary folder. */
function alzLibrary(): string {
  const packed = readFileSync(path.join(repoRoot(), 'test/fixtures/upstream/azure-policy/alz.json.br'));
  return tempTree(JSON.parse(brotliDecompressSync(packed).toString('utf8')) as Record<string, string>);
}

test("ARM's [[ escape is undone once, in strings and keys ARM reads as escaped expressions ([[ ... ]), and nowhere else", () => {
  const { value, changed } = unescapeArmStrings({
    effect: "[[parameters('effect')]",
    nested: [{ '[[key]': '[[[[twice]', mid: 'a [[ b', plain: '[expression]' }],
    n: 1,
  } as Value);
  assert.deepEqual(JSON.parse(JSON.stringify(value)), {
    effect: "[parameters('effect')]",
    nested: [{ '[key]': '[[[twice]', mid: 'a [[ b', plain: '[expression]' }],
    n: 1,
  });
  assert.equal(changed, 3);
  // Only a policy resource as an ARM template declares it is read so; a plain definition keeps its
  // text (in the policy language too, [[ is a literal [).
  assert.equal(isArmPolicyResource({ type: 'Microsoft.Authorization/policyDefinitions', apiVersion: '2021-06-01', properties: {} }), true);
  assert.equal(isArmPolicyResource({ type: 'Microsoft.Authorization/policyDefinitions', properties: {} }), false);
  assert.equal(isArmPolicyResource({ name: 'x', properties: { policyRule: {} } }), false);
});

test('the Azure Landing Zones library loads whole: every definition and initiative, read as Azure stores them after their ARM deployment', () => {
  const root = alzLibrary();
  const lib = path.join(root, 'src/resources/Microsoft.Authorization');
  const inputs = loadPolicyInputs({ policies: [path.join(lib, 'policyDefinitions')] }, root);
  assert.deepEqual(
    inputs.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  assert.equal(inputs.definitions.length, 159);
  // Each file that carried an escaped expression says how it was read.
  const notes = inputs.diagnostics.filter((d) => d.code === 'policy-arm-resource');
  assert.equal(notes.length, 156);
  assert.match(
    notes[0]!.message,
    /is a Microsoft\.Authorization\/policyDefinitions resource of an ARM template: read as Azure stores it after the deployment \(ARM's \[\[ escape undone in \d+ strings?\)/,
  );
  const https = inputs.definitions.find((d) => d.definition.name === 'Append-AppService-httpsonly')!;
  assert.ok(https);
  const sets = loadPolicyInputs({ initiatives: [path.join(lib, 'policySetDefinitions')] }, root);
  assert.deepEqual(
    sets.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  assert.equal(sets.initiatives.length, 52);
  // A reference's parameter value is the policy expression, not the escaped text.
  const values = JSON.stringify(sets.initiatives.flatMap((i) => i.references.map((r) => r.parameters)));
  assert.ok(!values.includes('"[['), 'no escaped expression left in reference parameters');
});

test('an ALZ definition runs in a scan: Append-AppService-httpsonly appends httpsOnly to a site that does not set it', () => {
  const root = alzLibrary();
  const definition = path.join(root, 'src/resources/Microsoft.Authorization/policyDefinitions/Append-AppService-httpsonly.json');
  const dir = tempTree({
    'main.json': template({
      resources: [
        { type: 'Microsoft.Web/sites', apiVersion: '2023-01-01', name: 'open', location: 'westeurope', properties: { httpsOnly: false } },
        { type: 'Microsoft.Web/sites', apiVersion: '2023-01-01', name: 'closed', location: 'westeurope', properties: { httpsOnly: true } },
      ],
    }),
  });
  const ruleSet = loadRuleSet({}, {}, { policies: loadPolicyInputs({ policies: [definition] }, dir) });
  const result = scan({ paths: [dir], cwd: dir, ruleSet });
  const found = result.findings.filter((f) => f.ruleId === 'Append-AppService-httpsonly');
  assert.deepEqual(
    found.map((f) => f.resource?.name),
    ['open'],
  );
  assert.match(found[0]!.message, /append|httpsOnly/i);
});
