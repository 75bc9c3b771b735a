import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUnknown, Unknown, type Value } from '../../../src/resources/value.js';
import { baseContext, run } from './run.js';

// Arrays holding a value only known at deployment, as the expander produces for `["[newGuid()]", 1]`.
const later = new Unknown('known at deployment');
const PARAMETERS = new Map<string, Value>([
  ['mixed', [1, later, 3]],
  ['objects', [{ a: 1 }, later]],
  ['nested', [[1], later]],
  ['record', { a: later, b: 2 }],
]);
const withUnknowns = (text: string): Value => run(text, { ...baseContext, parameter: (name) => PARAMETERS.get(name) ?? null });

// Values Azure's engine computed: Bicep's bicepparam Expressions baseline (parameters.bicepparam → parameters.json).
test('conformance: array functions as Azure evaluates them', () => {
  assert.equal(run('[first(createArray(124, 25))]'), 124);
  assert.deepEqual(run("[flatten(createArray(createArray('abc'), createArray('def')))]"), ['abc', 'def']);
  assert.equal(run("[indexOf('abc', 'b')]"), 1);
  assert.deepEqual(run('[intersection(createArray(1, 2, 3), createArray(2, 3, 4))]'), [2, 3]);
  assert.equal(run('[last(createArray(1, 2))]'), 2);
  assert.equal(run("[lastIndexOf('abcba', 'b')]"), 3);
  assert.equal(run('[max(1, 2, 3)]'), 3);
  assert.equal(run('[min(1, 2, 3)]'), 1);
  assert.deepEqual(run('[range(0, 3)]'), [0, 1, 2]);
  assert.deepEqual(run('[skip(createArray(1, 2, 3), 1)]'), [2, 3]);
  assert.deepEqual(run('[take(createArray(1, 2, 3), 2)]'), [1, 2]);
});

// The examples of Microsoft's array and object function reference, with their documented outputs.
test('documented examples', () => {
  assert.equal(run("[first(createArray('one', 'two', 'three'))]"), 'one');
  assert.equal(run("[first('One Two Three')]"), 'O');
  assert.equal(run("[last('One Two three')]"), 'e');
  assert.deepEqual(run("[flatten(createArray(createArray('one', 'two'), createArray('three'), createArray('four', 'five')))]"), [
    'one',
    'two',
    'three',
    'four',
    'five',
  ]);
  const names = "createArray('one', 'two', 'three')";
  const numbers = 'createArray(4, 5, 6)';
  assert.equal(run(`[lastIndexOf(${names}, 'two')]`), 1);
  assert.equal(run(`[indexOf(${names}, 'one')]`), 0);
  assert.equal(run(`[lastIndexOf(${names}, 'Three')]`), -1);
  assert.equal(run(`[lastIndexOf(${numbers}, 4)]`), 0);
  assert.equal(run(`[indexOf(${numbers}, 6)]`), 2);
  assert.equal(run(`[lastIndexOf(${numbers}, '5')]`), -1);
  assert.equal(run(`[indexOf(createArray(${names}, ${numbers}), ${numbers})]`), 1);
  assert.equal(run('[indexOf(createArray(1, 2, 3, 1), 1)]'), 0);
  assert.equal(run('[lastIndexOf(createArray(1, 2, 3, 1), 1)]'), 3);
  assert.deepEqual(run("[intersection(createObject('one', 'a', 'two', 'b', 'three', 'c'), createObject('one', 'a', 'two', 'z', 'three', 'c'))]"), {
    one: 'a',
    three: 'c',
  });
  assert.deepEqual(run("[intersection(createArray('one', 'two', 'three'), createArray('two', 'three'))]"), ['two', 'three']);
  // The first array decides the order.
  const [a1, a2, a3] = ['createArray(1, 2, 3, 4)', 'createArray(3, 2, 1)', 'createArray(4, 1, 3, 2)'];
  assert.deepEqual(run(`[intersection(${a1}, ${a2}, ${a3})]`), [1, 2, 3]);
  assert.deepEqual(run(`[intersection(${a2}, ${a3}, ${a1})]`), [3, 2, 1]);
  const users = "createObject('name', 'John Doe', 'age', 30)";
  assert.equal(run(`[tryGet(${users}, 'region')]`), null);
  assert.equal(run(`[tryGet(${users}, 'name')]`), 'John Doe');
  assert.equal(run("[tryGet(createArray('red', 'green'), 0)]"), 'red');
  assert.equal(run('[max(createArray(0, 3, 2, 5, 4))]'), 5);
  assert.equal(run('[max(0, 3, 2, 5, 4)]'), 5);
  assert.equal(run('[min(createArray(0, 3, 2, 5, 4))]'), 0);
  assert.equal(run('[min(0, 3, 2, 5, 4)]'), 0);
});

