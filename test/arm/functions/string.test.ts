import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUnknown } from '../../../src/resources/value.js';
import { run } from './run.js';

// Values Azure's engine produced for Bicep's baselines-bicepparam/Expressions (parameters.json),
// written as the equivalent ARM expressions.
test('conformance: string functions as Azure evaluates them', () => {
  assert.equal(run("[format('->{0}<-', 123)]"), '->123<-');
  assert.equal(run("[join(createArray('abc', 'def', 'ghi'), '/')]"), 'abc/def/ghi');
  assert.equal(run('[padLeft(13, 5)]'), '   13');
  assert.equal(run("[replace('abc', 'b', '/')]"), 'a/c');
  assert.deepEqual(run("[split('a/b/c', '/')]"), ['a', 'b', 'c']);
  assert.equal(run("[startsWith('abc', 'a')]"), true);
  assert.equal(run("[endsWith('foo', 'o')]"), true);
  assert.equal(run("[string('asdf')]"), 'asdf');
  assert.equal(run("[substring('asdfasf', 3)]"), 'fasf');
  assert.equal(run("[toLower('AiKInIniIN')]"), 'aikininiin');
  assert.equal(run("[toUpper('AiKInIniIN')]"), 'AIKININIIN');
  assert.equal(run("[trim('  adf asdf  ')]"), 'adf asdf');
  assert.deepEqual(run("[concat(createArray('abc'), createArray('def'))]"), ['abc', 'def']);
  assert.equal(run("[uniqueString('asd', 'asdf', 'asdf')]"), 'iizpqit7ih3cc');
  assert.equal(run("[guid('asdf')]"), '228d27cc-6fdb-5934-b7ac-1efccebade04');
  // Also checked against Azure (see ../shared/upstream/SOURCES.md).
  assert.equal(run("[format('{0}/{1}/{2}/{3}', 1, 2, 3, true)]"), '1/2/3/True');
  assert.equal(run("[join(createArray('abc', 123, true), '/')]"), 'abc/123/True');
});

test('conformance: format with an index beyond its arguments fails, as in Azure', () => {
  // Bicep's Invalid_Expressions baseline: Azure reports "Index (zero based) must be greater than ...".
  assert.throws(() => run("[format('->{123}<-', 123)]"), /placeholder \{123\} has no argument \(1 given\)/);
});

// The examples of Microsoft's string function reference (template-functions-string).
test('documented examples', () => {
  assert.equal(run("[format('{0}, {1}. Formatted number: {2:N0}', 'Hello', 'User', 8175133)]"), 'Hello, User. Formatted number: 8,175,133');
  assert.equal(run("[padLeft('123', 10, '0')]"), '0000000123');
  assert.equal(run("[replace('123-123-1234', '-', '')]"), '1231231234');
  assert.equal(run("[replace('123-123-1234', '1234', 'xxxx')]"), '123-123-xxxx');
  assert.deepEqual(run("[split('one,two,three', ',')]"), ['one', 'two', 'three']);
  assert.deepEqual(run("[split('one;two,three', createArray(',', ';'))]"), ['one', 'two', 'three']);
  assert.equal(run("[join(createArray('one', 'two', 'three'), ',')]"), 'one,two,three');
  assert.equal(run("[join(createArray('one', 'two', 'three'), ';')]"), 'one;two;three');
  assert.equal(run("[startsWith('abcdef', 'ab')]"), true);
  assert.equal(run("[startsWith('abcdef', 'A')]"), true);
  assert.equal(run("[startsWith('abcdef', 'e')]"), false);
  assert.equal(run("[endsWith('abcdef', 'ef')]"), true);
  assert.equal(run("[endsWith('abcdef', 'F')]"), true);
  assert.equal(run("[endsWith('abcdef', 'e')]"), false);
  assert.equal(run("[string(createObject('valueA', 10, 'valueB', 'Example Text'))]"), '{"valueA":10,"valueB":"Example Text"}');
  assert.equal(run("[string(createArray('a', 'b', 'c'))]"), '["a","b","c"]');
  assert.equal(run('[string(5)]'), '5');
  assert.equal(run("[substring('one two three', 4, 3)]"), 'two');
  assert.equal(run("[toLower('One Two Three')]"), 'one two three');
  assert.equal(run("[toUpper('One Two Three')]"), 'ONE TWO THREE');
  assert.equal(run("[trim('    one two three   ')]"), 'one two three');
  // "The index and length parameters must refer to a location within the string. The index
  // parameter: '0', the length parameter: '11', the length of the string parameter: '10'."
  assert.throws(() => run("[substring('1234567890', 0, 11)]"), /within the string: index 0, length 11, string length 10/);
});

