// `npm run fuzz -- --seconds N [--seed S] [--jobs J] [--out DIR] [--timeout MS] [--max-old-mb MB]
// [--count N] [--light] [--minimize-seconds S] [--early-hang-ms MS]`: a fuzz campaign from the command line. Compiled
// with the tests (tsconfig.test.json) and started by scripts/fuzz.mjs after that build.
import path from 'node:path';
import { packageRoot } from '../../src/package-root.js';
import { formatReport, runFuzz } from './run.js';

function parseArgs(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument '${a}'`);
    const [key, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
    if (key === 'light' || key === 'help') out[key] = 'true';
    else out[key] = inline ?? argv[++i] ?? '';
  }
  return out;
}

const USAGE = `usage: npm run fuzz -- [--seconds 60] [--seed S] [--jobs 1] [--out DIR] [--timeout 10000] [--max-old-mb 1024] [--count N] [--light] [--minimize-seconds 60] [--early-hang-ms MS]`;

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const known = new Set(['seconds', 'seed', 'jobs', 'out', 'timeout', 'max-old-mb', 'count', 'light', 'minimize-seconds', 'early-hang-ms', 'help']);
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
  console.log(`fuzzing with seed ${seed} for ${options.seconds} s (${options.jobs} job${options.jobs === 1 ? '' : 's'}, ${options.heavy ? 'heavy' : 'light'} sizes, time limit ${options.timeoutMs} ms, heap limit ${options.maxOldMb} MB per worker)`);
  const report = await runFuzz(options);
  console.log(formatReport(report, root));
  return [...report.signatures.values()].some((s) => !s.known || !s.knownPending) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(err.message);
    process.exit(2);
  },
);
