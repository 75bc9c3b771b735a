import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../helpers.js';

/** Compares with test/report/golden/NAME; `UPDATE_GOLDEN=1` rewrites it (then review the diff). */
export function assertGolden(name: string, actual: string): void {
  const file = path.join(repoRoot(), 'test/report/golden', name);
  if (process.env['UPDATE_GOLDEN']) writeFileSync(file, actual);
  assert.ok(existsSync(file), `golden file ${name} missing: run the tests once with UPDATE_GOLDEN=1 and review it`);
  assert.equal(actual, readFileSync(file, 'utf8'));
}
