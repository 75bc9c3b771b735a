import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateExpressionText } from '../../../src/arm/expression/evaluator.js';
import { DEFAULT_DEPLOYMENT, type EvalContext } from '../../../src/arm/expression/context.js';
import { ARM_FUNCTIONS } from '../../../src/arm/functions/index.js';
import { isUnknown, Unknown, type Value } from '../../../src/resources/value.js';

const ctx: EvalContext = {
  functions: ARM_FUNCTIONS,
  deployment: DEFAULT_DEPLOYMENT,
  parameter: (name) => (name === 'secret' ? new Unknown('no value') : name === 'items' ? ['b', 'a', 'c'] : null),
};
const run = (text: string): Value => evaluateExpressionText(text, ctx);

// Values from Azure's engine (Bicep's bicepparam Expressions baseline), written as ARM expressions.
test('conformance: filter, map, reduce, sort, toObject as Azure evaluates them', () => {
  assert.deepEqual(run("[filter(createArray(1, 2), lambda('i', less(lambdaVariables('i'), 2)))]"), [1]);
  assert.deepEqual(run("[map(createArray(0, 1, 2), lambda('i', format('Hi {0}!', lambdaVariables('i'))))]"), ['Hi 0!', 'Hi 1!', 'Hi 2!']);
  assert.equal(run("[reduce(createArray('a', 'b', 'c'), '', lambda('a', 'b', format('{0}-{1}', lambdaVariables('a'), lambdaVariables('b'))))]"), '-a-b-c');
  assert.deepEqual(run("[sort(createArray('c', 'd', 'a'), lambda('a', 'b', less(lambdaVariables('a'), lambdaVariables('b'))))]"), ['a', 'c', 'd']);
  assert.deepEqual(run("[toObject(createArray('a', 'b', 'c'), lambda('x', lambdaVariables('x')), lambda('x', format('Hi {0}!', lambdaVariables('x'))))]"), {
    a: 'Hi a!',
    b: 'Hi b!',
    c: 'Hi c!',
  });
});

test('map and filter pass the index when the lambda names a second variable', () => {
  assert.deepEqual(run("[map(createArray('x', 'y'), lambda('v', 'i', concat(lambdaVariables('v'), string(lambdaVariables('i')))))]"), ['x0', 'y1']);
  assert.deepEqual(run("[filter(createArray('x', 'y', 'z'), lambda('v', 'i', not(equals(lambdaVariables('i'), 1))))]"), ['x', 'z']);
});

test('nested lambdas see the outer variables', () => {
  assert.deepEqual(
    run("[map(createArray(1, 2), lambda('a', map(createArray(10, 20), lambda('b', createArray(lambdaVariables('a'), lambdaVariables('b'))))))]"),
    [
      [
        [1, 10],
        [1, 20],
      ],
      [
        [2, 10],
        [2, 20],
      ],
    ],
  );
});

test('toObject without a value lambda keeps the item; later keys win ignoring case', () => {
  assert.deepEqual(run("[toObject(createArray(createObject('n', 'A', 'v', 1), createObject('n', 'a', 'v', 2)), lambda('x', lambdaVariables('x').n))]"), {
    a: { n: 'a', v: 2 },
  });
});

test('groupBy and mapValues', () => {
  assert.deepEqual(run("[groupBy(createArray('apple', 'avocado', 'banana'), lambda('x', substring(lambdaVariables('x'), 0, 1)))]"), {
    a: ['apple', 'avocado'],
    b: ['banana'],
  });
  assert.deepEqual(run("[mapValues(createObject('a', 1, 'b', 2), lambda('v', mul(lambdaVariables('v'), 10)))]"), { a: 10, b: 20 });
});

test('sort is stable and needs a boolean', () => {
  assert.deepEqual(
    run(
      "[sort(createArray(createObject('k', 1, 'n', 'x'), createObject('k', 0, 'n', 'y'), createObject('k', 1, 'n', 'z')), lambda('a', 'b', less(lambdaVariables('a').k, lambdaVariables('b').k)))]",
    ),
    [
      { k: 0, n: 'y' },
      { k: 1, n: 'x' },
      { k: 1, n: 'z' },
    ],
  );
  assert.throws(() => run("[sort(createArray(2, 1), lambda('a', 'b', 'yes'))]"), /sort lambda must return a boolean/);
});

test('unknowns: an unknown input or an unknown lambda result makes the result unknown', () => {
  assert.ok(isUnknown(run("[map(parameters('secret'), lambda('x', lambdaVariables('x')))]")));
  assert.ok(isUnknown(run("[filter(createArray(1, 2), lambda('x', equals(parameters('secret'), lambdaVariables('x'))))]")));
  // map keeps per-item unknowns: the other items are still known.
  const mapped = run("[map(createArray(1, 2), lambda('x', if(equals(lambdaVariables('x'), 1), parameters('secret'), 'two')))]") as Value[];
  assert.ok(isUnknown(mapped[0]));
  assert.equal(mapped[1], 'two');
});

test('lambda misuse is an error, not a crash', () => {
  assert.throws(() => run("[lambda('x', 1)]"), /can only be used as an argument/);
  assert.throws(() => run("[map(createArray(1), 'notalambda')]"), /must be a lambda expression/);
  assert.throws(() => run("[map(createArray(1), lambda('x', lambdaVariables('y')))]"), /no lambda variable 'y'/);
  assert.throws(() => run("[lambdaVariables('x')]"), /only be used inside a lambda/);
  assert.throws(() => run("[filter(createArray(1), lambda('x', 1))]"), /filter lambda must return a boolean/);
});
