import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMarkdown } from '../../src/report/markdown.js';
import { assertGolden } from './golden.js';
import { richFixture } from './fixture-extra.js';
import { scanFixture } from './fixture.js';

test('markdown: golden file', () => {
  assertGolden('report.md', formatMarkdown(scanFixture()));
});

test('markdown: table cells stay on one line with pipes escaped; long lists fold; errors first', () => {
  const md = formatMarkdown(richFixture());
  const row = md.split('\n').find((l) => l.includes("Backend 'a\\|b'"))!;
  assert.ok(row.includes('100% = bad, second line'));
  assert.equal(row.split(/(?<!\\)\|/).length, 7);
  const many = richFixture();
  many.findings = Array.from({ length: 25 }, (_, i) => ({ ...many.findings[i % many.findings.length]!, message: `finding ${i}` }));
  const folded = formatMarkdown(many);
  assert.match(folded, /Top 20 of 25 findings/);
  assert.match(folded, /5 more\./);
  assert.match(folded, /<details><summary>All findings<\/summary>/);
  const firstRow = folded.split('\n').find((l) => l.startsWith('| 🔴') || l.startsWith('| 🟠') || l.startsWith('| 🔵'))!;
  assert.ok(firstRow.startsWith('| 🔴'));
});