test('format: standard numeric formats, invariant culture', () => {
  assert.equal(run("[format('{0:N0}', 1234567)]"), '1,234,567');
  assert.equal(run("[format('{0:N2}', 1234)]"), '1,234.00');
  assert.equal(run("[format('{0:N}', -1234)]"), '-1,234.00');
  assert.equal(run("[format('{0:D5}', 42)]"), '00042');
  assert.equal(run("[format('{0:D3}', -7)]"), '-007');
  assert.equal(run("[format('{0:d}', 42)]"), '42');
  assert.equal(run("[format('{0:X}', 255)]"), 'FF');
  assert.equal(run("[format('{0:x4}', 255)]"), '00ff');
  assert.equal(run("[format('{0:X}', -1)]"), 'FFFFFFFFFFFFFFFF'); // Int64 two's complement
  assert.equal(run("[format('{0:F1}', 3)]"), '3.0');
  assert.equal(run("[format('{0:F}', 3)]"), '3.00');
  assert.equal(run("[format('{0:P0}', 1)]"), '100 %');
  assert.equal(run("[format('{0:P1}', json('0.1234'))]"), '12.3 %');
  assert.equal(run("[format('{0:C}', json('-1234.5'))]"), '(¤1,234.50)');
  assert.equal(run("[format('{0:E}', json('1234.5678'))]"), '1.234568E+003');
  assert.equal(run("[format('{0:e2}', json('-0.000123'))]"), '-1.23e-004');
  assert.equal(run("[format('{0:G3}', 12345)]"), '1.23E+04');
  assert.equal(run("[format('{0:G}', json('0.00001'))]"), '1E-05');
  assert.equal(run("[format('{0:G}', json('0.0001'))]"), '0.0001');
  assert.equal(run("[format('{0:R}', 12)]"), '12');
  // Rounding is half away from zero, as .NET does.
  assert.equal(run("[format('{0:N0}', json('2.5'))]"), '3');
  assert.equal(run("[format('{0:F0}', json('-2.5'))]"), '-3');
});

test('format: custom numeric formats', () => {
  assert.equal(run("[format('vm{0:000}', 7)]"), 'vm007');
  assert.equal(run("[format('{0:000}', 1234)]"), '1234');
  assert.equal(run("[format('{0:#,##0.00}', json('1234567.891'))]"), '1,234,567.89');
  assert.equal(run("[format('{0:#,#}', 1234567)]"), '1,234,567');
  assert.equal(run("[format('{0:0.##}', json('1.5'))]"), '1.5');
  assert.equal(run("[format('{0:0.##}', 2)]"), '2');
  assert.equal(run("[format('{0:.00}', json('1.5'))]"), '1.50');
  assert.equal(run("[format('{0:#}', 0)]"), '');
  assert.equal(run("[format('{0:0,,}', 1234567890)]"), '1235'); // each comma before the point divides by 1000
  assert.equal(run("[format('{0:0%}', json('0.5'))]"), '50%');
  assert.equal(run("[format('{0:00;(00);zero}', -5)]"), '(05)');
  assert.equal(run("[format('{0:00;(00);zero}', 0)]"), 'zero');
  assert.equal(run("[format('{0:''#''0}', 5)]"), '#5');
  assert.equal(run("[format('{0:-0}', -5)]"), '--5');
  assert.throws(() => run("[format('{0:0.0E+0}', 5)]"), /scientific notation .* not supported/);
});

