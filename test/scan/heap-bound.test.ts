// Between units, a long scan collects garbage once the heap has grown by more than it held after
// the last collection (src/pipeline/heap-bound.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getHeapStatistics } from 'node:v8';
import { heapBound } from '../../src/pipeline/heap-bound.js';

test('heap bound: collects only once the heap grew by the larger of the minimum and half what it held, then measures from there', () => {
  let used = 50;
  const collected: number[] = [];
  const bound = heapBound(10, { used: () => used, collect: () => (collected.push(used), (used = 60)) });
  used = 74; // grew by 24: under half what it held (25)
  assert.equal(bound(), false);
  used = 75; // by 25
  assert.equal(bound(), true);
  assert.deepEqual(collected, [75]);
  // From 60 now: a growth of 30 is needed, not 25.
  used = 89;
  assert.equal(bound(), false);
  used = 90;
  assert.equal(bound(), true);
  // A small heap still waits for the minimum.
  used = 1;
  const small = heapBound(10, { used: () => used, collect: () => (used = 1) });
  used = 10;
  assert.equal(small(), false);
  used = 11;
  assert.equal(small(), true);
});

test('heap bound: with the real heap, garbage that reached the old generation is collected', () => {
  const heapUsed = () => getHeapStatistics().used_heap_size;
  const bound = heapBound(8 * 1024 * 1024);
  // Objects that stay live across many young collections are moved to the old generation: only a
  // full collection frees them once they are dropped (here, when the function returns).
  const grown = (() => {
    const kept: { i: number; s: string }[] = [];
    for (let i = 0; i < 400_000; i++) kept.push({ i, s: `value ${i}` });
    return heapUsed();
  })();
  assert.equal(bound(), true);
  assert.ok(heapUsed() < grown - 8 * 1024 * 1024, `the heap went from ${grown} to ${heapUsed()} bytes`);
});
