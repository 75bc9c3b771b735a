import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCsv } from '../../src/report/csv.js';
import { assertGolden } from './golden.js';
import { richFixture } from './fixture-extra.js';
import { scanFixture } from './fixture.js';

test('csv: golden file', () => {
  assertGolden('report.csv', formatCsv(scanFixture()));
});

/** RFC 4180 reader, to check the writer round-trips. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\r' && text[i + 1] === '\n') row.push(cell), rows.push(row), (row = []), (cell = ''), i++;
    else cell += c;
  }
  return rows;
}

test('csv: round-trips quotes, commas and newlines; neutralises formulas', () => {
  const result = richFixture();
  const rows = parseCsv(formatCsv(result));
  assert.equal(rows.length, result.findings.length + 1);
  assert.ok(rows.every((r) => r.length === rows[0]!.length));
  const nasty = rows.find((r) => r[10]!.startsWith("Backend 'a|b'"))!;
  assert.equal(nasty[10], `Backend 'a|b' sets <tls> & "quotes", 100% = bad,\nsecond line`);
  const formula = formatCsv({ ...result, findings: [{ ...result.findings[0]!, message: '=HYPERLINK("http://evil")' }] });
  assert.equal(parseCsv(formula)[1]![10], `'=HYPERLINK("http://evil")`);
});
