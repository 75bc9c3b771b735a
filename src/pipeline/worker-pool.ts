import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Worker } from 'node:worker_threads';
import type { ScanUnit } from '../input/pair-parameters.js';
import { internalErrorDiagnostic } from '../load/diagnostic.js';
import type { RunOutcome } from './result-cache.js';
export type { RunOutcome };

/**
 * Runs units elsewhere (`--jobs N`: worker threads) and hands their outcomes back in the order of
 * the units given. src/scan.ts merges them as it merges the units it runs itself.
 */
export interface UnitRunner {
  /** Whether a scan of these units is worth the runner's start-up (below it they run in the scan's thread). */
  worthIt(units: readonly ScanUnit[]): boolean;
  /**
   * The files the walk found, before discovery reads them: when they are enough, the workers start
   * now and load their rule set while this thread reads and classifies the files.
   */
  prestart(files: readonly { absPath: string }[]): void;
  run(units: readonly ScanUnit[], options: RunOptions): Promise<RunOutcome[]>;
  close(): Promise<void>;
  /** How many worker threads started (0 until a scan was worth them). */
  readonly started: number;
}

export interface RunOptions {
  /** Whether each outcome comes with the files its unit read (the result cache's dependencies). */
  dependencies: boolean;
  onDone?: () => void;
  /**
   * Runs one unit in this thread, which takes units from the same queue as the workers: `--jobs N`
   * is this thread and N - 1 workers. It is also where a unit goes that a dying worker had queued.
   */
  here: (unit: ScanUnit) => RunOutcome;
  /** The workers could not start: this thread ran every unit. */
  onNoWorkers?: (err: Error) => void;
}

/** Messages between the pool and a worker (src/cli/scan-worker.ts answers them). */
export type ToWorker = { id: number; unit: ScanUnit; dependencies: boolean };
export type FromWorker = { ready: true } | { ready: false; error: string } | { id: number; ran: RunOutcome };

export interface PoolOptions {
  /** The worker's module (its own file in the bundle too). */
  entry: URL;
  /** What the worker builds its rule set and scan options from: the same as this thread's. */
  data: unknown;
  /** Threads that scan units, this one included: the pool starts `jobs - 1` workers. */
  jobs: number;
  /**
   * Below these (units, characters of text) a scan runs in its own thread: starting a worker
   * (loading the code and the rule set) costs more than the units (docs/cli.md, Scale).
   */
  minUnits: number;
  minSize: number;
}

/**
 * Below this, starting workers is not repaid. From CPU times on the bundled corpora (2 cores): a
 * worker costs ~0.5 s of CPU to start (code and rule set), a unit ~0.7 s of CPU per MB of template
 * text; with discovery in this thread overlapping the start, two workers pay from about 1.5 MB.
 */
export const WORKER_THRESHOLD = { minUnits: 16, minSize: 2_000_000 };

/**
 * A worker's young generation, in MB (V8's default is sized for one thread on its own: semi-spaces
 * of up to 16 MB). A unit's short-lived objects fit in less, and every worker holds its own: on
 * the corpora, `--jobs 2` with workers at any size, CLI medians of 5, peak RSS at one copy 255 ->
 * 211 MB and at four 377 -> 319 MB, in the same time; the 20 MB JSON corpus 245 -> 197 MB, 3.99
 * -> 4.02 s. At 8 MB no less memory, at 16 more. The main thread's can only be set when Node starts.
 */
const WORKER_YOUNG_GENERATION_MB = 12;

/** Units sent to a worker ahead of its replies: the next one is there when it finishes one. */
const IN_FLIGHT = 2;

/**
 * A pool of `jobs - 1` worker threads, started on the first `run` (or by `prestart`), beside this
 * thread, which scans units too: it would otherwise wait, and a worker costs its own code, rule set
 * and heap. Each worker loads the rule set once; units go one at a time to whichever thread is
 * free (units differ widely in cost, so a fixed split would leave a core idle). A worker that dies
 * fails the unit it was running, with an internal error naming the unit's file; the units it had
 * not begun go to the other threads.
 */
