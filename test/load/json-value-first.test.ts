import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJsonDocument, parseJsonValueFirst } from '../../src/load/json-document.js';
import { InputError } from '../../src/load/diagnostic.js';
import { SourceFile } from '../../src/load/source-file.js';

// Policy files are read value first (JSON.parse, the syntax tree on demand): the value, the tree
// and every error must be what the reader with positions gives.
const outcome = (read: (f: SourceFile) => { value: unknown; root: unknown }, text: string) => {
  try {
    const doc = read(new SourceFile('/p/x.json', 'x.json', text));
    return { value: doc.value, root: doc.root };
  } catch (err) {
    assert.ok(err instanceof InputError, `${(err as Error).message}`);
    return { error: err.diagnostic };
  }
};

test('the value-first reader gives the same value, tree and errors as the reader with positions', () => {
  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
  const texts = [
    '{"a": 1, "b": [true, false, null, -0, 1.5e3], "c": {"d": "\\u00e9\\n"}}',
    // `__proto__` stays an own data key (deepEqual compares prototypes too); the last duplicate wins.
    '{"__proto__": {"polluted": true}, "a": 1, "a": 2}',
    '\ufeff{"a": 1}',
    '{"a": 1, // comment\n "b": 2,}',
    '{"a": "line\nbreak"}',
    '{"a": 1',
    '{"a": 01}',
    deep(512),
    deep(513),
    '[' + '"[[[[",'.repeat(200) + '{}]',
    // Brackets inside strings, escaped quotes and backslashes do not nest (nor un-nest) anything.
    deep(256).replace('[]', '["]]]]", "\\\\", "\\"]]", [' + deep(256) + ']]'),
    deep(300).replace('[]', '["[[[[\\"", [' + deep(300) + ']]'),
  ];
  for (const text of texts) {
    const expected = outcome(parseJsonDocument, text);
    const actual = outcome(parseJsonValueFirst, text);
    assert.deepEqual(actual, expected, JSON.stringify(text.slice(0, 60)));
  }
  // A strict JSON file builds no tree until one is asked for, however many brackets it has.
  const many = JSON.stringify({ a: [1], resources: Array.from({ length: 400 }, (_, i) => ({ name: `r${i}`, tags: [{}] })) });
  for (const text of ['{"a": [1]}', many]) {
    const doc = parseJsonValueFirst(new SourceFile('/p/x.json', 'x.json', text));
    assert.deepEqual(doc.value, JSON.parse(text));
    assert.equal((doc as unknown as { tree?: unknown }).tree, undefined);
    assert.equal(doc.root.type, 'object');
  }
});
