import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextBoundedCache } from '../../src/bicep/text-bounded-cache.js';

// The per-scan caches of Bicep parses and module lowerings: bounded by the text they stand for.
test('a text-bounded cache keeps values per family, least recently used out, and drops what no longer holds', () => {
  const cache = new TextBoundedCache<{ text: string; n: number }>(100);
  const scan = {};
  const other = {};
  const always = () => true;
  cache.set(scan, 'a', { text: 'x'.repeat(20), n: 1 });
  cache.set(scan, 'b', { text: 'x'.repeat(20), n: 2 });
  assert.equal(cache.get(other, 'a', always), undefined, 'another scan has its own');
  assert.equal(cache.get(scan, 'a', always)?.n, 1); // a is now the most recent
  cache.set(scan, 'c', { text: 'x'.repeat(25), n: 3 });
  cache.set(scan, 'd', { text: 'x'.repeat(25), n: 4 }); // 90 characters held
  cache.set(scan, 'e', { text: 'x'.repeat(20), n: 5 }); // 110: the least recently used (b) goes
  assert.equal(cache.get(scan, 'b', always), undefined);
  assert.equal(cache.get(scan, 'a', always)?.n, 1);
  // More than half the bound is never kept.
  cache.set(scan, 'big', { text: 'x'.repeat(51), n: 6 });
  assert.equal(cache.get(scan, 'big', always), undefined);
  // A value that no longer holds is dropped (and its text no longer counts).
  assert.equal(
    cache.get(scan, 'c', () => false),
    undefined,
  );
  assert.equal(cache.get(scan, 'c', always), undefined);
  cache.set(scan, 'f', { text: 'x'.repeat(25), n: 7 }); // a, d, e, f: 90 characters
  assert.deepEqual(
    ['a', 'd', 'e', 'f'].map((k) => cache.get(scan, k, always)?.n),
    [1, 4, 5, 7],
  );
  // A peek does not count as a use: a stays the least recently used, and goes first.
  assert.equal(cache.peek(scan, 'a')?.n, 1);
  assert.equal(cache.peek(other, 'a'), undefined);
  cache.set(scan, 'g', { text: 'x'.repeat(10), n: 8 }); // 100 characters
  cache.set(scan, 'h', { text: 'x'.repeat(10), n: 9 }); // 110: a goes
  assert.deepEqual(cache.keys(scan), ['d', 'e', 'f', 'g', 'h']);
});