test('format: alignment, escapes, other argument types', () => {
  assert.equal(run("[format('[{0,5}]', 'ab')]"), '[   ab]');
  assert.equal(run("[format('[{0,-5}]', 'ab')]"), '[ab   ]');
  assert.equal(run("[format('{0,8:N1}|', 1234)]"), ' 1,234.0|');
  assert.equal(run("[format('{{{0}}}', 'x')]"), '{x}');
  // .NET ignores a format string on values that are not numbers.
  assert.equal(run("[format('{0:N2}', 'text')]"), 'text');
  assert.equal(run("[format('{0:D3}', true)]"), 'True');
  assert.equal(run("[format('{0}|{1}', null(), false)]"), '|False');
  // Objects and arrays print as compact JSON with single quotes.
  assert.equal(run("[format('{0}', createObject('a', 'b'))]"), "{'a':'b'}");
  assert.equal(run("[format('{0}', createArray(1, 'x'))]"), "[1,'x']");
  assert.equal(run("[format('{1}{0}', 'a', 'b')]"), 'ba');
  assert.equal(run("[format('{0:}|{0 , 3}', 5)]"), '5|  5');
});

test('format: errors Azure would also raise', () => {
  assert.throws(() => run("[format('{0:Q}', 1)]"), /':Q' is not a valid .NET numeric format/);
  assert.throws(() => run("[format('{0:D}', json('2.5'))]"), /needs an integer/);
  assert.throws(() => run("[format('{0:X}', json('2.5'))]"), /needs an integer/);
  assert.throws(() => run("[format('{0', 1)]"), /unclosed '\{'/);
  assert.throws(() => run("[format('a}b', 1)]"), /unmatched '\}'/);
  assert.throws(() => run("[format('{x}', 1)]"), /bad placeholder '\{x\}'/);
  assert.throws(() => run('[format(1)]'), /the format string must be a string/);
});

test('join: items print as in concat; the input must be an array', () => {
  assert.equal(run("[join(createArray(true, 1, 'x'), '-')]"), 'True-1-x');
  assert.equal(run("[join(createArray(), ',')]"), '');
  assert.equal(run("[join(createArray('a'), '')]"), 'a');
  assert.throws(() => run("[join('abc', ',')]"), /must be an array, not the string 'abc'/);
  assert.throws(() => run("[join(createArray('a'), 1)]"), /delimiter must be a string/);
});

test('padLeft: padding character, integers, limits', () => {
  assert.equal(run("[padLeft('7', 3, '0')]"), '007');
  assert.equal(run("[padLeft(7, 3, '0')]"), '007');
  assert.equal(run("[padLeft(-5, 4, '0')]"), '00-5'); // .NET pads the text, sign included
  assert.equal(run("[padLeft('longer', 2)]"), 'longer');
  assert.equal(run("[padLeft('', 2, 'x')]"), 'xx');
  assert.throws(() => run("[padLeft('7', 3, '00')]"), /exactly one character, not '00'/);
  assert.throws(() => run("[padLeft('7', 3, '')]"), /exactly one character/);
  assert.throws(() => run("[padLeft('7', 20000)]"), /16384/);
  assert.throws(() => run("[padLeft('7', -1)]"), /cannot be negative/);
  assert.throws(() => run('[padLeft(true, 3)]'), /a string or an integer/);
  // Bicep's Invalid_Expressions: padLeft(13, 'foo') is rejected (the length must be an integer).
  assert.throws(() => run("[padLeft(13, 'foo')]"), /total length must be an integer/);
});

test('substring: defaults and range errors', () => {
  assert.equal(run("[substring('hello', 1, 3)]"), 'ell');
  assert.equal(run("[substring('hello')]"), 'hello');
  assert.equal(run("[substring('hello', 5)]"), '');
  assert.equal(run("[substring('hello', 2, 0)]"), '');
  assert.throws(() => run("[substring('hello', 3, 5)]"), /index 3, length 5, string length 5/);
  assert.throws(() => run("[substring('hello', 6)]"), /index 6, length -1, string length 5/);
  assert.throws(() => run("[substring('hello', -1, 2)]"), /index -1/);
  assert.throws(() => run("[substring('hello', 1, -1)]"), /length -1/);
  assert.throws(() => run("[substring('asdfasf', '3')]"), /startIndex must be an integer/);
});

