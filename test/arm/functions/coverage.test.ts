import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ARM_FUNCTIONS } from '../../../src/arm/functions/index.js';
import { repoRoot } from '../../helpers.js';

// `lambda(...)` is syntax the evaluator compiles where a lambda is expected, not a table entry.
const SYNTAX = new Set(['lambda']);

const implemented = (name: string) =>
  SYNTAX.has(name.toLowerCase()) || ARM_FUNCTIONS.has(name.toLowerCase()) || (name.toLowerCase().startsWith('list') && ARM_FUNCTIONS.has('list*'));

test('every ARM function in the VS Code ARM tools metadata is implemented', () => {
  const file = path.join(repoRoot(), 'test/fixtures/upstream/bicep/function-metadata/arm-ExpressionMetadata.json');
  const metadata = JSON.parse(readFileSync(file, 'utf8')) as {
    functionSignatures: { name: string; minimumArguments: number; maximumArguments: number | null }[];
  };
  assert.ok(metadata.functionSignatures.length >= 100);
  assert.deepEqual(
    metadata.functionSignatures.map((f) => f.name).filter((n) => !implemented(n)),
    [],
  );
  // Arity agrees with the metadata where ours is defined (ours may accept more, as ARM grew).
  for (const f of metadata.functionSignatures) {
    const def = ARM_FUNCTIONS.get(f.name.toLowerCase());
    if (!def) continue;
    assert.ok(def.minArgs <= f.minimumArguments, `${f.name}: minimum ${def.minArgs} > ${f.minimumArguments}`);
    if (def.maxArgs !== undefined && f.maximumArguments !== null)
      assert.ok(def.maxArgs >= f.maximumArguments, `${f.name}: maximum ${def.maxArgs} < ${f.maximumArguments}`);
  }
});

test('every function the expansion issue names (newer than the metadata too) is implemented', () => {
  const named = `array concat contains createArray empty first last flatten indexOf lastIndexOf intersection union length min max range skip take tryGet
    indexFromEnd tryIndexFromEnd coalesce equals greater greaterOrEquals less lessOrEquals dateTimeAdd dateTimeFromEpoch dateTimeToEpoch utcNow
    deployment deployer environment parameters variables fail filter map reduce sort toObject mapValues groupBy lambda lambdaVariables and bool false if not or true
    add div float int mod mul sub createObject items objectKeys json null shallowMerge extensionResourceId resourceId subscriptionResourceId tenantResourceId
    managementGroupResourceId reference references listKeys listSecrets pickZones providers resourceInfo resourceGroup subscription tenant managementGroup
    base64 base64ToJson base64ToString dataUri dataUriToString uri uriComponent uriComponentToString parseUri buildUri format guid newGuid padLeft replace
    split substring trim uniqueString endsWith startsWith string toLower toUpper join parseCidr cidrSubnet cidrHost`.split(/\s+/);
  assert.deepEqual(
    named.filter((n) => !implemented(n)),
    [],
  );
});
