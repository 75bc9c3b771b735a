import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { ScanUnit } from '../input/pair-parameters.js';
import { internalErrorDiagnostic } from '../load/diagnostic.js';
import type { Dependencies } from './result-cache.js';
import type { UnitOutcome } from './run-unit.js';

/** A unit's outcome, and the files it read with their hashes when a result cache asked for them. */
export interface RunOutcome {
  outcome: UnitOutcome;
  dependencies?: Dependencies;
}

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
  run(units: readonly ScanUnit[], options: { dependencies: boolean; onDone?: () => void }): Promise<RunOutcome[]>;
  close(): Promise<void>;
  /** How many workers started (0 until a scan was worth them). */
  readonly started: number;
}

/** Messages between the pool and a worker (src/cli/scan-worker.ts answers them). */
export type ToWorker = { id: number; unit: ScanUnit; dependencies: boolean };
export type FromWorker = { ready: true } | { ready: false; error: string } | { id: number; ran: RunOutcome };

export interface PoolOptions {
  /** The worker's module (its own file in the bundle too). */
  entry: URL;
  /** What the worker builds its rule set and scan options from: the same as this thread's. */
  data: unknown;
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

/**
 * A pool of worker threads, started on the first `run`. Each worker loads the rule set once and
 * then takes units one at a time as it finishes the previous one (units differ widely in cost, so
 * a fixed split would leave a core idle). A worker that dies fails the unit it held, with an
 * internal error naming the unit's file; the other workers carry on with the rest.
 */
export function workerPool(options: PoolOptions): UnitRunner {
  let workers: Promise<Worker[]> | undefined;
  let started = 0;
  const start = (): Promise<Worker[]> =>
    Promise.all(
      Array.from(
        { length: options.jobs },
        () =>
          new Promise<Worker>((resolve, reject) => {
            const worker = new Worker(options.entry, { workerData: options.data, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
            const onError = (err: Error) => reject(err);
            worker.once('error', onError);
            worker.once('message', (m: FromWorker) => {
              worker.off('error', onError);
              if ('ready' in m && m.ready) {
                started++;
                resolve(worker);
              } else reject(new Error('ready' in m && !m.ready ? m.error : 'unexpected message from a scan worker'));
            });
          }),
      ),
    );
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
    async run(units, { dependencies, onDone }) {
      const pool = await (workers ??= start());
      const out: RunOutcome[] = new Array(units.length);
      let next = 0;
      await Promise.all(
        pool.map(
          (worker) =>
            new Promise<void>((resolve) => {
              let current = -1;
              const give = () => {
                if (next >= units.length) {
                  worker.off('message', onMessage);
                  worker.off('error', onError);
                  resolve();
                  return;
                }
                current = next++;
                worker.postMessage({ id: current, unit: units[current]!, dependencies } satisfies ToWorker);
              };
              const onMessage = (m: FromWorker) => {
                if (!('id' in m)) return;
                out[m.id] = m.ran;
                onDone?.();
                give();
              };
              const onError = (err: Error) => {
                // This worker is gone: its unit fails, the others take the rest.
                worker.off('message', onMessage);
                if (current >= 0 && out[current] === undefined) out[current] = failed(units[current]!, err);
                pool.splice(pool.indexOf(worker), 1);
                resolve();
              };
              worker.on('message', onMessage);
              worker.once('error', onError);
              give();
            }),
        ),
      );
      // Units no worker took (every worker died) fail too: the scan says it is incomplete.
      for (let i = 0; i < units.length; i++) out[i] ??= failed(units[i]!, new Error('no scan worker left to run it'));
      return out;
    },
    async close() {
      if (!workers) return;
      const pool = await workers.catch(() => [] as Worker[]);
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
