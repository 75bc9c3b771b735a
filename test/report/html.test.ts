import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatHtml } from '../../src/report/html.js';
import { repoRoot } from '../helpers.js';
import { httpBackendFinding, scanFixture, withFindings } from './fixture.js';

// Set UPDATE_GOLDEN=1 to rewrite the golden file after an intended change, then review the diff.
const GOLDEN = path.join(repoRoot(), 'test/report/golden/report.html');

function fixtureWithSnippet() {
  const result = scanFixture();
  result.findings = result.findings.map((f, i) => (i === 0 ? { ...f, snippet: { startLine: f.location!.start.line - 1, lines: ['      "properties": {', '        "url": "[parameters(\'paymentsUrl\')]",', '        "protocol": "http"'] } } : f));
  return result;
}

test('html: golden file', () => {
  const html = formatHtml(fixtureWithSnippet());
  if (process.env['UPDATE_GOLDEN']) writeFileSync(GOLDEN, html);
  assert.ok(existsSync(GOLDEN), 'golden file missing: run the tests once with UPDATE_GOLDEN=1 and review it');
  assert.equal(html, readFileSync(GOLDEN, 'utf8'));
});

test('html: self-contained, escaped, every finding present with its filters', () => {
  const html = formatHtml(fixtureWithSnippet());
  // No network: no external scripts, styles, images or fonts.
  assert.doesNotMatch(html, /<(script|link|img)[^>]+(src|href)=/i);
  assert.doesNotMatch(html, /https?:\/\/(?!portal\.azure\.com)[^"'\s]*\.(js|css|woff2?)/i);
  const result = fixtureWithSnippet();
  assert.equal((html.match(/<article class="finding"/g) ?? []).length, result.findings.length);
  for (const f of result.findings) assert.ok(html.includes(`data-rule="${f.ruleId}"`));
  // Markup in a message is text, never HTML.
  const hostile = withFindings(scanFixture(), [{ ...httpBackendFinding(), message: '<img src=x onerror=alert(1)> & "quotes"' }]);
  const out = formatHtml(hostile);
  assert.ok(out.includes('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;'));
  assert.doesNotMatch(out, /<img src=x/);
});

test('html: compliance by control for the policies evaluated', () => {
  const html = formatHtml(fixtureWithSnippet());
  assert.match(html, /Compliance by control/);
  // The seed policy maps to MCSB IM-4 (Microsoft cloud security benchmark), failing here.
  assert.match(html, /<code>IM-4<\/code>[\s\S]*?status-non-compliant/);
});