export function workerPool(options: PoolOptions): UnitRunner {
  let workers: Promise<Worker[]> | undefined;
  let started = 0;
  const start = async (): Promise<Worker[]> => {
    // Loaded when workers start: most scans run in one thread, and every CLI start paid for it.
    const { Worker } = createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads');
    const settled = await Promise.allSettled(
      Array.from(
        { length: options.jobs - 1 },
        () =>
          new Promise<Worker>((resolve, reject) => {
            const worker = new Worker(options.entry, { workerData: options.data, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
            const onError = (err: Error) => reject(err);
            const onExit = (code: number) => reject(new Error(`the scan worker exited with code ${code} before it was ready`));
            worker.once('error', onError);
            worker.once('exit', onExit);
            worker.once('message', (m: FromWorker) => {
              worker.off('error', onError);
              worker.off('exit', onExit);
              if ('ready' in m && m.ready) {
                started++;
                resolve(worker);
              } else {
                void worker.terminate();
                reject(new Error('ready' in m && !m.ready ? m.error : 'unexpected message from a scan worker'));
              }
            });
          }),
      ),
    );
    const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    const ready = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    if (!failure) return ready;
    // All or none: a worker that cannot start says the install is broken for every one of them.
    await Promise.all(ready.map((w) => w.terminate()));
    started = 0;
    throw failure.reason instanceof Error ? failure.reason : new Error(String(failure.reason));
  };
  return {
    get started() {
      return started;
    },
    prestart(files) {
      if (options.jobs <= 1 || files.length < options.minUnits) return;
      let size = 0;
      for (const f of files) {
        try {
          size += statSync(f.absPath).size;
        } catch {
          // gone: discovery will say so
        }
        if (size >= options.minSize) {
          // A failure to start is met (and said) when the units are sent.
          (workers ??= start()).catch(() => undefined);
          return;
        }
      }
    },
    worthIt: (units) =>
      workers !== undefined ||
      (options.jobs > 1 && units.length >= options.minUnits && units.reduce((n, u) => n + u.file.size + (u.parameterFile?.size ?? 0), 0) >= options.minSize),
    async run(units, { dependencies, onDone, here, onNoWorkers }) {
      // Nothing to run (every unit came from the result cache): no reason to wait for the workers.
      if (!units.length) return [];
      const out: RunOutcome[] = new Array(units.length);
      let next = 0;
      // Units a worker had queued when it died: taken before the rest.
      const retry: number[] = [];
      const take = (): number => retry.pop() ?? (next < units.length ? next++ : -1);
      const feed = (worker: Worker, pool: Worker[]): Promise<void> =>
        new Promise<void>((resolve) => {
          // In the order sent: a worker runs its messages one at a time.
          const queued: number[] = [];
          const give = () => {
            while (queued.length < IN_FLIGHT) {
              const i = take();
              if (i < 0) break;
              queued.push(i);
              worker.postMessage({ id: i, unit: units[i]!, dependencies } satisfies ToWorker);
            }
            if (queued.length) return;
            detach();
            resolve();
          };
          const onMessage = (m: FromWorker) => {
            if (!('id' in m)) return;
            queued.splice(queued.indexOf(m.id), 1);
            out[m.id] = m.ran;
            onDone?.();
            give();
          };
          const onError = (err: Error) => {
            // This worker is gone: the unit it was running fails; the ones it had not begun go
            // back to the queue.
            detach();
            const [running, ...waiting] = queued;
            if (running !== undefined) {
              out[running] = failed(units[running]!, err);
              onDone?.();
            }
            retry.push(...waiting.reverse());
            pool.splice(pool.indexOf(worker), 1);
            resolve();
          };
          // A worker that ends without an error (process.exit in a rule plugin) is gone too.
          const onExit = (code: number) => onError(new Error(`the scan worker exited with code ${code}`));
          const detach = () => {
            worker.off('message', onMessage);
            worker.off('error', onError);
            worker.off('exit', onExit);
          };
          worker.on('message', onMessage);
          worker.once('error', onError);
          worker.once('exit', onExit);
          give();
        });
      // The workers join when they are ready (they may still be loading their rule set); this
      // thread starts at once, and hands the event loop back after each unit so that a worker
      // that finished is given more. Each worker has IN_FLIGHT units sent, so it does not wait
      // for this thread to finish a unit before it starts the next.
      const remote = (workers ??= start()).then(
        (pool) => Promise.all(pool.map((w) => feed(w, pool))),
        (err: Error) => onNoWorkers?.(err),
      );
      const runHere = async (handBack: boolean): Promise<void> => {
        for (let i = take(); i >= 0; i = take()) {
          out[i] = here(units[i]!);
          onDone?.();
          if (handBack) await new Promise((resolve) => setImmediate(resolve));
        }
      };
      await runHere(true);
      await remote;
      // What dying workers left after this thread had finished: no worker is left to hand back to.
      await runHere(false);
      return out;
    },
    async close() {
      if (!workers) return;
      const pool = await workers.catch((): Worker[] => []);
      await Promise.all(pool.map((w) => w.terminate()));
    },
  };
}

function failed(unit: ScanUnit, err: Error): RunOutcome {
  return {
    outcome: {
      results: [],
      findings: [],
      own: [],
      comments: [],
      linked: [],
      diagnostics: [{ diagnostic: internalErrorDiagnostic(err, unit.file.path), once: true }],
    },
  };
}