test('first and last: empty arrays give null, strings give characters', () => {
  assert.equal(run('[first(createArray())]'), null);
  assert.equal(run('[last(createArray())]'), null);
  assert.equal(run("[first('abc')]"), 'a');
  assert.equal(run("[last('abc')]"), 'c');
  assert.equal(run("[first('')]"), '');
  assert.equal(run("[last('')]"), '');
  assert.deepEqual(run('[first(createArray(createArray(1, 2), 3))]'), [1, 2]);
  assert.throws(() => run('[first(1)]'), /first: the input must be an array or a string, not the integer 1/);
  assert.throws(() => run("[last(createObject('a', 1))]"), /last: the input must be an array or a string, not an object/);
  assert.throws(() => run('[first(createArray(), 1)]'), /'first' takes 1 argument, not 2/);
});

test('flatten: one level only; every item must be an array', () => {
  assert.deepEqual(run('[flatten(createArray())]'), []);
  assert.deepEqual(run('[flatten(createArray(createArray(), createArray()))]'), []);
  assert.deepEqual(run('[flatten(createArray(createArray(1, createArray(2)), createArray(3)))]'), [1, [2], 3]);
  assert.throws(() => run('[flatten(createArray(1))]'), /flatten: every item must be an array, not the integer 1/);
  assert.throws(() => run("[flatten('ab')]"), /must be an array, not the string 'ab'/);
});

test('indexOf and lastIndexOf: strings ignore case, array items compare exactly', () => {
  assert.equal(run("[indexOf('test', 'T')]"), 0);
  assert.equal(run("[lastIndexOf('test', 'T')]"), 3);
  assert.equal(run("[indexOf('Test', 'E')]"), 1);
  assert.equal(run("[indexOf('abc', 'z')]"), -1);
  assert.equal(run("[indexOf('abc', '')]"), 0);
  assert.equal(run("[indexOf(createArray('a', 'B'), 'b')]"), -1);
  assert.equal(run("[indexOf(createArray(1, '1'), '1')]"), 1);
  assert.equal(run("[lastIndexOf(createArray('x', 'y', 'x'), 'x')]"), 2);
  assert.equal(run("[indexOf(createArray(createObject('a', 1)), createObject('A', 1))]"), 0);
  assert.equal(run('[indexOf(createArray(), 1)]'), -1);
  assert.throws(() => run("[indexOf('abc', 1)]"), /indexOf: the text to find must be a string, not the integer 1/);
  assert.throws(() => run("[lastIndexOf(createObject('a', 1), 'a')]"), /must be an array, not an object/);
});

test('intersection: arrays deduplicated in the first one’s order; objects keep keys with equal values', () => {
  assert.deepEqual(run('[intersection(createArray(1, 1, 2), createArray(1, 2))]'), [1, 2]);
  assert.deepEqual(run('[intersection(createArray(1, 2), createArray())]'), []);
  assert.deepEqual(run("[intersection(createArray('a'), createArray('A'))]"), []);
  assert.deepEqual(run("[intersection(createObject('a', 1, 'b', 2), createObject('a', 1, 'b', 3))]"), { a: 1 });
  // Object keys match ignoring case, as every ARM key lookup; the first object's spelling stays.
  assert.deepEqual(run("[intersection(createObject('Key', 'v'), createObject('key', 'v'))]"), { Key: 'v' });
  assert.deepEqual(run("[intersection(createObject('a', 1), createObject('a', 1), createObject('b', 1))]"), {});
  assert.throws(() => run("[intersection(createArray(1), createObject('a', 1))]"), /intersection: takes arrays, or objects, all of the same kind/);
  assert.throws(() => run("[intersection('a', 'a')]"), /same kind/);
});

test('min and max: an array or several integers; empty is an error', () => {
  assert.equal(run('[min(createArray(3, -1, 2))]'), -1);
  assert.equal(run('[max(createArray(3, -1, 2))]'), 3);
  assert.equal(run('[max(7)]'), 7);
  assert.equal(run('[min(createArray(5))]'), 5);
  assert.throws(() => run('[min(createArray())]'), /min: needs at least one integer/);
  assert.throws(() => run("[max(1, 'a')]"), /max: every value must be an integer, not the string 'a'/);
  assert.throws(() => run('[max(createArray(1), 2)]'), /every value must be an integer, not an array/);
});

