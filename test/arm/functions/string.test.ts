import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from './run.js';

test('conformance: string functions as Azure evaluates them', () => {
  assert.equal(run("[format('->{0}<-', 123)]"), '->123<-');
  assert.equal(run("[join(createArray('abc', 'def', 'ghi'), '/')]"), 'abc/def/ghi');
  assert.equal(run('[padLeft(13, 5)]'), '   13');
  assert.equal(run("[replace('a/b/c', '/b', '')]"), 'a/c');
  assert.deepEqual(run("[split('a,b,c', ',')]"), ['a', 'b', 'c']);
  assert.equal(run("[substring('asdfasf', 3)]"), 'fasf');
  assert.equal(run("[toLower('AIKININIIN')]"), 'aikininiin');
  assert.equal(run("[trim('  adf asdf  ')]"), 'adf asdf');
});

test('join prints booleans as True/False and needs an array', () => {
  assert.equal(run("[join(createArray(true, 1, 'x'), '-')]"), 'True-1-x');
  assert.throws(() => run("[join('abc', ',')]"), /must be an array/);
});

test('padLeft: padding character, limits', () => {
  assert.equal(run("[padLeft('7', 3, '0')]"), '007');
  assert.equal(run("[padLeft('longer', 2)]"), 'longer');
  assert.throws(() => run("[padLeft('7', 3, '00')]"), /exactly one character/);
  assert.throws(() => run("[padLeft('7', 20000)]"), /16384/);
});

test('format: numeric specifiers (invariant culture) and alignment', () => {
  assert.equal(run("[format('{0:N0}', 1234567)]"), '1,234,567');
  assert.equal(run("[format('{0:N2}', 1234)]"), '1,234.00');
  assert.equal(run("[format('{0:D5}', 42)]"), '00042');
  assert.equal(run("[format('{0:X}', 255)]"), 'FF');
  assert.equal(run("[format('{0:x4}', 255)]"), '00ff');
  assert.equal(run("[format('{0:F1}', 3)]"), '3.0');
  assert.equal(run("[format('{0:P0}', 1)]"), '100 %');
  assert.equal(run("[format('[{0,5}]', 'ab')]"), '[   ab]');
  assert.equal(run("[format('{0}', createObject('a', 'b'))]"), "{'a':'b'}");
  assert.throws(() => run("[format('{0:Q}', 1)]"), /not supported/);
  assert.throws(() => run("[format('{0:N2}', 'text')]"), /needs a number/);
});

test('substring defaults and range errors', () => {
  assert.equal(run("[substring('hello', 1, 3)]"), 'ell');
  assert.equal(run("[substring('hello')]"), 'hello');
  assert.throws(() => run("[substring('hello', 3, 5)]"), /outside the string of length 5/);
});
