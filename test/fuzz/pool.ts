// Parent side: a few worker threads, each with a heap limit, and a watchdog. A synchronous hang
// cannot be interrupted from inside the thread, so the parent times each input and terminates
// the worker when the limit passes; a worker killed by its heap limit reports
// ERR_WORKER_OUT_OF_MEMORY. Either way the slot gets a fresh worker for the next input.
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { PHASES, type FuzzInput, type Phase, type RunResult } from './targets.js';

export type FailureKind = 'crash' | 'hang' | 'oom';

export interface Failure {
  kind: FailureKind;
  name: string;
  message: string;
  stack: string;
  phase: Phase;
  target: FuzzInput['target'];
  /** What identifies the bug: kind, error, and where in src/ (see signatureOf). */
  signature: string;
  /** Short hash of the signature: names the reproducer file. */
  id: string;
}

export type Outcome = { kind: 'ok'; ms: number } | (Failure & { ms: number });

export interface PoolOptions {
  jobs: number;
  /** Per-input time limit. */
  timeoutMs: number;
  /** Old-generation heap limit of each worker. */
  maxOldMb: number;
  /**
   * Known hangs, cut short: an input still running after `afterMs` in a stage whose hang
   * signature is one of `signatures` (bugs with a reproducer in pending/) is stopped then and
   * reported as that hang, instead of costing the full time limit. For the fixed-seed test pass,
   * which would otherwise spend most of its time waiting on bugs already known.
   */
  earlyHang?: { afterMs: number; signatures: ReadonlySet<string> };
}

interface Slot {
  worker: Worker;
  phase: Int32Array;
  ready: Promise<void>;
  busy: boolean;
  /** The input in flight: settled by the worker's answer, the watchdog, or the worker's death. */
  pending?: { id: number; input: FuzzInput; started: number; timer: NodeJS.Timeout; early?: NodeJS.Timeout; settle: (o: Outcome) => void };
}

export class Pool {
  private slots: Slot[] = [];
  /**
   * A started worker kept in reserve: a hang or an OOM takes it at once instead of waiting for a
   * new worker to load the pipeline and the rule set (a third of a second, or several on a busy
   * machine, which known hangs would otherwise pay every time).
   */
  private spare: Slot | undefined;
  private waiting: (() => void)[] = [];
  private nextId = 0;
  /** Workers started (the first ones plus every respawn after a hang, OOM or death). */
  spawned = 0;

