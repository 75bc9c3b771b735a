import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateExpressionText, EvaluationError } from '../../../src/arm/expression/evaluator.js';
import { DEFAULT_DEPLOYMENT, type EvalContext } from '../../../src/arm/expression/context.js';
import { ARM_FUNCTIONS } from '../../../src/arm/functions/index.js';
import { isUnknown, Unknown, type Value } from '../../../src/resources/value.js';

function ctx(params: Record<string, Value> = {}, vars: Record<string, Value> = {}): EvalContext {
  return {
    functions: ARM_FUNCTIONS,
    deployment: { ...DEFAULT_DEPLOYMENT, subscriptionId: 'sub-1', resourceGroup: 'rg-1', location: 'westeurope' },
    parameter: (n) => {
      if (!(n in params)) throw new EvaluationError(`no parameter ${n}`, 0);
      return params[n]!;
    },
    variable: (n) => vars[n]!,
  };
}
const ev = (text: string, c = ctx()) => evaluateExpressionText(text, c);

test('concat joins strings and prints booleans as .NET does', () => {
  assert.equal(ev("[concat('a', 1, true, false)]"), 'a1TrueFalse');
  assert.deepEqual(ev('[concat(createArray(1,2), createArray(3))]'), [1, 2, 3]);
});

test('format: placeholders, escapes, booleans, objects as single-quoted JSON', () => {
  assert.equal(ev("[format('{0}/{1}/{2}/{3}', 1, 2, 3, true)]"), '1/2/3/True');
  assert.equal(ev("[format('{{literal}} {0}', 'x')]"), '{literal} x');
  assert.equal(ev("[format('{0}', createObject('a', 'b'))]"), "{'a':'b'}");
  assert.throws(() => ev("[format('{1}', 'x')]"), /has no argument/);
});

test('parameters and variables go through the host', () => {
  assert.equal(ev("[parameters('name')]", ctx({ name: 'svc' })), 'svc');
  assert.equal(ev("[variables('v')]", ctx({}, { v: 42 })), 42);
});

test('resourceGroup() and resourceId() use the deployment context', () => {
  assert.equal(ev('[resourceGroup().location]'), 'westeurope');
  assert.equal(ev('[resourceGroup().id]'), '/subscriptions/sub-1/resourceGroups/rg-1');
  assert.equal(
    ev("[resourceId('Microsoft.ApiManagement/service/backends', 'svc', 'b1')]"),
    '/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.ApiManagement/service/svc/backends/b1',
  );
  assert.equal(ev("[resourceId('other-rg', 'Microsoft.Web/sites', 'app')]"), '/subscriptions/sub-1/resourceGroups/other-rg/providers/Microsoft.Web/sites/app');
  assert.equal(
    ev("[resourceId('sub-2', 'other-rg', 'Microsoft.Web/sites', 'app')]"),
    '/subscriptions/sub-2/resourceGroups/other-rg/providers/Microsoft.Web/sites/app',
  );
  assert.throws(() => ev("[resourceId('Microsoft.Web/sites/slots', 'app')]"), /needs 2 name segments/);
  // A trailing slash on the type is accepted, as ARM does.
  assert.equal(ev("[resourceId('Microsoft.Web/sites/', 'app')]"), '/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.Web/sites/app');
});

test('uniqueString over a resource group id', () => {
  assert.equal(ev("[uniqueString('asd', 'asdf', 'asdf')]"), 'iizpqit7ih3cc');
  assert.match(String(ev('[uniqueString(resourceGroup().id)]')), /^[a-z2-7]{13}$/);
});

test('toLower, if and equals', () => {
  assert.equal(ev("[toLower('HTTP://X')]"), 'http://x');
  assert.equal(ev("[if(equals(1, 1), 'yes', 'no')]"), 'yes');
  assert.equal(ev("[equals(1, '1')]"), false);
  assert.equal(ev("[equals('abc', 'ABC')]"), false);
  assert.equal(ev("[equals(createObject('A', 1), createObject('a', 1))]"), true);
});

test('if is lazy: the branch not taken is never evaluated', () => {
  assert.equal(ev("[if(true, 'ok', parameters('missing'))]"), 'ok');
});

test('unknown values propagate instead of failing', () => {
  const c = ctx({ secret: new Unknown('no value') });
  assert.ok(isUnknown(ev("[concat('x', parameters('secret'))]", c)));
  assert.ok(isUnknown(ev("[reference('x').properties.y]", c)));
  assert.ok(isUnknown(ev("[if(equals(parameters('secret'), 'a'), 'b', 'c')]", c)));
});

test('if with an unknown condition keeps what both branches agree on, and nothing it cannot know', () => {
  const c = ctx({ flag: new Unknown('no value'), a: 'x', list: [] });
  const when = (then: string, otherwise: string) => ev(`[if(parameters('flag'), ${then}, ${otherwise})]`, c);
  // The compiler's hoisted ternary over a module parameter: the shape is known, the differing value is not.
  const hoisted = when("createObject('value', 'one', 'same', 2)", "createObject('value', 'two', 'same', 2)") as Record<string, Value>;
  assert.deepEqual(Object.keys(hoisted), ['value', 'same']);
  assert.ok(isUnknown(hoisted.value));
  assert.equal(hoisted.same, 2);
  assert.equal(when("'same'", "'same'"), 'same');
  assert.deepEqual(when('createArray(1, 2)', 'createArray(1, 2)'), [1, 2]);
  const items = when('createArray(1, 2)', 'createArray(1, 3)') as Value[];
  assert.equal(items[0], 1);
  assert.ok(isUnknown(items[1]));
  // Different shapes, case-different strings, or a branch that could not run (ARM would not run it): unknown.
  for (const [then, otherwise] of [
    ["createObject('a', 1)", "createObject('b', 1)"],
    ['createArray(1)', 'createArray(1, 2)'],
    ["'A'", "'a'"],
    ["'x'", "parameters('list')[0]"],
    ["'x'", "parameters('missing')"],
  ])
    assert.ok(isUnknown(when(then!, otherwise!)), `${then} / ${otherwise}`);
});

test('property access is case-insensitive, as in ARM', () => {
  assert.equal(ev("[createObject('Name', 'x').name]"), 'x');
  assert.equal(ev("[createObject('Name', 'x')['NAME']]"), 'x');
});

test('unsupported functions are named', () => {
  assert.throws(
    () => ev("[notAFunction('x')]"),
    (err: unknown) => err instanceof EvaluationError && err.code === 'unknown-function' && /notAFunction/.test(err.message) && err.offset === 1,
  );
});

test('argument counts are checked', () => {
  assert.throws(() => ev("[toLower('a', 'b')]"), /takes 1 argument, not 2/);
});

test('__proto__ keys are data, never prototypes', () => {
  const v = ev("[createObject('__proto__', createObject('polluted', true))]") as Record<string, unknown>;
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  assert.deepEqual(Object.keys(v), ['__proto__']);
});
