import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUnknown } from '../../../src/resources/value.js';
import { run } from './run.js';

// Values Azure's engine computed: Bicep's bicepparam Expressions baseline (parameters.bicepparam → parameters.json).
// Bicep compiles `+ - * /` on integers to add, sub, mul and div.
test('conformance: numeric functions as Azure evaluates them', () => {
  assert.equal(run('[int(123)]'), 123);
  assert.equal(run('[int(if(true(), 123, 456))]'), 123);
  assert.equal(run('[add(123, 456)]'), 579);
  assert.equal(run('[sub(456, 123)]'), 333);
  assert.equal(run('[mul(2, 3)]'), 6);
  assert.equal(run('[div(10, 2)]'), 5);
});

// The examples of Microsoft's numeric function reference, with their documented outputs.
test('documented examples', () => {
  assert.equal(run('[add(5, 3)]'), 8);
  assert.equal(run('[sub(7, 3)]'), 4);
  assert.equal(run('[mul(5, 3)]'), 15);
  assert.equal(run('[div(8, 3)]'), 2);
  assert.equal(run('[mod(7, 3)]'), 1);
  assert.equal(run("[int('4')]"), 4);
  // The float example has no documented output: a Logic App parameter given 3.0 either way.
  assert.equal(run("[float('3.0')]"), 3);
  assert.equal(run('[float(3)]'), 3);
});

test('integer division truncates toward zero; the remainder takes the sign of the dividend (C#)', () => {
  assert.equal(run('[div(7, 2)]'), 3);
  assert.equal(run('[div(-7, 2)]'), -3);
  assert.equal(run('[div(7, -2)]'), -3);
  assert.equal(run('[div(-7, -2)]'), 3);
  assert.equal(run('[mod(-7, 3)]'), -1);
  assert.equal(run('[mod(7, -3)]'), 1);
  assert.equal(run('[mod(-7, -3)]'), -1);
  // Exact even where a floating-point quotient would round up to the next integer.
  assert.equal(run('[div(9007199254740991, 3)]'), 3002399751580330);
  assert.equal(run('[div(9007199254740991, 9007199254740990)]'), 1);
});

test('no negative zero: .NET integers have none', () => {
  assert.ok(Object.is(run('[div(-1, 2)]'), 0));
  assert.ok(Object.is(run('[mod(-4, 2)]'), 0));
  assert.ok(Object.is(run('[mul(-1, 0)]'), 0));
  assert.ok(Object.is(run("[int('-0')]"), 0));
});

test('errors Azure raises too: division by zero, wrong types, wrong arity', () => {
  assert.throws(() => run('[div(1, 0)]'), /div: division by zero/);
  assert.throws(() => run('[mod(1, 0)]'), /mod: division by zero/);
  assert.throws(() => run("[add(1, '2')]"), /add: the second operand must be an integer, not the string '2'/);
  assert.throws(() => run('[sub(true(), 1)]'), /sub: the first operand must be an integer, not the boolean true/);
  assert.throws(() => run('[mul(createArray(), 1)]'), /must be an integer, not an array/);
  assert.throws(() => run('[div(null(), 1)]'), /must be an integer, not null/);
  assert.throws(() => run('[add(1)]'), /'add' takes 2 arguments, not 1/);
  assert.throws(() => run('[mod(1, 2, 3)]'), /'mod' takes 2 arguments, not 3/);
});

test('beyond exact integers is an error, never a wrong number', () => {
  assert.equal(run('[add(9007199254740990, 1)]'), 9007199254740991);
  assert.throws(() => run('[add(9007199254740991, 1)]'), /add: integer overflow/);
  assert.throws(() => run('[sub(-9007199254740991, 1)]'), /integer overflow/);
  assert.throws(() => run('[mul(4294967296, 4294967296)]'), /integer overflow/);
  assert.throws(() => run("[int('99999999999999999999')]"), /int: integer overflow/);
});

test('int: integer text (sign and surrounding spaces allowed), integers, truncated numbers', () => {
  assert.equal(run("[int(' -42 ')]"), -42);
  assert.equal(run("[int('+7')]"), 7);
  assert.equal(run("[int('007')]"), 7);
  assert.equal(run('[int(7)]'), 7);
  assert.equal(run("[int(json('4.9'))]"), 4);
  assert.equal(run("[int(json('-4.9'))]"), -4);
  assert.throws(() => run("[int('4.5')]"), /int: cannot convert the string '4.5' to an integer/);
  assert.throws(() => run("[int('abc')]"), /cannot convert the string 'abc'/);
  assert.throws(() => run("[int('')]"), /cannot convert the string ''/);
  assert.throws(() => run("[int('0x10')]"), /cannot convert/);
  assert.throws(() => run("[int('1 2')]"), /cannot convert/);
  assert.throws(() => run('[int(true())]'), /cannot convert the boolean true to an integer/);
  assert.throws(() => run('[int(null())]'), /cannot convert null/);
});

test('float: decimal text and numbers', () => {
  assert.equal(run("[float('-0.25')]"), -0.25);
  assert.equal(run("[float('.5')]"), 0.5);
  assert.equal(run("[float('1e3')]"), 1000);
  assert.equal(run("[float(' 2 ')]"), 2);
  assert.equal(run('[float(3)]'), 3);
  assert.throws(() => run("[float('x')]"), /float: cannot convert the string 'x' to a number/);
  assert.throws(() => run("[float('')]"), /cannot convert/);
  assert.throws(() => run("[float('0x10')]"), /cannot convert/);
  assert.throws(() => run("[float('Infinity')]"), /cannot convert/);
  assert.throws(() => run("[float('1e999')]"), /cannot convert/);
  assert.throws(() => run('[float(createObject())]'), /cannot convert an object/);
});

test('unknown operands give unknown results', () => {
  assert.ok(isUnknown(run("[add(parameters('unknown'), 1)]")));
  assert.ok(isUnknown(run("[div(1, parameters('unknown'))]")));
  assert.ok(isUnknown(run("[int(parameters('unknown'))]")));
  assert.ok(isUnknown(run("[float(parameters('unknown'))]")));
  // The other operand is still checked: its error is reported.
  assert.throws(() => run("[add(parameters('unknown'), div(1, 0))]"), /division by zero/);
});
