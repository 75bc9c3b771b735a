import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from './run.js';

test('conformance: items as Azure evaluates it (keys sorted)', () => {
  assert.deepEqual(run("[items(createObject('foo', 'abc', 'bar', 123))]"), [
    { key: 'bar', value: 123 },
    { key: 'foo', value: 'abc' },
  ]);
});

test('items and objectKeys sort keys ignoring case, keeping their spelling', () => {
  assert.deepEqual(run("[objectKeys(createObject('b', 1, 'A', 2, 'c', 3))]"), ['A', 'b', 'c']);
  assert.deepEqual(
    run("[items(createObject('b', 1, 'A', 2))]"),
    [
      { key: 'A', value: 2 },
      { key: 'b', value: 1 },
    ],
  );
  assert.deepEqual(run('[items(createObject())]'), []);
  assert.throws(() => run('[items(createArray())]'), /must be an object/);
});

test('shallowMerge: later objects win at the top level only', () => {
  assert.deepEqual(run("[shallowMerge(createArray(createObject('a', 1, 'n', createObject('x', 1)), createObject('b', 2, 'n', createObject('y', 2))))]"), {
    a: 1,
    n: { y: 2 },
    b: 2,
  });
  assert.deepEqual(run("[shallowMerge(createArray(createObject('Key', 1), createObject('key', 2)))]"), { Key: 2 });
  assert.deepEqual(run('[shallowMerge(createArray())]'), {});
  assert.throws(() => run('[shallowMerge(createArray(1))]'), /every item must be an object/);
});
