// One fuzz campaign: generate inputs from (seed, index), run them on the worker pool, group the
// failures by signature, minimise and save the first input of every signature not seen before.
// Shared by `npm run fuzz` (fuzz.ts) and the fixed-seed test pass.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { generate, loadCorpus, Rng, type Corpus, type GeneratedInput } from './generators.js';
import { minimize, type MinimizeStats } from './minimize.js';
import { Pool, type Failure } from './pool.js';
import { readReproducers, writeReproducer } from './reproducers.js';
import type { FuzzInput } from './targets.js';

export interface FuzzOptions {
  root: string;
  seed: number;
  /** Stop after this many inputs, or when `seconds` have passed, whichever comes first. */
  count?: number;
  seconds?: number;
  jobs: number;
  timeoutMs: number;
  maxOldMb: number;
  heavy: boolean;
  /** Where new reproducers go (default: test/fuzz/reproducers/pending). */
  out: string;
  /** Time budget for minimising one failure. */
  minimizeSeconds: number;
  /** First input index (a restarted campaign goes on after the input that killed the last one). */
  startIndex?: number;
  /**
   * A file kept listing the indexes of the inputs in flight. A worker's heap limit does not always
   * save the process: V8 can abort the whole process when a runtime function (a giant
   * String.split) overruns the limit before it can be stopped. The supervisor in fuzz.ts then
   * reads this file to know which input did it.
   */
  journal?: string;
  /** See PoolOptions.earlyHang: stop inputs in a stage with a known (pending) hang after this long. */
  earlyHangMs?: number;
  log?: (line: string) => void;
}

export interface SignatureStats {
  failure: Failure;
  count: number;
  /** A reproducer with this signature was already saved (pending or fixed) before this run. */
  known: boolean;
  /** The pending/ one it matched, or the one this run wrote. */
  file?: string;
  knownPending?: boolean;
  /** A hang of this signature was confirmed (or needs no confirming): later ones are counted at once. */
  confirmed?: boolean;
}

export interface FuzzReport {
  seed: number;
  inputs: number;
  seconds: number;
  byTarget: Record<string, number>;
  byGenerator: Record<string, number>;
  /** Milliseconds spent per target: where the time goes. */
  msByTarget: Record<string, number>;
  signatures: Map<string, SignatureStats>;
  maxRssMb: number;
  workersSpawned: number;
  slowest: { ms: number; generator: string; index: number };
  /** Inputs that passed the time limit once but finished within three times it on a second try (a loaded machine, not a hang). */
  slow: number;
}

