// A short fuzz pass with a fixed seed, in every `npm test`: 20,000 inputs of the light mix
// (sizes that keep each input fast) through the real pipeline, with the same watchdog and heap
// limit as `npm run fuzz`.
//
// Failures whose signature matches a reproducer in test/fuzz/reproducers/pending/ are open,
// known bugs: they are printed as "known" and do not fail the test (on this branch several are
// known until the fixes being made elsewhere are merged). A NEW signature fails the test, and so
// does a known one whose reproducer is marked fixed (a regression). The failing input is
// minimised and written to a temporary folder named in the failure message: to accept a new
// bug as known, move its two files into test/fuzz/reproducers/pending/.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers.js';
import { formatReport, runFuzz } from './run.js';

const SEED = 20261207;
const COUNT = 20_000;

test(`fixed-seed fuzz pass: ${COUNT} inputs (seed ${SEED}), no new crash, hang or out-of-memory`, { timeout: 600_000 }, async (t) => {
  const out = mkdtempSync(path.join(tmpdir(), 'tollgate-fuzz-new-'));
  const lines: string[] = [];
  const report = await runFuzz({
    root: repoRoot(),
    seed: SEED,
    count: COUNT,
    jobs: 2,
    // Some generated inputs legitimately take a second or two (a self-linking deployment stops
    // at the 2,000-deployment budget in ~1.4 s when idle); under a loaded test run 2 s misread
    // them as hangs. A real hang runs into the per-unit time limit (30 s) or forever.
    timeoutMs: 10_000,
    // Known hangs (pending/) are cut short after 300 ms instead of waiting the full limit.
    earlyHangMs: 300,
    maxOldMb: 1024,
    heavy: false,
    out,
    minimizeSeconds: 15,
    log: (line) => lines.push(line),
  });
  const summary = formatReport(report, repoRoot());
  for (const line of summary.split('\n')) t.diagnostic(line);
  const known = [...report.signatures.values()].filter((s) => s.known && s.knownPending);
  if (known.length)
    t.diagnostic(
      `${known.length} KNOWN open bug signature(s) met (reproducers in test/fuzz/reproducers/pending/): not counted as failures until their fix is merged`,
    );
  assert.equal(report.inputs, COUNT);
  const fresh = [...report.signatures.values()].filter((s) => !s.known);
  const regressed = [...report.signatures.values()].filter((s) => s.known && !s.knownPending);
  const describe = (list: typeof fresh) =>
    list.map((s) => `${s.failure.signature}\n    ${s.failure.message.split('\n')[0]}\n    reproducer: ${s.file ?? '(not written)'}`).join('\n');
  assert.deepEqual(
    regressed.map((s) => s.failure.signature),
    [],
    `fixed bugs are back (regression):\n${describe(regressed)}`,
  );
  assert.deepEqual(
    fresh.map((s) => s.failure.signature),
    [],
    `new failure signatures (reproducers written to ${out}; move them to test/fuzz/reproducers/pending/ to mark them known):\n${describe(fresh)}`,
  );
});
