// `npm run fuzz -- --seconds N [--seed S] [--jobs J] [--out DIR] [--timeout MS] [--max-old-mb MB]
// [--count N] [--light] [--minimize-seconds S] [--early-hang-ms MS]`: a fuzz campaign from the command line. Compiled
// with the tests (tsconfig.test.json) and started by scripts/fuzz.mjs after that build.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../../src/package-root.js';
import { loadCorpus } from './generators.js';
import { failure, Pool } from './pool.js';
import { readReproducers, writeReproducer } from './reproducers.js';
import { formatReport, inputAt, runFuzz } from './run.js';

function parseArgs(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument '${a}'`);
    const [key, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
    if (key === 'light' || key === 'help' || key === 'promote-fixed') out[key] = 'true';
    else out[key] = inline ?? argv[++i] ?? '';
  }
  return out;
}

const USAGE = `usage: npm run fuzz -- [--seconds 60] [--seed S] [--jobs 1] [--out DIR] [--timeout 10000] [--max-old-mb 1024] [--count N] [--light] [--minimize-seconds 60] [--early-hang-ms MS]\n       npm run fuzz -- --promote-fixed   (move pending reproducers that now pass up to the regression tests)`;

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const known = new Set([
    'seconds',
    'seed',
    'jobs',
    'out',
    'timeout',
    'max-old-mb',
    'count',
    'light',
    'minimize-seconds',
    'early-hang-ms',
    'help',
    'start-index',
    'journal',
    'promote-fixed',
  ]);
  for (const k of Object.keys(args)) if (!known.has(k)) throw new Error(`unknown option --${k}\n${USAGE}`);
  const num = (k: string, d: number) => {
    if (args[k] === undefined) return d;
    const n = Number(args[k]);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${k} wants a number, not '${args[k]}'`);
    return n;
  };
  const root = packageRoot();
  const seed = num('seed', Math.floor(Math.random() * 2 ** 31));
  const options = {
    root,
    seed,
    seconds: num('seconds', 60),
    ...(args.count !== undefined ? { count: num('count', 0) } : {}),
    jobs: Math.max(1, num('jobs', 1)),
    timeoutMs: num('timeout', 10_000),
    maxOldMb: num('max-old-mb', 1024),
    heavy: !args.light,
    out: path.resolve(args.out ?? path.join(root, 'test/fuzz/reproducers/pending')),
    minimizeSeconds: num('minimize-seconds', 60),
    ...(args['early-hang-ms'] !== undefined ? { earlyHangMs: num('early-hang-ms', 0) } : {}),
    log: (line: string) => console.log(`[fuzz ${new Date().toISOString().slice(11, 19)}] ${line}`),
  };
  if (args['promote-fixed']) return promoteFixed(root, options.timeoutMs, options.maxOldMb);
  if (args.journal === undefined) return supervise(options, process.argv.slice(2));
  if (args['start-index'] !== undefined) Object.assign(options, { startIndex: num('start-index', 0) });
  Object.assign(options, { journal: args.journal });
  console.log(
    `fuzzing with seed ${seed} for ${options.seconds} s (${options.jobs} job${options.jobs === 1 ? '' : 's'}, ${options.heavy ? 'heavy' : 'light'} sizes, time limit ${options.timeoutMs} ms, heap limit ${options.maxOldMb} MB per worker)`,
  );
  const report = await runFuzz(options);
  console.log(formatReport(report, root));
  return [...report.signatures.values()].some((s) => !s.known || !s.knownPending) ? 1 : 0;
}

/**
 * `--promote-fixed`, for whoever merges a fix: runs every reproducer in pending/ and moves those
 * that now pass up into test/fuzz/reproducers/ with `"fixed": true`, where they are regression
 * tests. Those still failing stay where they are.
 */
