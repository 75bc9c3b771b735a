// The HTML report in a real browser: it renders, the filters work, there are no console errors,
// and a screenshot is taken. Needs Debian's Chromium (`apt-get install chromium`; .ci/run
// installs it); where it is missing the test is skipped and says why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatHtml } from '../../src/report/html.js';
import { scanFixture } from './fixture.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium)`;

test('html report in headless Chromium: renders, filters, no console errors, screenshot', { skip, timeout: 60_000 }, async () => {
  const { chromium } = await import('playwright-core');
  const dir = mkdtempSync(path.join(tmpdir(), 'tollgate-html-'));
  const file = path.join(dir, 'report.html');
  writeFileSync(file, formatHtml(scanFixture()));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) requests.push(r.url());
    });
    await page.goto(pathToFileURL(file).href);
    assert.equal(await page.title(), 'Tollgate report');
    const total = await page.locator('article.finding').count();
    assert.equal(total, scanFixture().findings.length);
    assert.equal(await page.locator('article.finding:visible').count(), total);

    await page.selectOption('#filter-severity', 'critical');
    const critical = scanFixture().findings.filter((f) => f.severity === 'critical').length;
    assert.equal(await page.locator('article.finding:visible').count(), critical);
    assert.equal(await page.locator('#shown').textContent(), `${critical} shown`);

    await page.selectOption('#filter-severity', '');
    await page.selectOption('#filter-rule', '92bb331d-ac71-416a-8c91-02f2cb734ce4');
    const policy = scanFixture().findings.filter((f) => f.ruleId === '92bb331d-ac71-416a-8c91-02f2cb734ce4').length;
    assert.equal(await page.locator('article.finding:visible').count(), policy);

    await page.selectOption('#filter-rule', '');
    await page.selectOption('#filter-file', 'exports/prod apim.json');
    assert.equal(await page.locator('section.file:visible').count(), 1);

    const shot = path.join(dir, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok(statSync(shot).size > 5_000);
    assert.deepEqual(errors, []);
    assert.deepEqual(requests, []);
  } finally {
    await browser.close();
  }
});
