#!/usr/bin/env node
// Writes the generated policy documentation from the shipped catalog (run `npm run build` first):
//   docs/policy-coverage.md        decidability of every built-in definition (tollgate policy coverage)
//   docs/rules/policies/*.md       a page per definition the default rule set takes from the benchmark
// test/policy/coverage.test.ts fails when these are stale.
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => import(path.join(root, 'dist', p));
const { catalogCoverage, defaultSetCoverage } = await dist('policy/coverage.js');
const { coverageMarkdown, CATALOG_RELEASE } = await dist('policy/coverage-page.js');
const { policyRulePages, POLICY_PAGES_DIR } = await dist('policy/rule-pages.js');

function write(file, text) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

write(path.join(root, 'docs', 'policy-coverage.md'), coverageMarkdown(catalogCoverage(), defaultSetCoverage(), CATALOG_RELEASE));
const dir = path.join(root, POLICY_PAGES_DIR);
const pages = policyRulePages();
mkdirSync(dir, { recursive: true });
for (const f of readdirSync(dir)) if (f.endsWith('.md') && !pages.has(f)) rmSync(path.join(dir, f));
for (const [name, text] of pages) write(path.join(dir, name), text);
console.log(`docs/policy-coverage.md and ${pages.size} pages in ${POLICY_PAGES_DIR}`);
