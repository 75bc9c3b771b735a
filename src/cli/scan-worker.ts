// A scan worker (`--jobs N`): started by src/pipeline/worker-pool.ts with the main thread's flags,
// it builds the same rule set and scan options once, then runs the units it is sent one at a time
// and posts back each outcome (plain data) with, for the result cache, the files the unit read.
import { parentPort, workerData } from 'node:worker_threads';
import { setFlagsFromString } from 'node:v8';
import { heapBound } from '../pipeline/heap-bound.js';
import { runRecorded } from '../pipeline/result-cache.js';
import { unitContext, type UnitContext } from '../pipeline/run-unit.js';
import type { FromWorker, ToWorker } from '../pipeline/worker-pool.js';
import { loadRuleSet } from '../scan.js';
import { workerScanOptions, type WorkerData } from './commands/scan.js';

const port = parentPort;
if (!port) throw new Error('scan-worker.js runs as a worker thread of `tollgate scan --jobs N`');
// As in the main thread: a worker's heap stays near what one unit needs.
setFlagsFromString('--heap-growing-percent=50');

let ctx: UnitContext;
try {
  const options = await workerScanOptions(workerData as WorkerData);
  ctx = unitContext(options, options.ruleSet ?? loadRuleSet(options.policyEffects));
  port.postMessage({ ready: true } satisfies FromWorker);
} catch (err) {
  port.postMessage({ ready: false, error: (err as Error).message } satisfies FromWorker);
  process.exit(1);
}
const between = heapBound();
port.on('message', (m: ToWorker) => {
  port.postMessage({ id: m.id, ran: runRecorded(m.unit, ctx, m.dependencies) } satisfies FromWorker);
  between();
});
