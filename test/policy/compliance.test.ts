import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBuiltInPolicies } from '../../src/policy/catalog.js';
import { controlsFor, initiativesLoaded, shortControlId } from '../../src/policy/compliance.js';
import { SEED_ID, backend, check } from './helpers.js';

test('loading and running the catalog does not read the initiatives', () => {
  const { rules } = loadBuiltInPolicies();
  check(rules[0]!, backend({ tls: { validateCertificateChain: false } }));
  assert.equal(initiativesLoaded(), false);
});

test('the seed policy maps to MCSB IM-4, NZ ISM 23.4.10.C.01 and NL BIO Cloud Theme V2 U.10.5', () => {
  const controls = controlsFor(SEED_ID.toUpperCase());
  assert.equal(initiativesLoaded(), true);
  assert.deepEqual(
    controls.map(({ initiative, initiativeId, control, shortId }) => ({ initiative, initiativeId, control, shortId })),
    [
      {
        initiative: 'Microsoft cloud security benchmark',
        initiativeId: '1f3afdf9-d0c9-4c3d-847f-89da613e70a8',
        control: 'Azure_Security_Benchmark_v3.0_IM-4',
        shortId: 'IM-4',
      },
      { initiative: 'NL BIO Cloud Theme V2', initiativeId: 'd8b2ffbe-c6a8-4622-965d-4ade11d1d2ee', control: 'U.10.5 - Competent', shortId: 'U.10.5' },
      { initiative: 'New Zealand ISM', initiativeId: '4f5b1359-4f8e-4d7c-9733-ea47fcde891e', control: 'New_Zealand_ISM_23.4.10.C.01', shortId: '23.4.10.C.01' },
    ],
  );
  const nz = controls.find((c) => c.shortId === '23.4.10.C.01')!;
  assert.equal(nz.category, '23. Public Cloud Security');
  assert.match(nz.description!, /^Agencies MUST apply the principle of least privilege/);
  assert.equal(controls[0]!.metadataId, '/providers/Microsoft.PolicyInsights/policyMetadata/Azure_Security_Benchmark_v3.0_IM-4');
});

test('a definition no shipped initiative cites has no controls', () => {
  assert.deepEqual(controlsFor('00000000-0000-0000-0000-000000000000'), []);
});

test('short control ids', () => {
  assert.equal(shortControlId('Azure_Security_Benchmark_v3.0_IM-4'), 'IM-4');
  assert.equal(shortControlId('New_Zealand_ISM_23.4.10.C.01'), '23.4.10.C.01');
  assert.equal(shortControlId('U.10.5 - Competent'), 'U.10.5');
});
