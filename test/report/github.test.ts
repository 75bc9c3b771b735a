import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeData, escapeProperty, formatGithub } from '../../src/report/github.js';
import { assertGolden } from './golden.js';
import { richFixture } from './fixture-extra.js';
import { scanFixture } from './fixture.js';

test('github: golden file', () => {
  assertGolden('report.github.txt', formatGithub(scanFixture()));
});

const unescape = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');

test('github: one workflow command per finding and input problem, escaping that round-trips', () => {
  const result = richFixture();
  const lines = formatGithub(result).trimEnd().split('\n');
  assert.equal(lines.length, result.findings.length + result.diagnostics.filter((d) => d.severity !== 'info').length);
  for (const line of lines) assert.match(line, /^::(error|warning|notice) [^:]*::/);
  const text = `a:b,c%d\r\ne`;
  assert.equal(unescape(escapeProperty(text)), text);
  assert.equal(unescape(escapeData(text)), text);
  assert.doesNotMatch(escapeData(text), /[\r\n]/);
  const nasty = lines.find((l) => l.includes("Backend 'a|b'"))!;
  assert.ok(nasty.endsWith('100%25 = bad,%0Asecond line'));
});