async function promoteFixed(root: string, timeoutMs: number, maxOldMb: number): Promise<number> {
  const dir = path.join(root, 'test/fuzz/reproducers');
  const pool = new Pool({ jobs: 1, timeoutMs, maxOldMb });
  let moved = 0;
  try {
    for (const r of readReproducers(dir).filter((x) => x.pending)) {
      const o = await pool.run(r.input);
      const name = path.basename(r.file);
      if (o.kind !== 'ok') {
        console.log(`still failing: ${name}: ${o.signature === r.sidecar.signature ? 'same' : 'another'} ${o.kind} (${o.signature})`);
        continue;
      }
      const from = path.dirname(r.file);
      for (const f of [r.sidecar.input, ...(r.sidecar.auxFile ? [r.sidecar.auxFile] : [])]) renameSync(path.join(from, f), path.join(dir, f));
      writeFileSync(path.join(dir, name), JSON.stringify({ ...r.sidecar, fixed: true }, null, 2) + '\n');
      rmSync(r.file);
      moved++;
      console.log(`fixed: ${name} passes (${Math.round(o.ms)} ms): moved to test/fuzz/reproducers/`);
    }
  } finally {
    await pool.close();
  }
  console.log(`${moved} reproducer(s) promoted to regression tests`);
  return 0;
}

/**
 * The campaign runs in a child process, restarted when it dies: V8 can abort the whole process
 * (not just the worker) when a worker overruns its heap limit inside a runtime function. The
 * input that was in flight (from the journal) is then saved as a fatal out-of-memory reproducer
 * (not minimised: every try could abort again) and the campaign goes on after it.
 */
function supervise(options: { root: string; seed: number; seconds: number; count?: number; heavy: boolean; out: string }, argv: string[]): number {
  const end = Date.now() + options.seconds * 1000;
  const dir = mkdtempSync(path.join(tmpdir(), 'tollgate-fuzz-journal-'));
  const journal = path.join(dir, 'in-flight.json');
  const self = fileURLToPath(import.meta.url);
  let start = 0;
  let status: number;
  const fatal: string[] = [];
  for (;;) {
    const remaining = Math.max(1, Math.round((end - Date.now()) / 1000));
    // The seed too: without --seed the supervisor picked one, and every restart must use it.
    const args = [...argv, '--seed', String(options.seed), '--journal', journal, '--start-index', String(start), '--seconds', String(remaining)];
    if (options.count !== undefined) args.push('--count', String(Math.max(0, options.count - start)));
    rmSync(journal, { force: true });
    const child = spawnSync(process.execPath, [self, ...args], { stdio: 'inherit' });
    if (child.status !== null && child.signal === null && child.status <= 2) {
      status = child.status;
      break;
    }
    const inFlight = existsSync(journal) ? (JSON.parse(readFileSync(journal, 'utf8')) as number[]) : [];
    console.log(`[fuzz] the campaign process died (${child.signal ?? `exit ${child.status}`}) with inputs ${inFlight.join(', ') || '(none)'} in flight`);
    if (!inFlight.length) {
      status = 2;
      break;
    }
    const corpus = loadCorpus(options.root);
    const known = new Set(readReproducers(path.join(options.root, 'test/fuzz/reproducers')).map((r) => r.sidecar.signature));
    for (const index of inFlight) {
      const input = inputAt(corpus, options.seed, index, options.heavy);
      const f = failure(
        'oom',
        'FatalOutOfMemory',
        `the process aborted (${child.signal ?? child.status}): V8 heap limit overrun inside a runtime call`,
        '',
        'idle',
        input.target,
      );
      const seen = known.has(f.signature);
      if (!seen)
        fatal.push(writeReproducer(options.out, f, input, { generator: input.generator, seed: options.seed, index, originalLength: input.text.length }));
      console.log(`[fuzz] ${seen ? 'known' : 'NEW'} oom ${f.signature} [input ${index}, ${input.generator}]`);
    }
    start = Math.max(...inFlight) + 1;
    status = 1;
    if (Date.now() >= end || (options.count !== undefined && start >= options.count)) break;
  }
  rmSync(dir, { recursive: true, force: true });
  if (fatal.length) console.log(`[fuzz] fatal out-of-memory reproducers (not minimised): ${fatal.map((f) => path.relative(options.root, f)).join(', ')}`);
  return status;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(err.message);
    process.exit(2);
  },
);
