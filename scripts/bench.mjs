#!/usr/bin/env node
// Benchmark: a whole `tollgate scan examples/` as a user runs it (process start included),
// against `node -e 0` measured in the same run as the floor. Medians of several runs; no
// timing ever decides a test.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.env.BENCH_RUNS ?? 15);

function time(args) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'ignore' });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(' ')} exited ${r.status}`);
    samples.push(ms);
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)];
  return { median, min: samples[0], max: samples[samples.length - 1] };
}

const floor = time(['-e', '0']);
const scanExamples = time(['dist/cli/main.js', 'scan', 'examples/', '--format', 'json']);
const fmt = (r) => `median ${r.median.toFixed(1)} ms (min ${r.min.toFixed(1)}, max ${r.max.toFixed(1)})`;
console.log(`runs per case: ${runs}, node ${process.version}`);
console.log(`node -e 0                      ${fmt(floor)}`);
console.log(`tollgate scan examples/        ${fmt(scanExamples)}`);
console.log(`ratio scan / node start        ${(scanExamples.median / floor.median).toFixed(2)}x`);
console.log(`tollgate's own time (median)   ${(scanExamples.median - floor.median).toFixed(1)} ms`);