  constructor(private readonly options: PoolOptions) {
    for (let i = 0; i < options.jobs; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    this.spawned++;
    const buffer = new SharedArrayBuffer(4);
    const worker = new Worker(new URL('./worker.js', import.meta.url), {
      workerData: { phase: buffer },
      resourceLimits: { maxOldGenerationSizeMb: this.options.maxOldMb, maxYoungGenerationSizeMb: 64 },
    });
    worker.unref();
    let markReady!: () => void;
    const slot: Slot = { worker, phase: new Int32Array(buffer), ready: new Promise((r) => (markReady = r)), busy: false };
    worker.on('message', (m: { ready?: boolean; id?: number; result?: RunResult }) => {
      if (m.ready) return markReady();
      const p = slot.pending;
      if (!p || p.id !== m.id || !m.result) return;
      const ms = performance.now() - p.started;
      const r = m.result;
      this.finish(slot, r.kind === 'ok' ? { kind: 'ok', ms } : { ...failure('crash', r.name, r.message, r.stack, r.phase, p.input.target), ms });
    });
    worker.on('error', (err: Error & { code?: string }) => {
      const p = slot.pending;
      const phase = PHASES[Atomics.load(slot.phase, 0)] ?? 'idle';
      if (!p) {
        // Died while starting (nothing in flight): the harness itself is broken. Say so loudly.
        process.stderr.write(`fuzz worker failed outside an input: ${err.stack ?? err.message}\n`);
        markReady();
        return;
      }
      const ms = performance.now() - p.started;
      const f =
        err.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? failure('oom', 'OutOfMemory', err.message, '', phase, p.input.target)
          : failure('crash', err.name, err.message, err.stack ?? '', phase, p.input.target);
      this.replace(slot, { ...f, ms });
    });
    worker.on('exit', () => {
      const p = slot.pending;
      if (p)
        this.replace(slot, {
          ...failure('crash', 'WorkerExit', 'the worker exited', '', PHASES[Atomics.load(slot.phase, 0)] ?? 'idle', p.input.target),
          ms: performance.now() - p.started,
        });
    });
    return slot;
  }

  /** Runs one input on the first free worker (timeoutMs: this input's limit, default the pool's). */
  async run(input: FuzzInput, timeoutMs = this.options.timeoutMs): Promise<Outcome> {
    let slot = this.slots.find((s) => !s.busy);
    while (!slot) {
      await new Promise<void>((r) => this.waiting.push(r));
      slot = this.slots.find((s) => !s.busy);
    }
    slot.busy = true;
    await slot.ready;
    return new Promise<Outcome>((settle) => {
      const id = this.nextId++;
      const hang = () => failure('hang', 'Timeout', `no answer within ${timeoutMs} ms`, '', PHASES[Atomics.load(slot.phase, 0)] ?? 'idle', input.target);
      const timer = setTimeout(() => this.replace(slot, { ...hang(), ms: timeoutMs }), timeoutMs);
      const known = this.options.earlyHang;
      const early =
        known && known.afterMs < timeoutMs
          ? setTimeout(() => {
              const f = hang();
              if (known.signatures.has(f.signature))
                this.replace(slot, { ...f, message: `still running after ${known.afterMs} ms in a stage with a known hang`, ms: known.afterMs });
            }, known.afterMs)
          : undefined;
      slot.pending = { id, input, started: performance.now(), timer, ...(early ? { early } : {}), settle };
      slot.worker.postMessage({ id, input });
    });
  }

  private finish(slot: Slot, outcome: Outcome): void {
    const p = slot.pending;
    if (!p) return;
    clearTimeout(p.timer);
    clearTimeout(p.early);
    slot.pending = undefined;
    slot.busy = false;
    p.settle(outcome);
    this.waiting.shift()?.();
  }

  /** Settles the input in flight with a failure and puts a fresh worker in the slot. */
  private replace(slot: Slot, outcome: Outcome): void {
    const p = slot.pending;
    if (!p) return;
    slot.pending = undefined;
    clearTimeout(p.timer);
    clearTimeout(p.early);
    const old = slot.worker;
    old.removeAllListeners('exit');
    void old.terminate();
    const fresh = this.spare ?? this.spawn();
    this.spare = this.spawn();
    const index = this.slots.indexOf(slot);
    this.slots[index] = fresh;
    p.settle(outcome);
    this.waiting.shift()?.();
  }

  async close(): Promise<void> {
    await Promise.all([...this.slots, ...(this.spare ? [this.spare] : [])].map((s) => s.worker.terminate()));
  }
}

/** The V8 RangeErrors that are different bugs though they share a name. */
const RANGE_MESSAGES = [
  /Maximum call stack size exceeded/,
  /Invalid string length/,
  /Invalid array length/,
  /Array buffer allocation failed/,
  /Invalid regular expression/,
];

/**
 * kind + error name + where: the first three frames inside src/ (function and file, no line
 * numbers, which move with every edit). A stack overflow's top frames depend on where the stack
 * happened to run out (and every nesting construct of a recursive-descent parser recurses through
 * other functions), so for those the distinct files of the recursion are taken, sorted: one
 * signature per recursive component, which is also how such bugs get fixed.
 * Hangs and OOMs have no stack: their signature is the entry point and the stage.
 */
export function signatureOf(kind: FailureKind, name: string, message: string, stack: string, phase: Phase, target: string): string {
  if (kind !== 'crash' || !stack) return `${kind}|${name}|${target}|${phase}`;
  const frames = srcFrames(stack);
  const range = RANGE_MESSAGES.find((re) => re.test(message));
  const overflow = /Maximum call stack size exceeded/.test(message);
  const where = overflow ? [...new Set(frames.map((f) => f.slice(f.indexOf('@') + 1)))].sort().slice(0, 4) : frames.slice(0, 3);
  return `${kind}|${name}${range ? `: ${range.source}` : ''}|${where.join(' < ') || `${target}|${phase}`}`;
}

/** `fn@src/dir/file.ts` for each stack frame inside the product's sources, in order. */
export function srcFrames(stack: string): string[] {
  const out: string[] = [];
  for (const line of stack.split('\n')) {
    const m = /^\s*at (?:(.*?) \()?(?:file:\/\/)?([^()]*?):\d+:\d+\)?$/.exec(line);
    if (!m) continue;
    const file = m[2]!.replace(/\\/g, '/');
    const at = file.lastIndexOf('/src/');
    if (at < 0 || file.includes('/test/')) continue;
    const fn = (m[1] ?? '<anonymous>').replace(/^new /, '').replace(/\s*\[as [^\]]+\]/, '');
    out.push(`${fn}@${file.slice(at + 1).replace(/\.js$/, '.ts')}`);
  }
  return out;
}

export function failure(kind: FailureKind, name: string, message: string, stack: string, phase: Phase, target: FuzzInput['target']): Failure {
  const signature = signatureOf(kind, name, message, stack, phase, target);
  return { kind, name, message, stack, phase, target, signature, id: shortHash(signature) };
}

export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 10);
}
