import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonSyntaxError, parseJson } from '../../src/load/json-parser.js';
import { nodeValue } from '../../src/load/json-document.js';

const value = (text: string) => nodeValue(parseJson(text));

test('strict JSON parses to the same value as JSON.parse', () => {
  const text = JSON.stringify({ a: [1, -2.5, 3e2, true, false, null], s: 'x\\"y\n\u00e9\ud83d\ude00', nested: { deep: [{}, []] } });
  assert.deepEqual(value(text), JSON.parse(text));
});

test('what Azure accepts beyond JSON: comments, trailing commas, raw line breaks and tabs in strings, a BOM', () => {
  const text = '\ufeff{\n  // a comment\n  "a": [1, 2,], /* another */\n  "b": "line one\nline\ttwo",\n}';
  assert.deepEqual(value(text), { a: [1, 2], b: 'line one\nline\ttwo' });
});

test('positions: offsets and lengths of values, properties and keys', () => {
  const text = '{ "key": "value", "n": 42 }';
  const root = parseJson(text);
  const [prop] = root.children!;
  assert.equal(prop!.type, 'property');
  assert.equal(text.slice(prop!.children![0]!.offset, prop!.children![0]!.offset + prop!.children![0]!.length), '"key"');
  const v = prop!.children![1]!;
  assert.equal(text.slice(v.offset, v.offset + v.length), '"value"');
  assert.equal(v.parent, prop);
  assert.equal(prop!.parent, root);
  assert.equal(root.length, text.length);
});

test('errors name what was expected, at the offset of the problem', () => {
  const cases: [string, RegExp, number][] = [
    ['{"a": 1 "b": 2}', /expected ',' or '}'/, 8],
    ['{"a": }', /expected a value/, 6],
    ['[1, 2', /expected ',' or ']'/, 5],
    ['{"a": "unterminated}', /unterminated string/, 6],
    ['{"a": 01}', /invalid number '01'/, 6],
    ['{"a": tru}', /expected a value/, 6],
    ['{a: 1}', /property name in double quotes/, 1],
    ['{} extra', /after the end of the JSON value/, 3],
    ['/* open', /unterminated comment/, 0],
    ['"bad \\x escape"', /invalid escape/, 5],
    ['', /empty/, 0],
  ];
  for (const [text, message, offset] of cases) {
    assert.throws(
      () => parseJson(text),
      (err: unknown) => err instanceof JsonSyntaxError && message.test(err.message) && err.offset === offset,
      `${JSON.stringify(text)} should fail with ${message} at ${offset}`,
    );
  }
});

test('absurd nesting is an error, not a stack overflow', () => {
  assert.throws(() => parseJson('['.repeat(100_000)), /nests more than 512 levels/);
});

test('__proto__ keys stay plain data', () => {
  const v = value('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
  assert.deepEqual(Object.keys(v), ['__proto__']);
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  assert.equal(Object.getPrototypeOf(v), Object.prototype);
});

test('strings with and without escapes in any order parse alike (the escape-free fast path)', () => {
  const cases = [
    '{"a":"x","b":"y\\"z","c":"w","d":"\\\\","e":"","f":"\\u00e9t\\u00e9","g":"plain"}',
    '["\\n", "a", "b\\\\c", "d"]',
    '{"k\\"ey":"v","k2":"v2"}',
  ];
  for (const text of cases) assert.deepEqual(nodeValue(parseJson(text)), JSON.parse(text), text);
  assert.throws(
    () => parseJson('{"a":"never closed'),
    (e: unknown) => e instanceof JsonSyntaxError && /unterminated string/.test(e.message),
  );
  assert.throws(
    () => parseJson('{"a":"bad \\q escape"}'),
    (e: unknown) => e instanceof JsonSyntaxError && /invalid escape/.test(e.message),
  );
});

test('line and column positions with LF, CRLF and lone CR line ends', async () => {
  const { SourceFile } = await import('../../src/load/source-file.js');
  for (const eol of ['\n', '\r\n', '\r']) {
    const text = ['{', '  "a": 1,', '  "b": 2', '}'].join(eol);
    const file = new SourceFile('/x.json', 'x.json', text);
    assert.deepEqual(file.positionAt(text.indexOf('"b"')), { line: 3, column: 3 }, JSON.stringify(eol));
    assert.equal(file.lineCount(), 4);
    assert.equal(file.lineText(2), '  "a": 1,');
  }
  // Mixed: Windows line ends, then a lone carriage return, a '\n', a carriage return at the end.
  const mixed = new SourceFile('/m.json', 'm.json', 'a\r\nb\rc\nd\r');
  assert.equal(mixed.lineCount(), 5);
  assert.deepEqual(
    [1, 2, 3, 4, 5].map((l) => mixed.lineText(l)),
    ['a', 'b', 'c', 'd', ''],
  );
  assert.deepEqual(mixed.positionAt(5), { line: 3, column: 1 });
});

test('line tables of files of many lines, one after another (the table is gathered in a shared scratch array)', async () => {
  const { SourceFile } = await import('../../src/load/source-file.js');
  // Over the scratch array's first size (4,096 lines) and over what it keeps (65,536), then small
  // files again: each table is its own file's, whatever came before.
  for (const lines of [10, 5_000, 70_000, 3, 9_000, 1]) {
    for (const eol of ['\n', '\r\n']) {
      const text = Array.from({ length: lines }, (_, i) => `line ${i + 1}`).join(eol);
      const file = new SourceFile('/x.json', 'x.json', text);
      assert.equal(file.lineCount(), lines, `${lines} lines, ${JSON.stringify(eol)}`);
      for (const line of [1, Math.ceil(lines / 2), lines]) {
        assert.equal(file.lineText(line), `line ${line}`);
        assert.deepEqual(file.positionAt(text.indexOf(`line ${line}${line === lines ? '' : eol}`)), { line, column: 1 });
      }
    }
  }
});

test('property lookup: exact case first, then ignoring case, missing keys undefined', async () => {
  const { childNode } = await import('../../src/load/json-document.js');
  const small = parseJson('{"Name":1,"name":2,"TYPE":3}');
  assert.equal(childNode(small, 'name')?.value, 2);
  assert.equal(childNode(small, 'NAME')?.value, 1);
  assert.equal(childNode(small, 'type')?.value, 3);
  assert.equal(childNode(small, 'typ'), undefined);
  // Lower-casing U+0130 changes the length: still found ignoring case.
  assert.equal(childNode(parseJson('{"\u0130d":4}'), 'i\u0307d')?.value, 4);
});
