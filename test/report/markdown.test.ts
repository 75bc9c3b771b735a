import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMarkdown } from '../../src/report/markdown.js';
import { assertGolden } from './golden.js';
import { richFixture } from './fixture-extra.js';
import { scanFixture } from './fixture.js';

// Golden files: UPDATE_GOLDEN=1 npm test rewrites them (see golden.ts); review the diff.
test('markdown: golden files', () => {
  assertGolden('report.md', formatMarkdown(scanFixture()));
  assertGolden('report.rich.md', formatMarkdown(richFixture()));
});

/** Splits a table row into cells at the pipes GFM splits at (not `\|`). */
const cells = (row: string) =>
  row
    .split(/(?<!\\)\|/)
    .slice(1, -1)
    .map((c) => c.trim());

test('markdown: table cells stay on one line, markdown characters escaped', () => {
  const md = formatMarkdown(richFixture());
  const row = md.split('\n').find((l) => l.includes("Backend 'a\\|b'"))!;
  assert.deepEqual(cells(row), [
    '🟠 medium',
    '`92bb331d-ac71-416a-8c91-02f2cb734ce4`',
    'apim-contoso/payments',
    '[infra/apim.json#L62](infra/apim.json#L62)',
    'Backend \'a\\|b\' sets \\<tls\\> \\& "quotes", 100% = \\`bad\\`, second line',
  ]);
  // Code spans: a pipe escaped for the table, a backtick replaced (it would end the span).
  const odd = formatMarkdown({
    ...richFixture(),
    findings: [{ ...richFixture().findings[0]!, ruleId: 'a|b`c', resource: { type: 'T', name: 'x_y*z', id: 'i' } }],
  });
  const oddRow = odd.split('\n').find((l) => l.includes('a\\|b'))!;
  assert.deepEqual(cells(oddRow).slice(1, 3), ["`a\\|b'c`", 'x\\_y\\*z']);
});

test('markdown: long lists fold; most severe first; links encode spaces and parentheses', () => {
  const many = richFixture();
  many.findings = Array.from({ length: 25 }, (_, i) => ({ ...many.findings[i % many.findings.length]!, message: `finding ${i}` }));
  const folded = formatMarkdown(many);
  assert.match(folded, /Top 20 of 25 findings/);
  assert.match(folded, /^5 more\.$/m);
  assert.match(folded, /<details><summary>All findings<\/summary>/);
  const [top, all] = folded.split('<details>');
  assert.equal(top!.split('\n').filter((l) => /^\| (🔴|🟠|🔵)/.test(l)).length, 20);
  assert.equal(all!.split('\n').filter((l) => /^\| (🔴|🟠|🔵)/.test(l)).length, 25);
  const firstRow = folded.split('\n').find((l) => /^\| (🔴|🟠|🔵)/.test(l))!;
  assert.ok(firstRow.startsWith('| 🔴'));
  assert.match(formatMarkdown(scanFixture()), /\[exports\/prod apim\.json#L14\]\(exports\/prod%20apim\.json#L14\)/);
  const f = scanFixture().findings[0]!;
  const paren = formatMarkdown({ ...scanFixture(), findings: [{ ...f, location: { ...f.location!, file: 'a (old)/t.json' } }] });
  assert.match(paren, /\(a%20%28old%29\/t\.json#L14\)/);
});

test('markdown: the verdict, input errors, the baseline', () => {
  const md = formatMarkdown(scanFixture());
  assert.match(md, /^### Tollgate: ❌ fails\n/);
  assert.match(md, /^- `infra\/apim\.json:88:22` unsupported template function 'listSecrets' \(`unknown-function`\)$/m);
  const clean = formatMarkdown({ ...scanFixture(), findings: [], diagnostics: [], baseline: { file: 'b.json', known: 3, fixed: 1 } });
  assert.match(clean, /^### Tollgate: ✅ passes\n/);
  assert.match(clean, /3 in the baseline, 1 fixed since\./);
  assert.doesNotMatch(clean, /#### (Findings|Input errors)/);
});
