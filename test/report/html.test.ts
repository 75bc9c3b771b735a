import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatHtml } from '../../src/report/html.js';
import { assertGolden } from './golden.js';
import { httpBackendFinding, scanFixture, withFindings } from './fixture.js';

function fixtureWithSnippet() {
  const result = scanFixture();
  result.findings = result.findings.map((f, i) =>
    i === 0
      ? {
          ...f,
          snippet: {
            startLine: f.location!.start.line - 1,
            lines: ['      "properties": {', '        "url": "[parameters(\'paymentsUrl\')]",', '        "protocol": "http"'],
          },
        }
      : f,
  );
  return result;
}

test('html: golden file', () => {
  assertGolden('report.html', formatHtml(fixtureWithSnippet()));
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
