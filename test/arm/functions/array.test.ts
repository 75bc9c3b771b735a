import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUnknown } from '../../../src/resources/value.js';
import { run } from './run.js';

// Values Azure's engine computed (Bicep's bicepparam Expressions baseline), as ARM expressions.
test('conformance: array functions as Azure evaluates them', () => {
  assert.equal(run('[first(createArray(124, 2))]'), 124);
  assert.deepEqual(run("[flatten(createArray(createArray('abc'), createArray('def')))]"), ['abc', 'def']);
  assert.equal(run("[indexOf(createArray('abc', 'def'), 'def')]"), 1);
  assert.deepEqual(run('[intersection(createArray(1, 2, 3), createArray(2, 3, 4))]'), [2, 3]);
  assert.equal(run('[last(createArray(1, 2))]'), 2);
  assert.equal(run("[lastIndexOf('abcabcd', 'abcd')]"), 3);
  assert.equal(run('[max(1, 2, 3)]'), 3);
  assert.equal(run('[min(createArray(1, 2, 3))]'), 1);
  assert.deepEqual(run('[range(0, 3)]'), [0, 1, 2]);
  assert.deepEqual(run('[skip(createArray(1, 2, 3), 1)]'), [2, 3]);
  assert.deepEqual(run('[take(createArray(1, 2, 3), 2)]'), [1, 2]);
});

test('first and last: empty arrays give null, strings give characters', () => {
  assert.equal(run('[first(createArray())]'), null);
  assert.equal(run('[last(createArray())]'), null);
  assert.equal(run("[first('abc')]"), 'a');
  assert.equal(run("[last('abc')]"), 'c');
  assert.equal(run("[first('')]"), '');
  assert.throws(() => run('[first(1)]'), /must be an array or a string/);
});

test('indexOf and lastIndexOf: strings ignore case, array items compare exactly', () => {
  assert.equal(run("[indexOf('Test', 'E')]"), 1);
  assert.equal(run("[indexOf(createArray('a', 'B'), 'b')]"), -1);
  assert.equal(run("[indexOf(createArray(1, '1'), '1')]"), 1);
  assert.equal(run("[lastIndexOf(createArray('x', 'y', 'x'), 'x')]"), 2);
  assert.equal(run("[indexOf(createArray(createObject('a', 1)), createObject('a', 1))]"), 0);
  assert.equal(run("[indexOf('abc', 'z')]"), -1);
});

test('skip and take clamp their count; they work on strings', () => {
  assert.deepEqual(run('[skip(createArray(1, 2), -5)]'), [1, 2]);
  assert.deepEqual(run('[skip(createArray(1, 2), 9)]'), []);
  assert.deepEqual(run('[take(createArray(1, 2), 9)]'), [1, 2]);
  assert.equal(run("[take('abcdef', 3)]"), 'abc');
  assert.equal(run("[skip('abcdef', 4)]"), 'ef');
});

test('range limits, min/max errors, flatten type errors, intersection of objects', () => {
  assert.deepEqual(run('[range(5, 0)]'), []);
  assert.throws(() => run('[range(0, 10001)]'), /from 0 to 10000/);
  assert.throws(() => run('[range(2147483647, 1)]'), /2147483647/);
  assert.throws(() => run('[min(createArray())]'), /at least one integer/);
  assert.throws(() => run("[max(1, 'a')]"), /integer/);
  assert.throws(() => run('[flatten(createArray(1))]'), /every item must be an array/);
  assert.deepEqual(run("[intersection(createObject('a', 1, 'b', 2), createObject('a', 1, 'b', 3))]"), { a: 1 });
  assert.deepEqual(run('[intersection(createArray(1, 1, 2), createArray(1, 2))]'), [1, 2]);
  assert.throws(() => run("[intersection(createArray(1), createObject('a', 1))]"), /same kind/);
});

test('tryGet: null when missing at any step, arrays by index, unknowns stay unknown', () => {
  assert.equal(run("[tryGet(createObject('a', createObject('b', 1)), 'a', 'b')]"), 1);
  assert.equal(run("[tryGet(createObject('A', 1), 'a')]"), 1);
  assert.equal(run("[tryGet(createObject('a', 1), 'x')]"), null);
  assert.equal(run("[tryGet(createObject('a', 1), 'a', 'deeper')]"), null);
  assert.equal(run("[tryGet(createArray('x', 'y'), 1)]"), 'y');
  assert.equal(run('[tryGet(createArray(1), 5)]'), null);
  assert.equal(run("[tryGet(null(), 'a')]"), null);
  assert.ok(isUnknown(run("[tryGet(parameters('unknown'), 'a')]")));
});

test('indexFromEnd and tryIndexFromEnd', () => {
  assert.equal(run('[indexFromEnd(createArray(1, 2, 3), 1)]'), 3);
  assert.equal(run('[indexFromEnd(createArray(1, 2, 3), 3)]'), 1);
  assert.throws(() => run('[indexFromEnd(createArray(1, 2, 3), 4)]'), /out of range/);
  assert.throws(() => run('[indexFromEnd(createArray(1), 0)]'), /out of range/);
  assert.equal(run('[tryIndexFromEnd(createArray(1, 2, 3), 4)]'), null);
  assert.equal(run('[tryIndexFromEnd(createArray(1, 2, 3), 2)]'), 2);
});
