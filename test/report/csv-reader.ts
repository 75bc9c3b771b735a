import assert from 'node:assert/strict';

/** RFC 4180 reader, to check the writer round-trips: CRLF records, quoted fields with "" for a quote. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') {
      assert.equal(cell, '', 'a quote inside an unquoted field');
      quoted = true;
    } else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else {
      assert.ok(c !== '\r' && c !== '\n', 'a line break outside quotes');
      cell += c;
    }
  }
  assert.equal(quoted, false, 'unterminated quoted field');
  assert.deepEqual(row, [], 'the last record ends with CRLF');
  assert.equal(cell, '');
  return rows;
}
