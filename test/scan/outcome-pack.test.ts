import { test } from 'node:test';
import assert from 'node:assert/strict';
import { packOutcome, unpackOutcome, type StoredOutcome } from '../../src/pipeline/outcome-pack.js';
import { runUnit, unitContext } from '../../src/pipeline/run-unit.js';
import { loadInputs } from '../../src/input/load-inputs.js';
import { loadRuleSet } from '../../src/scan.js';
import { template, tempTree } from '../helpers.js';

// The result cache stores a rule result's findings, resource and file as indexes: read back, an
// outcome equals the one the unit produced, and a result's finding is that very finding again.

test('an outcome stored and read back is the outcome the unit produced, its results holding its findings themselves', () => {
  const cwd = tempTree({
    'main.json': template({
      resources: [
        {
          type: 'Microsoft.Storage/storageAccounts',
          apiVersion: '2023-01-01',
          name: 'st1',
          location: 'westeurope',
          properties: { allowBlobPublicAccess: true },
        },
      ],
    }),
  });
  const ruleSet = loadRuleSet();
  const options = { paths: ['.'], cwd, ruleSet };
  const ctx = unitContext(options, ruleSet);
  const [unit] = loadInputs({ ...options, sandbox: ctx.sandbox }).units;
  const outcome = runUnit(unit!, ctx);
  assert.ok(
    outcome.results.some((r) => r.findings.length > 0),
    'the unit has failing results',
  );

  const stored = JSON.parse(JSON.stringify(packOutcome(outcome))) as StoredOutcome;
  assert.ok(
    stored.results.every((r) => r.findings.every((f) => typeof f === 'number')),
    'each finding of a result is stored as an index',
  );
  assert.equal(stored.resources.length, 1, 'the one resource is written once');
  assert.deepEqual(stored.files, [outcome.results[0]!.file]);
  const read = unpackOutcome(stored)!;
  assert.deepEqual(read, JSON.parse(JSON.stringify(outcome)));
  const findings = new Set(read.findings.map((f) => f.finding));
  for (const r of read.results) for (const f of r.findings) assert.ok(findings.has(f), 'the same object as in findings');
  // One resource, one reference object for all its results: the engine's, and the one read back.
  assert.equal(new Set(outcome.results.map((r) => r.resource)).size, 1);
  assert.equal(new Set(read.results.map((r) => r.resource)).size, 1);
});

test('an index that names no finding or resource makes the stored outcome unreadable (a miss)', () => {
  const stored: StoredOutcome = {
    results: [{ ruleId: 'x', resource: 0, file: 0, outcome: 'fail', findings: [3] }],
    resources: [{ type: 't', name: 'n', id: 'i' }],
    files: ['f'],
    findings: [],
    own: [],
    comments: [],
    diagnostics: [],
    linked: [],
  };
  assert.equal(unpackOutcome(stored), undefined);
  assert.equal(unpackOutcome({ ...stored, results: [{ ...stored.results[0]!, findings: [], resource: 1 }] }), undefined);
});
