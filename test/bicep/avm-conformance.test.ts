import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { expandFile, firstDifference, missingAsset, unpackAvm, withPlaceholdersFilled } from './avm-harness.js';

// Azure Verified Modules (avm/res a*-m* of Azure/bicep-registry-modules, packed in
// test/fixtures/upstream/bicep/avm): for every module, expanding main.bicep must give the same
// resources (type, name, whole body) as expanding the official compiler's main.json, and every
// e2e test deployment (tests/e2e/*/main.test.bicep) the same as the test calling main.json.
// The modules that differ are listed with the reason; the test fails when another one differs
// and when a listed one has come to match, so the list stays true.

// Why each listed module differs, by kind (the kind starts the reason):
// - "stale main.json": the compiler copies a resource's API version and its properties verbatim, so a
//   main.json whose API versions or properties differ from what main.bicep declares was not compiled
//   from this main.bicep. The evidence is given per module; these count as differing, not as equal.
// - "JSON less precise": the compiler's text makes the JSON side's value unknown where the .bicep side
//   knows it (none left: the ternary the compiler hoists over a whole module parameter,
//   `if(c, createObject('value', a), …)`, in cdn/profile/origin-group and compute/virtual-machine,
//   now gives `{ value: … }` as the .bicep does, since `if` with an unknown condition keeps what
//   both branches agree on).
// - "Bicep less precise": Tollgate cannot resolve something the compiler can (none left: the two
//   secure resourceInput<> parameters are masked as secrets since the lowering marks them secure).
const STALE_NETWORK_INTERFACE =
  'stale main.json: main.bicep declares avmTelemetry Microsoft.Resources/deployments@2024-07-01 and ' +
  'Microsoft.AzureStackHCI/networkInterfaces@2025-04-01-preview; main.json (bicep 0.41.2.15936, templateHash ' +
  '8402604330285094389) has 2023-07-01 and 2024-01-01';
const STALE_VIRTUAL_HARD_DISK =
  'stale main.json: main.bicep declares avmTelemetry Microsoft.Resources/deployments@2024-07-01 and ' +
  'Microsoft.AzureStackHCI/virtualHardDisks@2025-04-01-preview; main.json (bicep 0.41.2.15936, templateHash ' +
  '12377921716259172606) has 2024-03-01 and 2024-05-01-preview';
const STALE_VIRTUAL_MACHINE =
  "stale main.json: main.bicep writes storageProfile.diskControllerType: diskControllerType ?? 'SCSI'; main.json " +
  "(bicep 0.43.8.12551, templateHash 18077931941429792070) has [parameters('diskControllerType')], so 'SCSI' from " +
  'the .bicep, null from main.json';
const KNOWN_DIFFERENCES: Record<string, string> = {
  'res/azure-stack-hci/network-interface': STALE_NETWORK_INTERFACE,
  'res/azure-stack-hci/network-interface/tests/e2e/defaults': STALE_NETWORK_INTERFACE,
  'res/azure-stack-hci/network-interface/tests/e2e/waf-aligned': STALE_NETWORK_INTERFACE,
  'res/azure-stack-hci/virtual-hard-disk': STALE_VIRTUAL_HARD_DISK,
  'res/azure-stack-hci/virtual-hard-disk/tests/e2e/defaults': STALE_VIRTUAL_HARD_DISK,
  'res/azure-stack-hci/virtual-hard-disk/tests/e2e/max': STALE_VIRTUAL_HARD_DISK,
  'res/azure-stack-hci/virtual-hard-disk/tests/e2e/waf-aligned': STALE_VIRTUAL_HARD_DISK,
  'res/compute/virtual-machine': STALE_VIRTUAL_MACHINE,
  'res/compute/virtual-machine/tests/e2e/linux.max': STALE_VIRTUAL_MACHINE,
  'res/managed-identity/user-assigned-identity/federated-identity-credential':
    'stale main.json: main.bicep declares avmTelemetry Microsoft.Resources/deployments@2025-04-01; main.json ' +
    '(bicep 0.42.1.51946, templateHash 7329546700093028781) has 2024-03-01',
};

