import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUnknown } from '../../../src/resources/value.js';
import { run } from './run.js';

test('conformance: int as Azure evaluates it', () => {
  assert.equal(run("[int('123')]"), 123);
});

test('integer arithmetic: division truncates toward zero, the remainder takes the sign of the dividend', () => {
  assert.equal(run('[add(2, 3)]'), 5);
  assert.equal(run('[sub(2, 3)]'), -1);
  assert.equal(run('[mul(-4, 3)]'), -12);
  assert.equal(run('[div(7, 2)]'), 3);
  assert.equal(run('[div(-7, 2)]'), -3);
  assert.equal(run('[mod(7, 3)]'), 1);
  assert.equal(run('[mod(-7, 3)]'), -1);
  assert.throws(() => run('[div(1, 0)]'), /division by zero/);
  assert.throws(() => run('[mod(1, 0)]'), /division by zero/);
  assert.throws(() => run("[add(1, '2')]"), /must be an integer/);
});

test('beyond exact integers is an error, never a wrong number', () => {
  assert.throws(() => run('[mul(4294967296, 4294967296)]'), /integer overflow/);
});

test('int and float conversions', () => {
  assert.equal(run("[int(' -42 ')]"), -42);
  assert.equal(run('[int(7)]'), 7);
  assert.throws(() => run("[int('4.5')]"), /cannot convert/);
  assert.throws(() => run("[int('abc')]"), /cannot convert/);
  assert.equal(run("[float('4.5')]"), 4.5);
  assert.throws(() => run("[float('x')]"), /cannot convert/);
  assert.ok(isUnknown(run("[add(parameters('unknown'), 1)]")));
});
