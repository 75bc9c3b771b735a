import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeHeapSnapshot } from 'node:v8';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { detachStrings } from '../../src/pipeline/detach.js';

test('detachStrings keeps every value, every shared object and frozen constants as they were', () => {
  const text = `{"type": "Microsoft.ApiManagement/service", "name": "a-fairly-long-name"}`;
  const type = text.slice(10, 41);
  const ref = { type, name: text.slice(53, 71), id: 'short' };
  const frozen = Object.freeze({ note: 'a constant of the rule set' });
  const cyclic: Record<string, unknown> = { label: 'points at itself, too' };
  cyclic.self = cyclic;
  const outcome = { results: [{ resource: ref }, { resource: ref }], findings: [{ resource: ref, lines: [text.slice(0, 30), 'x'] }], frozen, cyclic };
  const before = structuredClone(outcome);
  detachStrings(outcome);
  assert.deepEqual(outcome, before);
  assert.equal(outcome.results[0]!.resource, outcome.results[1]!.resource);
  assert.equal(outcome.frozen, frozen);
  assert.equal(cyclic.self, cyclic);
});

test('after detachStrings, no string of the outcome keeps a large text alive', () => {
  // A text no other string of the process repeats, so that the snapshot can look for it.
  const marker = `TEXT-${process.pid}-${Date.now()}-`;
  // The text is only in this function's scope: once it returns, only the outcome can keep it.
  const made = () => {
    const text = marker + 'x'.repeat(200_000) + '"Microsoft.ApiManagement/service"';
    return { type: text.slice(text.length - 32, text.length - 1), snippet: [text.slice(0, 40)] };
  };
  const outcome = made();
  detachStrings(outcome);
  const file = writeHeapSnapshot(path.join(tmpdir(), `tollgate-detach-${process.pid}.heapsnapshot`));
  try {
    const snapshot = JSON.parse(readFileSync(file, 'utf8')) as { strings: string[] };
    // The snapshot names a string by its first 1,024 characters or so: longer than the snippet is the text.
    assert.ok(!snapshot.strings.some((s) => s.length > 1_000 && s.startsWith(marker)), 'the 200 KB text is still alive');
  } finally {
    rmSync(file, { force: true });
  }
  assert.equal(outcome.type, 'Microsoft.ApiManagement/service');
  assert.equal(outcome.snippet[0], marker + 'x'.repeat(40 - marker.length));
});
