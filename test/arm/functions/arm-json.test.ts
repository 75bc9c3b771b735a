// json() and base64ToJson() read their text as ARM's JSON reader (Newtonsoft) does, not as strict
// JSON: issue 17 item 5 (the quickstart templates' `json('.25')` was reported as an error).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baseContext, run } from './run.js';

test('json(): numbers without a digit before or after the point', () => {
  assert.equal(run("[json('.25')]"), 0.25);
  assert.equal(run("[json('-.5')]"), -0.5);
  assert.equal(run("[json('1.')]"), 1);
  assert.equal(run("[json(' .5e1 ')]"), 5);
  assert.deepEqual(run("[json('[.25, 0.5]')]"), [0.25, 0.5]);
  // A number with a fraction is not an integer: integer functions still refuse it, and say what it is.
  assert.throws(() => run("[mul(json('.25'), 4)]"), /must be an integer, not the number 0.25/);
});

test("json(): Newtonsoft's non-decimal integers, and a sign makes a number decimal", () => {
  assert.equal(run("[json('0x1F')]"), 31);
  assert.equal(run("[json('010')]"), 8);
  assert.equal(run("[json('-010')]"), -10);
  assert.equal(run("[json('0.5')]"), 0.5);
  assert.throws(() => run("[json('09')]"), /json: the argument is not JSON: '09' is not a number at offset 0/);
  assert.throws(() => run("[json('0x')]"), /is not a number/);
});

test('json(): the rest of what the reader accepts, as base64ToJson already did', () => {
  assert.deepEqual(run("[json('{''a'': ''x'', b: [1,], /* c */ }')]"), { a: 'x', b: [1] });
  assert.equal(run("[json('null')]"), null);
  assert.throws(() => run("[json('.')]"), /is not a number/);
  assert.throws(() => run("[json('not json')]"), /json: the argument is not JSON: a value expected at offset 0/);
  assert.throws(() => run("[json('1 2')]"), /more text after the value/);
  assert.throws(() => run("[json('+1')]"), /a value expected/);
});

test('json(): nesting deeper than the template parser allows is an error, not a stack overflow', () => {
  const withText = (text: string) => ({ ...baseContext, parameter: () => text });
  assert.throws(() => run("[json(parameters('p'))]", withText('['.repeat(100_000))), /nest more than 512 levels/);
  assert.equal((run("[json(parameters('p'))]", withText(`${'['.repeat(500)}${']'.repeat(500)}`)) as unknown[]).length, 1);
});