/** Input number `index` of campaign `seed`: independent of the others, so any one can be regenerated. */
export function inputAt(corpus: Corpus, seed: number, index: number, heavy: boolean): GeneratedInput {
  const rng = new Rng((Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35)) >>> 0);
  rng.next();
  return generate(corpus, rng, { heavy });
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const log = options.log ?? (() => {});
  const corpus = loadCorpus(options.root);
  const existing = readReproducers(path.join(options.root, 'test/fuzz/reproducers'));
  const knownSignatures = new Map(existing.map((r) => [r.sidecar.signature, r]));
  const pendingHangs = new Set(existing.filter((r) => r.pending && r.sidecar.kind === 'hang').map((r) => r.sidecar.signature));
  const pool = new Pool({
    jobs: options.jobs,
    timeoutMs: options.timeoutMs,
    maxOldMb: options.maxOldMb,
    ...(options.earlyHangMs !== undefined ? { earlyHang: { afterMs: options.earlyHangMs, signatures: pendingHangs } } : {}),
  });
  const report: FuzzReport = {
    seed: options.seed,
    inputs: 0,
    seconds: 0,
    byTarget: {},
    byGenerator: {},
    msByTarget: {},
    signatures: new Map(),
    maxRssMb: 0,
    workersSpawned: 0,
    slowest: { ms: 0, generator: '', index: -1 },
    slow: 0,
  };
  const started = performance.now();
  const end = options.seconds !== undefined ? started + options.seconds * 1000 : Infinity;
  const limit = options.count ?? Infinity;
  let next = options.startIndex ?? 0;
  const inFlight = new Set<number>();
  const journal = (index: number, running: boolean) => {
    if (!options.journal) return;
    if (running) inFlight.add(index);
    else inFlight.delete(index);
    writeFileSync(options.journal, JSON.stringify([...inFlight]));
  };
  let lastLog = started;

  const onFailure = async (failure: Failure, input: GeneratedInput, index: number) => {
    // A reproducer marked fixed that fails again is a regression: it is treated as new (confirmed,
    // minimised and saved), or the input that shows it would be lost in a count.
    const knownOpen = knownSignatures.get(failure.signature)?.pending === true;
    // A new hang is confirmed with three times the limit first: on a busy machine a slow input is not a hang.
    if (failure.kind === 'hang' && !knownOpen && !report.signatures.get(failure.signature)?.confirmed) {
      const again = await pool.run(input, options.timeoutMs * 3);
      if (again.kind === 'ok') {
        report.slow++;
        log(`slow, not hung: input ${index} (${input.generator}) finished in ${Math.round(again.ms)} ms on a second try`);
        return;
      }
    }
    const seen = report.signatures.get(failure.signature);
    // Every occurrence is named (up to a point), so that any of them can be regenerated with inputAt().
    if (!seen || seen.count < 50) log(`${failure.kind} ${failure.signature} [input ${index}, ${input.generator}]`);
    if (seen) {
      seen.count++;
      seen.confirmed = true;
      return;
    }
    const known = knownSignatures.get(failure.signature);
    const stats: SignatureStats = { failure, count: 1, confirmed: true, known: !!known, ...(known ? { file: known.file, knownPending: known.pending } : {}) };
    report.signatures.set(failure.signature, stats);
    log(
      `${known ? (known.pending ? 'known' : 'REGRESSION of') : 'NEW'} ${failure.kind} ${failure.signature}${known ? ` (${path.relative(options.root, known.file)})` : ''} [input ${index}, ${input.generator}]`,
    );
    if (known?.pending) return;
    // Minimise on the same pool, while the other loops go on generating.
    const reproduces = async (candidate: FuzzInput) => {
      const o = await pool.run(candidate);
      return o.kind !== 'ok' && o.signature === failure.signature;
    };
    const deadline = performance.now() + options.minimizeSeconds * 1000;
    const mstats: MinimizeStats = { tries: 0, accepted: 0 };
    const units = /Maximum call stack/.test(failure.message) ? (['lines'] as const) : undefined;
    const text = await minimize(input.text, (t) => reproduces({ ...input, text: t }), deadline, mstats, units);
    const aux = input.aux !== undefined ? await minimize(input.aux, (a) => reproduces({ ...input, text, aux: a }), deadline, mstats, units) : undefined;
    const minimal: FuzzInput = { target: input.target, text, ...(aux !== undefined ? { aux } : {}) };
    stats.file = writeReproducer(options.out, failure, minimal, { generator: input.generator, seed: options.seed, index, originalLength: input.text.length });
    log(`  minimised ${input.text.length} -> ${text.length} chars in ${mstats.tries} tries: ${path.relative(options.root, stats.file)}`);
  };

  const loop = async () => {
    while (next < limit && performance.now() < end) {
      const index = next++;
      const input = inputAt(corpus, options.seed, index, options.heavy);
      report.byTarget[input.target] = (report.byTarget[input.target] ?? 0) + 1;
      report.byGenerator[input.generator] = (report.byGenerator[input.generator] ?? 0) + 1;
      journal(index, true);
      const outcome = await pool.run(input);
      report.inputs++;
      report.msByTarget[input.target] = (report.msByTarget[input.target] ?? 0) + outcome.ms;
      if (outcome.ms > report.slowest.ms) report.slowest = { ms: Math.round(outcome.ms), generator: input.generator, index };
      if (outcome.kind !== 'ok') await onFailure(outcome, input, index);
      journal(index, false);
      const now = performance.now();
      if (now - lastLog > 10_000) {
        lastLog = now;
        log(`${report.inputs} inputs, ${Math.round(report.inputs / ((now - started) / 1000))}/s, ${report.signatures.size} signatures, rss ${rssMb()} MB`);
      }
      report.maxRssMb = Math.max(report.maxRssMb, rssMb());
    }
  };
  try {
    await Promise.all(Array.from({ length: options.jobs }, loop));
  } finally {
    report.seconds = (performance.now() - started) / 1000;
    report.workersSpawned = pool.spawned;
    // maxRSS covers the whole process, workers included (they are threads of it).
    report.maxRssMb = Math.max(report.maxRssMb, Math.round(process.resourceUsage().maxRSS / 1024));
    await pool.close();
  }
  return report;
}

function rssMb(): number {
  return Math.round(process.memoryUsage.rss() / 1048576);
}

/** The report as text: totals, then one line per signature with its count and reproducer. */
export function formatReport(report: FuzzReport, root: string): string {
  const lines = [
    `seed ${report.seed}: ${report.inputs} inputs in ${report.seconds.toFixed(1)} s (${(report.inputs / report.seconds).toFixed(0)}/s), max RSS ${report.maxRssMb} MB, ${report.workersSpawned} workers spawned`,
    `slowest input: ${report.slowest.ms} ms (#${report.slowest.index}, ${report.slowest.generator}); ${report.slow} slow but not hung`,
    `by target: ${Object.entries(report.byTarget)
      .map(([k, v]) => `${k} ${v} (${((report.msByTarget[k] ?? 0) / 1000).toFixed(1)} s)`)
      .join(', ')}`,
    `by generator: ${Object.entries(report.byGenerator)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  ];
  const sigs = [...report.signatures.values()].sort((a, b) => b.count - a.count);
  lines.push(`${sigs.length} distinct failure signatures (${sigs.filter((s) => !s.known).length} new):`);
  for (const s of sigs) {
    lines.push(`  ${s.known ? (s.knownPending ? 'known, pending' : 'KNOWN BUT MARKED FIXED') : 'NEW'} x${s.count} ${s.failure.kind} ${s.failure.signature}`);
    lines.push(`      ${s.failure.message.split('\n')[0]!.slice(0, 160)}${s.file ? `  -> ${path.relative(root, s.file)}` : ''}`);
  }
  return lines.join('\n');
}
