import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scan } from '../../src/scan.js';
import { formatPrComment } from '../../src/report/pr-comment.js';
import { formatMarkdown, findingRow, bySeriousness } from '../../src/report/markdown.js';
import { PR_COMMENT_MAX_CHARS } from '../../src/report/formats.js';
import type { ScanResult } from '../../src/evaluate/scan-result.js';
import { repoRoot } from '../helpers.js';
import { scanFixture } from './fixture.js';

// The bundled corpora: the real quick-start and Verified Module deployments and PSRule's
// expansion fixtures, several hundred files with hundreds of findings (its full Markdown
// report is several times what a pull-request comment holds).
let large: ScanResult | undefined;
const largeScan = () => (large ??= scan({ paths: ['test/fixtures/upstream/corpora', 'test/fixtures/upstream/psrule'], cwd: repoRoot() }));

const ROW = /^\| (🔴|🟠|🔵) /;

/** Reads the last line back: the counts it gives, by level and by rule. */
function leftOut(text: string) {
  const last = text.trimEnd().split('\n').at(-1)!;
  const m = /^\*\*Left out\*\* to stay under ([\d,]+) characters: (\d+) findings \((\d+) errors, (\d+) warnings, (\d+) notes; by rule: (.*?)\)(.*)$/.exec(last);
  assert.ok(m, last);
  const rules = new Map<string, number>();
  let more = 0;
  for (const part of m[6]!.split(', ')) {
    const r = /^`([^`]+)` (\d+)$/.exec(part);
    const k = /^and (\d+) more rules$/.exec(part);
    if (r) rules.set(r[1]!, Number(r[2]));
    else if (k) more = Number(k[1]);
    else assert.fail(`unexpected part of the rule list: ${part}`);
  }
  return {
    limit: Number(m[1]!.replace(/,/g, '')),
    count: Number(m[2]),
    errors: Number(m[3]),
    warnings: Number(m[4]),
    notes: Number(m[5]),
    rules,
    more,
    rest: m[7]!,
  };
}

test('pr-comment: a large scan stays under GitHub’s 65,536 characters, worst findings first, and says exactly what it left out', () => {
  const result = largeScan();
  assert.ok(result.files.length >= 170, `${result.files.length} files`);
  assert.ok(formatMarkdown(result).length > 2 * 65_536, 'the full Markdown report would not fit');
  const text = formatPrComment(result, { reportUrl: 'https://github.com/o/r/actions/runs/1' });
  assert.ok(text.length < 65_536, `${text.length} characters`);
  assert.ok(text.length <= PR_COMMENT_MAX_CHARS);
  // The summary and the coverage line come first.
  assert.match(text, /^### Tollgate: ❌ fails\n\n\d+ files, \d+ resources, \d+ rules: \*\*\d+ errors\*\*/);
  assert.match(text, /#### Coverage\n\n\d+ resources found: /);
  // The rows shown are the most serious findings, in order.
  const rows = text.split('\n').filter((l) => ROW.test(l));
  const ordered = bySeriousness(result.findings);
  assert.ok(rows.length > 50 && rows.length < ordered.length, `${rows.length} of ${ordered.length} rows`);
  assert.deepEqual(rows, ordered.slice(0, rows.length).map(findingRow));
  assert.match(text, new RegExp(`#### The ${rows.length} most serious of ${ordered.length} findings`));
  // Every finding is in the table or counted in the last line, by level and by rule.
  const omitted = ordered.slice(rows.length);
  const left = leftOut(text);
  assert.equal(left.limit, PR_COMMENT_MAX_CHARS);
  assert.equal(left.count, omitted.length);
  assert.equal(left.errors, omitted.filter((f) => f.level === 'error').length);
  assert.equal(left.warnings, omitted.filter((f) => f.level === 'warning').length);
  assert.equal(left.notes, omitted.filter((f) => f.level === 'note').length);
  const byRule = new Map<string, number>();
  for (const f of omitted) byRule.set(f.ruleId, (byRule.get(f.ruleId) ?? 0) + 1);
  assert.equal(left.more, 0);
  assert.deepEqual(new Map([...left.rules].sort()), new Map([...byRule].sort()));
  assert.deepEqual(
    [...left.rules.values()],
    [...left.rules.values()].sort((a, b) => b - a),
    'most frequent rules first',
  );
  assert.match(left.rest, /The full report: https:\/\/github\.com\/o\/r\/actions\/runs\/1\.$/);
});

test('pr-comment: a smaller limit keeps fewer rows, shortens the rule list to a count, and still adds up', () => {
  const result = largeScan();
  const text = formatPrComment(result, { maxChars: 8_000 });
  assert.ok(text.length <= 8_000, `${text.length} characters`);
  const rows = text.split('\n').filter((l) => ROW.test(l)).length;
  const left = leftOut(text);
  assert.equal(left.count + rows, result.findings.length);
  assert.equal(left.errors + left.warnings + left.notes, left.count);
  const distinct = new Set(
    bySeriousness(result.findings)
      .slice(rows)
      .map((f) => f.ruleId),
  ).size;
  assert.ok(left.more > 0, 'the rule list was cut to fit');
  assert.equal(left.rules.size + left.more, distinct);
  // The input errors come before the findings; with no --report-url the line says how to get the full report.
  assert.ok(text.indexOf('#### Input errors') < text.indexOf('most serious of'));
  assert.match(left.rest, /The full report: run `tollgate scan -f markdown`/);
});

test('pr-comment: a report that fits is whole, with no line about what was left out', () => {
  const result = scanFixture();
  const text = formatPrComment(result);
  assert.doesNotMatch(text, /Left out/);
  assert.equal(text.split('\n').filter((l) => ROW.test(l)).length, result.findings.length);
  assert.match(text, /<details><summary>What was not evaluated<\/summary>/);
});

test('pr-comment: many input errors do not crowd the findings out; those not listed are counted', () => {
  const result = scanFixture();
  const d = result.diagnostics.find((x) => x.severity === 'error')!;
  const many = Array.from({ length: 400 }, (_, i) => ({ ...d, message: `${d.message} (copy ${i}) ${'x'.repeat(100)}` }));
  const text = formatPrComment({ ...result, diagnostics: [...result.diagnostics, ...many] }, { maxChars: 20_000 });
  assert.ok(text.length <= 20_000);
  const listed = text.split('\n').filter((l) => l.startsWith('- `') && l.includes('(copy ')).length;
  assert.equal(listed, 20 - result.diagnostics.filter((x) => x.severity === 'error').length);
  assert.equal(text.split('\n').filter((l) => ROW.test(l)).length, result.findings.length, 'every finding is shown');
  const inputErrors = result.diagnostics.filter((x) => x.severity === 'error').length + many.length;
  assert.match(text.trimEnd().split('\n').at(-1)!, new RegExp(`: ${inputErrors - 20} input errors; `));
});
