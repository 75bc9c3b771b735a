import { test } from 'node:test';
import assert from 'node:assert/strict';
import { armGuid, uniqueString } from '../../../src/arm/functions/hash.js';

// Vectors computed by Azure Resource Manager (see the foundation and expansion issues).
const UNIQUE_STRING_VECTORS: [string[], string][] = [
  [['asd', 'asdf', 'asdf'], 'iizpqit7ih3cc'],
  [['snap', 'crackle', 'pop'], 'byghxckddilkc'],
  [['test'], 'rbgf3xv4ufgzg'],
  [['hello', 'world'], 'a7wkljktk6wne'],
  [['foo', 'bar', 'baz'], 'xzi4ioaxtmth4'],
];

for (const [args, expected] of UNIQUE_STRING_VECTORS) {
  test(`uniqueString(${args.map((a) => `'${a}'`).join(', ')}) = ${expected}`, () => {
    assert.equal(uniqueString(args), expected);
  });
}

test('guid matches Azure', () => {
  assert.equal(armGuid(['asdf']), '228d27cc-6fdb-5934-b7ac-1efccebade04');
  assert.equal(armGuid(['foo', 'bar', 'baz']), '2ed86837-7c7c-5eaa-9864-dd077fd19b0d');
});
