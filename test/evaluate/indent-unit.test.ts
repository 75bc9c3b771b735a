// The indentation unit a fix writes with (src/evaluate/fix-render.ts): read character by character,
// it must say what the multi-line regular expression it replaced said, on any text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { indentUnit } from '../../src/evaluate/fix-render.js';

// The rule as a regular expression: the smallest run of spaces and tabs that starts a line and is
// followed by a character that is not white space, over the first 500 such lines; a tab first wins.
function byRegExp(text: string): string {
  let best = 0;
  const lines = /^([ \t]+)\S/gm;
  for (let m = lines.exec(text), n = 0; m && n < 500; m = lines.exec(text), n++) {
    if (m[1]!.startsWith('\t')) return '\t';
    if (best === 0 || m[1]!.length < best) best = m[1]!.length;
  }
  return best > 0 && best <= 8 ? ' '.repeat(best) : '  ';
}

test('indent unit: templates as they are written', () => {
  assert.equal(indentUnit('{\n  "a": {\n    "b": 1\n  }\n}\n'), '  ');
  assert.equal(indentUnit('{\r\n    "a": 1\r\n}'), '    ');
  assert.equal(indentUnit('{\n\t"a": {\n\t\t"b": 1\n\t}\n}'), '\t');
  assert.equal(indentUnit('{"a": 1}'), '  ', 'no indented line: two spaces');
  assert.equal(indentUnit('{\n          "a": 1\n}'), '  ', 'wider than 8: two spaces');
  assert.equal(indentUnit('x\n   \n y'), ' ', 'a line of white space only does not count');
});

test('indent unit: the same answer as the regular expression on 20,000 random texts', () => {
  // Line terminators of every kind, white space that is not a space or tab, a lone surrogate.
  const alphabet = [' ', ' ', ' ', '\t', '\n', '\n', '\r', '\r\n', '\u2028', '\u2029', '\u00a0', '\v', '\ufeff', 'a', '"', '{', '\ud800'];
  let seed = 42;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let i = 0; i < 20_000; i++) {
    let text = '';
    const length = random(60);
    for (let j = 0; j < length; j++) text += alphabet[random(alphabet.length)];
    assert.equal(indentUnit(text), byRegExp(text), JSON.stringify(text));
  }
  // Past 500 counted lines, later lines are not read.
  const long = '  x\n'.repeat(500) + ' y\n';
  assert.equal(indentUnit(long), byRegExp(long));
  assert.equal(indentUnit(long), '  ');
});