test('split: .NET String.Split semantics', () => {
  assert.deepEqual(run("[split('a,,b,', ',')]"), ['a', '', 'b', '']);
  assert.deepEqual(run("[split('abc', ',')]"), ['abc']);
  assert.deepEqual(run("[split('', ',')]"), ['']);
  assert.deepEqual(run("[split('a--b-c', '--')]"), ['a', 'b-c']);
  // Scanning left to right, the first separator (in array order) matching at a position wins.
  assert.deepEqual(run("[split('ab', createArray('b', 'ab'))]"), ['', '']);
  assert.deepEqual(run("[split('a-b--c', createArray('--', '-'))]"), ['a', 'b', 'c']);
  // No non-empty separator: white space separates.
  assert.deepEqual(run("[split('a b\tc', '')]"), ['a', 'b', 'c']);
  assert.deepEqual(run("[split('a,b', createArray('', ','))]"), ['a', 'b']);
  assert.throws(() => run("[split('a/b/c', 3)]"), /delimiter must be a string/);
  assert.throws(() => run("[split('a/b/c', createArray('/', 1))]"), /every delimiter must be a string/);
});

test('replace, trim, toLower, toUpper', () => {
  assert.equal(run("[replace('aaa', 'a', 'bb')]"), 'bbbbbb');
  assert.equal(run("[replace('Abc', 'a', 'x')]"), 'Abc'); // case-sensitive
  assert.equal(run("[replace('abc', 'x', 'y')]"), 'abc');
  assert.throws(() => run("[replace('abc', '', 'y')]"), /cannot be empty/);
  assert.throws(() => run("[replace('abc', 'b', createObject())]"), /new string must be a string/);
  // .NET white space: tabs, new lines, no-break spaces, U+0085; the BOM is not white space.
  assert.equal(run("[trim('\t\n x y \u00a0\u0085')]"), 'x y');
  assert.equal(run("[trim('\ufeffx')]"), '\ufeffx');
  assert.equal(run("[trim('   ')]"), '');
  // Invariant one-to-one case mappings, as .NET's ToUpperInvariant/ToLowerInvariant.
  assert.equal(run("[toUpper('straße')]"), 'STRAßE');
  assert.equal(run("[toLower('İSTANBUL')]"), 'istanbul');
  assert.equal(run("[toLower('ΟΔΟΣ')]"), 'οδοσ');
  assert.equal(run("[toUpper('éàü')]"), 'ÉÀÜ');
  assert.throws(() => run('[toLower(123)]'), /must be a string, not the integer 123/);
  assert.throws(() => run('[trim(123)]'), /must be a string/);
});

test('string: every type', () => {
  assert.equal(run('[string(true)]'), 'True');
  assert.equal(run('[string(false)]'), 'False');
  assert.equal(run('[string(null())]'), '');
  assert.equal(run("[string(createObject('a', createArray(1, true, null())))]"), '{"a":[1,true,null]}');
  assert.equal(run("[string(createObject('q', 'say \"hi\"'))]"), '{"q":"say \\"hi\\""}');
});

test('unknown values make the result unknown, also inside arrays and objects', () => {
  assert.ok(isUnknown(run("[format('{0}-x', parameters('unknown'))]")));
  assert.ok(isUnknown(run("[format('{0}', createArray(parameters('unknown')))]")));
  assert.ok(isUnknown(run("[join(createArray('a', parameters('unknown')), ',')]")));
  assert.ok(isUnknown(run("[string(createObject('a', parameters('unknown')))]")));
  assert.ok(isUnknown(run("[concat('a', string(parameters('unknown')))]")));
  assert.ok(isUnknown(run("[split('a,b', createArray(parameters('unknown')))]")));
  assert.ok(isUnknown(run("[padLeft(parameters('unknown'), 3, '0')]")));
  assert.ok(isUnknown(run("[substring('abc', parameters('unknown'))]")));
  assert.ok(isUnknown(run("[toLower(parameters('unknown'))]")));
  assert.ok(isUnknown(run("[replace('abc', parameters('unknown'), 'x')]")));
});
