// The worker pool behind `--jobs N` (src/pipeline/worker-pool.ts): this thread and N - 1 workers
// take units from one queue; outcomes come back in the units' order whoever ran them; a worker
// that dies fails only the unit it was running, and the units it had queued are run by the others.
// The workers here are a small module written for the test: it answers each unit with an outcome
// naming the thread, or throws or exits on the first unit it is given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ScanUnit } from '../../src/input/pair-parameters.js';
import { workerPool, type RunOutcome } from '../../src/pipeline/worker-pool.js';
import type { UnitOutcome } from '../../src/pipeline/run-unit.js';

const WORKER = `
import { parentPort, workerData } from 'node:worker_threads';
if (workerData.refuse) {
  parentPort.postMessage({ ready: false, error: 'no rule set here' });
} else {
  parentPort.postMessage({ ready: true });
  parentPort.on('message', (m) => {
    const name = m.unit.file.path;
    if (workerData.throwFirst) throw new Error('a bug in unit ' + name);
    if (workerData.exitFirst) process.exit(7);
    // Slower than this thread's units, so that this thread takes its share as well.
    const until = Date.now() + 3;
    while (Date.now() < until);
    parentPort.postMessage({ id: m.id, ran: { outcome: { results: [], findings: [], own: [], comments: [], diagnostics: [], linked: ['worker:' + name] } } });
  });
}
`;

function outcome(linked: string): UnitOutcome {
  return { results: [], findings: [], own: [], comments: [], diagnostics: [], linked: [linked] };
}

function units(n: number): ScanUnit[] {
  return Array.from({ length: n }, (_, i) => ({ kind: 'template', file: { absPath: `/repo/t${i}.json`, path: `t${i}.json`, size: 100 } }) as ScanUnit);
}

// Starts the workers and waits until they have surely loaded, so that they take units from the start.
async function started(pool: ReturnType<typeof workerPool>): Promise<void> {
  pool.prestart([{ absPath: '/nowhere' }]);
  await new Promise((resolve) => setTimeout(resolve, 1000));
}

async function withPool(data: Record<string, unknown>, jobs: number, body: (pool: ReturnType<typeof workerPool>) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tollgate-pool-'));
  const entry = path.join(dir, 'worker.mjs');
  writeFileSync(entry, WORKER);
  const pool = workerPool({ entry: pathToFileURL(entry), data, jobs, minUnits: 0, minSize: 0 });
  try {
    await body(pool);
  } finally {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// This thread's units: as slow as the worker's, and each one counted.
function here(ranHere: string[]): (unit: ScanUnit) => RunOutcome {
  return (unit) => {
    ranHere.push(unit.file.path);
    const until = Date.now() + 3;
    while (Date.now() < until);
    return { outcome: outcome(`here:${unit.file.path}`) };
  };
}

test('worker pool: --jobs 2 is this thread and one worker, both take units, and the outcomes come back in the units order', { timeout: 30_000 }, async () => {
  await withPool({}, 2, async (pool) => {
    await started(pool);
    const list = units(60);
    const ranHere: string[] = [];
    let done = 0;
    const out = await pool.run(list, { dependencies: false, here: here(ranHere), onDone: () => done++ });
    assert.equal(pool.started, 1);
    assert.equal(done, 60);
    assert.equal(out.length, 60);
    out.forEach((r, i) => assert.match(r.outcome.linked[0]!, new RegExp(`^(here|worker):t${i}\\.json$`)));
    const inWorker = out.filter((r) => r.outcome.linked[0]!.startsWith('worker:')).length;
    assert.ok(inWorker > 0, 'the worker ran some units');
    assert.equal(ranHere.length + inWorker, 60, 'each unit ran once');
    assert.ok(ranHere.length > 0, 'this thread ran some units');
  });
});

for (const [how, data, reason] of [
  ['throws', { throwFirst: true }, /internal error while scanning: a bug in unit t\d+\.json/],
  ['exits', { exitFirst: true }, /exited with code 7/],
] as const) {
  test(`worker pool: a worker that ${how} on a unit fails that unit only; the unit it had queued is run by this thread`, { timeout: 30_000 }, async () => {
    await withPool(data, 2, async (pool) => {
      await started(pool);
      const list = units(40);
      const ranHere: string[] = [];
      let done = 0;
      const out = await pool.run(list, { dependencies: false, here: here(ranHere), onDone: () => done++ });
      assert.equal(done, 40);
      const failedUnits = out.flatMap((r, i) => (r.outcome.diagnostics.length ? [i] : []));
      assert.equal(failedUnits.length, 1, 'one unit failed');
      const lost = failedUnits[0]!;
      const d = out[lost]!.outcome.diagnostics[0]!.diagnostic;
      assert.equal(d.code, 'internal-error');
      assert.equal(d.file, `t${lost}.json`);
      assert.match(d.message, reason);
      // Every other unit has its outcome, from this thread: the worker was gone after its first.
      out.forEach((r, i) => i === lost || assert.equal(r.outcome.linked[0], `here:t${i}.json`));
      assert.equal(ranHere.length, 39);
    });
  });
}

test('worker pool: workers that cannot start leave every unit to this thread, and say why', { timeout: 30_000 }, async () => {
  await withPool({ refuse: true }, 3, async (pool) => {
    const list = units(10);
    const ranHere: string[] = [];
    const errors: string[] = [];
    const out = await pool.run(list, { dependencies: false, here: here(ranHere), onNoWorkers: (err) => errors.push(err.message) });
    assert.deepEqual(errors, ['no rule set here']);
    assert.equal(pool.started, 0);
    assert.deepEqual(
      ranHere,
      list.map((u) => u.file.path),
    );
    out.forEach((r, i) => assert.equal(r.outcome.linked[0], `here:t${i}.json`));
  });
});

test('worker pool: nothing to run (every unit from the result cache) starts no worker and waits for none', { timeout: 30_000 }, async () => {
  await withPool({}, 2, async (pool) => {
    const ranHere: string[] = [];
    assert.deepEqual(await pool.run([], { dependencies: false, here: here(ranHere) }), []);
    assert.equal(pool.started, 0);
    assert.deepEqual(ranHere, []);
  });
});
