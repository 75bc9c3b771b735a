import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isExpression, parseExpression, unescapeLiteral, ExpressionSyntaxError } from '../../../src/arm/expression/parser.js';

test('recognises expressions and the [[ escape', () => {
  assert.equal(isExpression("[parameters('a')]"), true);
  assert.equal(isExpression('[[not an expression]'), false);
  assert.equal(unescapeLiteral('[[not an expression]'), '[not an expression]');
  assert.equal(isExpression('plain'), false);
  assert.equal(isExpression('[only starts'), false);
});

test('parses calls, strings with doubled quotes, numbers, literals, property and index access', () => {
  const e = parseExpression("[concat('it''s', -12, true, null, resourceGroup().location, createArray(1,2)[0])]");
  assert.equal(e.kind, 'call');
  if (e.kind !== 'call') return;
  assert.equal(e.name, 'concat');
  assert.deepEqual(
    e.args.map((a) => a.kind),
    ['string', 'number', 'literal', 'literal', 'property', 'index'],
  );
  assert.equal(e.args[0]!.kind === 'string' && e.args[0]!.value, "it's");
  assert.equal(e.args[1]!.kind === 'number' && e.args[1]!.value, -12);
});

test('allows whitespace between tokens', () => {
  const e = parseExpression("[ concat ( 'a' , 'b' ) ]");
  assert.equal(e.kind === 'call' && e.args.length, 2);
});

test('namespaced user functions keep their full name', () => {
  const e = parseExpression("[contoso.uniqueName('x')]");
  assert.equal(e.kind === 'call' && e.name, 'contoso.uniqueName');
});

test('syntax errors carry the offset within the string', () => {
  assert.throws(
    () => parseExpression("[concat('a', )]"),
    (err: unknown) => err instanceof ExpressionSyntaxError && err.offset === 13,
  );
  assert.throws(() => parseExpression("[concat('a'"), ExpressionSyntaxError);
  assert.throws(() => parseExpression("[concat('unterminated)]"), /unterminated string/);
  assert.throws(() => parseExpression('[bare]'), /must be followed by/);
});