test('range: count from 0 to 10000, start + count within a 32-bit integer', () => {
  assert.deepEqual(run('[range(5, 0)]'), []);
  assert.deepEqual(run('[range(-2, 3)]'), [-2, -1, 0]);
  assert.equal((run('[range(1, 10000)]') as number[]).length, 10000);
  assert.deepEqual(run('[range(2147483646, 1)]'), [2147483646]);
  assert.throws(() => run('[range(0, 10001)]'), /range: the count must be from 0 to 10000, not 10001/);
  assert.throws(() => run('[range(0, -1)]'), /from 0 to 10000, not -1/);
  assert.throws(() => run('[range(2147483647, 1)]'), /start \+ count must not exceed 2147483647/);
  assert.throws(() => run("[range('0', 1)]"), /range: the start must be an integer/);
});

test('skip and take clamp their count; they work on strings', () => {
  assert.deepEqual(run('[skip(createArray(1, 2), -5)]'), [1, 2]);
  assert.deepEqual(run('[skip(createArray(1, 2), 0)]'), [1, 2]);
  assert.deepEqual(run('[skip(createArray(1, 2), 9)]'), []);
  assert.deepEqual(run('[take(createArray(1, 2), 9)]'), [1, 2]);
  assert.deepEqual(run('[take(createArray(1, 2), -1)]'), []);
  assert.deepEqual(run('[take(createArray(), 3)]'), []);
  assert.equal(run("[take('abcdef', 3)]"), 'abc');
  assert.equal(run("[skip('abcdef', 4)]"), 'ef');
  assert.equal(run("[skip('abc', 10)]"), '');
  assert.throws(() => run("[take(createArray(1), '1')]"), /take: the number to take must be an integer/);
  assert.throws(() => run('[skip(null(), 1)]'), /skip: the input must be an array or a string, not null/);
});

test('tryGet: null when missing at any step, keys by ARM lookup, arrays by index', () => {
  assert.equal(run("[tryGet(createObject('a', createObject('b', 1)), 'a', 'b')]"), 1);
  assert.equal(run("[tryGet(createObject('A', 1), 'a')]"), 1);
  assert.equal(run("[tryGet(createObject('a', 1, 'A', 2), 'A')]"), 2);
  assert.equal(run("[tryGet(createObject('a', 1), 'x')]"), null);
  assert.equal(run("[tryGet(createObject('a', 1), 'x', 'y', 0)]"), null);
  assert.equal(run("[tryGet(createObject('a', 1), 'a', 'deeper')]"), null);
  assert.equal(run("[tryGet(createObject('a', null()), 'a')]"), null);
  assert.equal(run("[tryGet(createArray('x', 'y'), 1)]"), 'y');
  assert.equal(run('[tryGet(createArray(1), 5)]'), null);
  assert.equal(run('[tryGet(createArray(1), -1)]'), null);
  assert.equal(run("[tryGet(createArray(1), '0')]"), null);
  assert.equal(run("[tryGet(createObject('0', 'x'), 0)]"), null);
  assert.equal(run("[tryGet(null(), 'a')]"), null);
  assert.equal(run("[tryGet('text', 0)]"), null);
  assert.throws(() => run("[tryGet(createObject('a', 1))]"), /'tryGet' takes at least 2 arguments, not 1/);
});

test('tryGet: the index objects Bicep emits for a chained [^n]', () => {
  // Bicep: x.?deeply.nested.array[^1] (Modules baseline) and x.?array[2].
  const x = "createObject('deeply', createObject('nested', createObject('array', createArray('a', 'b', 'c'))))";
  assert.equal(run(`[tryGet(${x}, 'deeply', 'nested', 'array', createObject('value', 1, 'fromEnd', true()))]`), 'c');
  assert.equal(run(`[tryGet(${x}, 'deeply', 'nested', 'array', createObject('value', 3, 'fromEnd', true()))]`), 'a');
  assert.equal(run(`[tryGet(${x}, 'deeply', 'nested', 'array', createObject('value', 4, 'fromEnd', true()))]`), null);
  assert.equal(run(`[tryGet(${x}, 'deeply', 'nested', 'array', createObject('value', 0, 'fromEnd', true()))]`), null);
  assert.equal(run(`[tryGet(${x}, 'deeply', 'nested', 'array', createObject('value', 2))]`), 'c');
  assert.equal(run(`[tryGet(${x}, 'deeply', 'nested', 'array', createObject('value', 2, 'fromEnd', false()))]`), 'c');
  assert.equal(run(`[tryGet(${x}, 'deeply', createObject('value', 1, 'fromEnd', true()))]`), null);
});

test('tryGet: unknowns stay unknown, but a null container is null whatever the key', () => {
  assert.ok(isUnknown(run("[tryGet(parameters('unknown'), 'a')]")));
  assert.ok(isUnknown(run("[tryGet(createObject('a', 1), parameters('unknown'))]")));
  assert.ok(isUnknown(withUnknowns("[tryGet(parameters('record'), 'a', 'b')]")));
  assert.equal(withUnknowns("[tryGet(parameters('record'), 'b')]"), 2);
  assert.equal(run("[tryGet(null(), parameters('unknown'))]"), null);
  assert.equal(run("[tryGet(createObject('a', 1), 'x', parameters('unknown'))]"), null);
  assert.ok(isUnknown(withUnknowns("[tryGet(parameters('mixed'), 1)]")));
  assert.equal(withUnknowns("[tryGet(parameters('mixed'), 2)]"), 3);
});

