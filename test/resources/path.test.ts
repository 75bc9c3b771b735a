import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getPath, parsePath } from '../../src/resources/value.js';

test('parsePath: a quoted segment may hold dots and line breaks (a JSON key can be any string)', () => {
  assert.deepEqual(parsePath("properties.customProperties['a.b\nc\r.d'].x[0]"), ['properties', 'customProperties', 'a.b\nc\r.d', 'x', 0]);
  assert.equal(getPath({ p: { 'k.\n': 1 } }, 'p["k.\n"]'), 1);
});
