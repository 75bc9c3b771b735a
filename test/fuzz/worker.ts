// Worker thread entry: runs inputs posted by the pool one at a time and posts each result back.
// The current stage is written to shared memory so that the parent, which is the only one still
// running when this thread hangs or runs out of memory, can say where it happened.
import { parentPort, workerData } from 'node:worker_threads';
import { createHarness, PHASES, type FuzzInput } from './targets.js';

// Longer traces than the default 10, so that a stack overflow's recursion cycle shows in the signature.
Error.stackTraceLimit = 60;
const phase = new Int32Array(workerData.phase as SharedArrayBuffer);
const harness = createHarness((p) => Atomics.store(phase, 0, PHASES.indexOf(p)));
parentPort!.on('message', (message: { id: number; input: FuzzInput }) => {
  const result = harness.run(message.input);
  parentPort!.postMessage({ id: message.id, result });
});
parentPort!.postMessage({ ready: true });