test('indexFromEnd and tryIndexFromEnd count from 1 at the last item', () => {
  assert.equal(run('[indexFromEnd(createArray(1, 2, 3), 1)]'), 3);
  assert.equal(run('[indexFromEnd(createArray(1, 2, 3), 3)]'), 1);
  assert.throws(() => run('[indexFromEnd(createArray(1, 2, 3), 4)]'), /indexFromEnd: index 4 from the end is out of range for an array of length 3/);
  assert.throws(() => run('[indexFromEnd(createArray(1), 0)]'), /out of range/);
  assert.throws(() => run('[indexFromEnd(createArray(1), -1)]'), /out of range/);
  assert.throws(() => run('[indexFromEnd(createArray(), 1)]'), /out of range for an array of length 0/);
  assert.throws(() => run("[indexFromEnd(createArray(1), '1')]"), /the index from the end must be an integer/);
  assert.throws(() => run("[indexFromEnd('abc', 1)]"), /must be an array, not the string 'abc'/);
  assert.equal(run('[tryIndexFromEnd(createArray(1, 2, 3), 2)]'), 2);
  assert.equal(run('[tryIndexFromEnd(createArray(1, 2, 3), 4)]'), null);
  assert.equal(run('[tryIndexFromEnd(createArray(1, 2, 3), 0)]'), null);
  assert.equal(run('[tryIndexFromEnd(createArray(1, 2, 3), -1)]'), null);
  assert.equal(run("[tryIndexFromEnd(createArray(1, 2, 3), '2')]"), null);
  assert.equal(run('[tryIndexFromEnd(null(), 1)]'), null);
  assert.ok(isUnknown(run("[tryIndexFromEnd(parameters('unknown'), 1)]")));
  assert.ok(isUnknown(run("[tryIndexFromEnd(createArray(1), parameters('unknown'))]")));
});

test('tryIndexFromEnd: Bicep folds the accesses after [?^n] into the call', () => {
  // Bicep: z.array[?^2].foo, z.array[?^1][^2] and z.array[?^1][0].
  const arr = "createArray(createObject('foo', 'first'), createObject('foo', 'second'), createArray('p', 'q', 'r'))";
  assert.equal(run(`[tryIndexFromEnd(${arr}, 2, 'foo')]`), 'second');
  assert.equal(run(`[tryIndexFromEnd(${arr}, 2, 'bar')]`), null);
  assert.equal(run(`[tryIndexFromEnd(${arr}, 1, createObject('value', 2, 'fromEnd', true()))]`), 'q');
  assert.equal(run(`[tryIndexFromEnd(${arr}, 1, createObject('value', 0))]`), 'p');
  assert.equal(run(`[tryIndexFromEnd(${arr}, 9, 'foo')]`), null);
});

test('items only known at deployment: unknown results, never false type errors', () => {
  assert.ok(isUnknown(withUnknowns("[max(parameters('mixed'))]")));
  assert.ok(isUnknown(withUnknowns("[min(parameters('mixed'))]")));
  assert.ok(isUnknown(withUnknowns("[flatten(parameters('nested'))]")));
  // The unknown item may be the one searched for: unknown if met before a match.
  assert.ok(isUnknown(withUnknowns("[indexOf(parameters('mixed'), 3)]")));
  assert.equal(withUnknowns("[indexOf(parameters('mixed'), 1)]"), 0);
  assert.equal(withUnknowns("[lastIndexOf(parameters('mixed'), 3)]"), 2);
  assert.ok(isUnknown(withUnknowns("[lastIndexOf(parameters('mixed'), 1)]")));
  assert.ok(isUnknown(withUnknowns("[intersection(parameters('mixed'), createArray(1))]")));
  assert.ok(isUnknown(withUnknowns("[intersection(parameters('record'), createObject('a', 1, 'b', 2))]")));
  // A key the other object lacks is out, whatever its value.
  assert.deepEqual(withUnknowns("[intersection(parameters('record'), createObject('b', 2))]"), { b: 2 });
  assert.ok(isUnknown(withUnknowns("[last(parameters('objects'))]")));
  assert.deepEqual(withUnknowns("[take(parameters('mixed'), 1)]"), [1]);
  assert.ok(isUnknown(run("[first(parameters('unknown'))]")));
  assert.ok(isUnknown(run("[range(0, parameters('unknown'))]")));
});
