import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUnknown, Unknown, type Value } from '../../../src/resources/value.js';
import { baseContext, run } from './run.js';

const later = new Unknown('known at deployment');
const withUnknowns = (text: string): Value =>
  run(text, { ...baseContext, parameter: (name) => (name === 'objects' ? [{ a: 1 }, later] : name === 'record' ? { a: later } : null) });

// Values Azure's engine computed: Bicep's bicepparam Expressions baseline (parameters.bicepparam → parameters.json).
test('conformance: items as Azure evaluates it (keys sorted)', () => {
  assert.deepEqual(run("[items(createObject('foo', 'abc', 'bar', 123))]"), [
    { key: 'bar', value: 123 },
    { key: 'foo', value: 'abc' },
  ]);
});

// The examples of Microsoft's object function reference, with their documented outputs.
test('documented examples', () => {
  const entities =
    "createObject('item002', createObject('enabled', false(), 'displayName', 'Example item 2', 'number', 200), 'item001', createObject('enabled', true(), 'displayName', 'Example item 1', 'number', 300))";
  assert.deepEqual(run(`[items(${entities})]`), [
    { key: 'item001', value: { displayName: 'Example item 1', enabled: true, number: 300 } },
    { key: 'item002', value: { displayName: 'Example item 2', enabled: false, number: 200 } },
  ]);
  assert.equal(run(`[items(${entities})[1].value.displayName]`), 'Example item 2');
  assert.deepEqual(run("[objectKeys(createObject('a', 1, 'b', 2))]"), ['a', 'b']);
  assert.deepEqual(run("[shallowMerge(createArray(createObject('one', 'a'), createObject('two', 'b'), createObject('two', 'c')))]"), { one: 'a', two: 'c' });
  assert.deepEqual(
    run(
      "[shallowMerge(createArray(createObject('one', 'a', 'nested', createObject('a', 1, 'nested', createObject('c', 3))), createObject('two', 'b', 'nested', createObject('b', 2))))]",
    ),
    { one: 'a', nested: { b: 2 }, two: 'b' },
  );
});

test('items and objectKeys sort keys ordinally ignoring case, keeping their spelling', () => {
  assert.deepEqual(run("[objectKeys(createObject('b', 1, 'A', 2, 'c', 3))]"), ['A', 'b', 'c']);
  assert.deepEqual(run("[items(createObject('b', 1, 'A', 2))]"), [
    { key: 'A', value: 2 },
    { key: 'b', value: 1 },
  ]);
  // Ordinal: digits before letters, '_' (0x5F) after upper-cased letters.
  assert.deepEqual(run("[objectKeys(createObject('z', 1, '_x', 2, '10', 3, '9', 4, 'Y', 5))]"), ['10', '9', 'Y', 'z', '_x']);
  // Values stay as they are, nested objects included.
  assert.deepEqual(run("[items(createObject('k', createArray(1, createObject('n', null()))))]"), [{ key: 'k', value: [1, { n: null }] }]);
  assert.deepEqual(run('[items(createObject())]'), []);
  assert.deepEqual(run('[objectKeys(createObject())]'), []);
});

test('items and objectKeys take only objects', () => {
  assert.throws(() => run('[items(createArray())]'), /items: the input must be an object, not an array/);
  assert.throws(() => run("[objectKeys('abc')]"), /objectKeys: the input must be an object, not the string 'abc'/);
  assert.throws(() => run('[objectKeys(null())]'), /must be an object, not null/);
  assert.throws(() => run("[items(createObject('a', 1), 2)]"), /'items' takes 1 argument, not 2/);
});

test('shallowMerge: later objects win at the top level only', () => {
  assert.deepEqual(run("[shallowMerge(createArray(createObject('a', 1, 'n', createObject('x', 1)), createObject('b', 2, 'n', createObject('y', 2))))]"), {
    a: 1,
    n: { y: 2 },
    b: 2,
  });
  // Keys match ignoring case, as every ARM key lookup: the later value replaces the earlier one.
  assert.deepEqual(run("[shallowMerge(createArray(createObject('Key', 1), createObject('key', 2)))]"), { Key: 2 });
  // A later null replaces too (unlike an absent key).
  assert.deepEqual(run("[shallowMerge(createArray(createObject('a', 1), createObject('a', null())))]"), { a: null });
  assert.deepEqual(run('[shallowMerge(createArray())]'), {});
  assert.deepEqual(run("[shallowMerge(createArray(createObject('a', 1)))]"), { a: 1 });
  assert.throws(() => run('[shallowMerge(createArray(1))]'), /shallowMerge: every item must be an object, not the integer 1/);
  assert.throws(() => run("[shallowMerge(createObject('a', 1))]"), /shallowMerge: the input must be an array of objects, not an object/);
});

test('object functions and values known only at deployment', () => {
  assert.ok(isUnknown(run("[items(parameters('unknown'))]")));
  assert.ok(isUnknown(run("[objectKeys(parameters('unknown'))]")));
  assert.ok(isUnknown(withUnknowns("[shallowMerge(parameters('objects'))]")));
  // An unknown value leaves the keys known.
  assert.deepEqual(withUnknowns("[objectKeys(parameters('record'))]"), ['a']);
  const items = withUnknowns("[items(parameters('record'))]") as { key: string; value: Value }[];
  assert.equal(items[0]!.key, 'a');
  assert.ok(isUnknown(items[0]!.value));
});