/** e2e deployments that have a Tollgate error, with the reason; placeholder names are counted apart. */
const KNOWN_E2E_ERRORS: Record<string, string> = {
  // Empty: the two dev-ops-infrastructure/pool deployments that called cidrSubnet on an address
  // without a prefix length expand since the CIDR functions guess the prefix by address class.
};

test('AVM modules and their e2e tests: the .bicep expands to the resources of the compiled JSON', () => {
  const tree = unpackAvm();
  try {
    const differing = new Map<string, string>();
    const errors = new Map<string, string>();
    let placeholderOnly = 0;
    let assetsMissing = 0;
    const placeholderNotes: string[] = [];
    let e2e = 0;
    for (const unit of tree.units) {
      const a = expandFile(tree, unit.bicep);
      const b = expandFile(tree, unit.compiled);
      if (JSON.stringify(a.resources) !== JSON.stringify(b.resources)) differing.set(unit.name, firstDifference(a.resources, b.resources));
      if (!unit.e2e) continue;
      e2e++;
      // A test that uses a utilities/ file this copy lacks is not fully checked, whatever else it shows.
      if (a.diagnostics.some(missingAsset)) {
        assetsMissing++;
        continue;
      }
      const own = a.diagnostics.filter((d) => d.severity === 'error');
      if (own.length === 0) continue;
      const filled = withPlaceholdersFilled(unit.bicep);
      const real = (filled ? expandFile(tree, filled).diagnostics : own).filter((d) => d.severity === 'error');
      const first = real[0];
      if (first) errors.set(unit.name, `${first.location?.file ?? first.file}:${first.location?.start.line ?? ''} [${first.code}] ${first.message}`);
      else placeholderOnly++;
      if (!first) placeholderNotes.push(`${unit.name}: ${own[0]!.code} ${own[0]!.message}`);
    }
    const modules = tree.units.length;
    const equal = modules - differing.size;
    const clean = e2e - errors.size - placeholderOnly - assetsMissing;
    console.log(
      `AVM: ${equal} of ${modules} units equal (${((100 * equal) / modules).toFixed(1)}%); e2e: ${clean} of ${e2e} with no error, ` +
        `${placeholderOnly} with errors from placeholder tokens only, ${assetsMissing} missing a utilities/ file this copy does not have, ` +
        `${errors.size} with other errors`,
    );
    // AVM_REPORT=<file>: every difference and error, for working on the lists.
    if (process.env['AVM_REPORT']) {
      const lines = [
        ...[...differing].map(([n, w]) => `DIFF ${n}: ${w}`),
        ...[...errors].map(([n, w]) => `ERROR ${n}: ${w}`),
        ...placeholderNotes.map((n) => `FILLED ${n}`),
      ];
      writeFileSync(process.env['AVM_REPORT'], lines.join('\n') + '\n');
    }
    const unexpected = [...differing].filter(([name]) => !(name in KNOWN_DIFFERENCES)).map(([name, why]) => `${name}: ${why}`);
    const nowEqual = Object.keys(KNOWN_DIFFERENCES).filter((name) => !differing.has(name));
    assert.deepEqual(unexpected, [], 'modules that differ and are not listed');
    assert.deepEqual(nowEqual, [], 'listed modules that now match: take them off the list');
    const unexpectedErrors = [...errors].filter(([name]) => !(name in KNOWN_E2E_ERRORS)).map(([name, why]) => `${name}: ${why}`);
    const nowClean = Object.keys(KNOWN_E2E_ERRORS).filter((name) => !errors.has(name));
    assert.deepEqual(unexpectedErrors, [], 'e2e deployments with errors that are not listed');
    assert.deepEqual(nowClean, [], 'listed e2e deployments that now have no error: take them off the list');
    assert.ok(modules > 700, `${modules} units`);
  } finally {
    rmSync(tree.root, { recursive: true, force: true });
  }
});
