#!/usr/bin/env node
// Profiling harness (never a test): scans the bench corpus in-process, as scripts/bench.mjs does,
// PROFILE_RUNS times (default 20) after one warm-up, so that a profile is mostly steady-state work.
// Requires `npm run build`. Typical uses (docs/performance.md):
//   node --cpu-prof --cpu-prof-dir=/tmp/prof scripts/profile-scan.mjs && node scripts/profile-summary.mjs /tmp/prof/*.cpuprofile
//   node --trace-gc scripts/profile-scan.mjs
//   PROFILE_ALLOCATIONS=1 node scripts/profile-scan.mjs   (sampled allocations per scan, collected objects included)
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { scan, loadRuleSet } = await import(path.join(root, 'dist/scan.js'));
const copies = Number(process.env.BENCH_COPIES ?? 3);
const runs = Number(process.env.PROFILE_RUNS ?? 20);

const corpus = mkdtempSync(path.join(tmpdir(), 'tollgate-profile-'));
for (let i = 0; i < copies; i++) cpSync(path.join(root, 'test/fixtures/upstream/corpora'), path.join(corpus, `copy${i}`), { recursive: true });
const ruleSet = loadRuleSet();
const scanOnce = () => scan({ paths: [corpus], cwd: corpus, ruleSet, include: ['**/*.json', '**/*.jsonc'] });
scanOnce();

let session;
if (process.env.PROFILE_ALLOCATIONS) {
  session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
}
const cpu = [];
for (let i = 0; i < runs; i++) {
  const start = process.cpuUsage();
  scanOnce();
  const used = process.cpuUsage(start);
  cpu.push((used.user + used.system) / 1000);
}
cpu.sort((a, b) => a - b);
console.log(`${runs} scans of the corpus x${copies}: CPU per scan min ${cpu[0].toFixed(1)} ms, median ${cpu[Math.floor(runs / 2)].toFixed(1)} ms`);

if (session) {
  const { profile } = await session.post('HeapProfiler.stopSampling');
  const bySite = new Map();
  let total = 0;
  const walk = (node) => {
    const f = node.callFrame;
    const site = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${f.lineNumber + 1}`;
    total += node.selfSize;
    bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
    for (const c of node.children) walk(c);
  };
  walk(profile.head);
  console.log(`allocated per scan (sampled): ${(total / runs / 1e6).toFixed(1)} MB`);
  for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.PROFILE_TOP ?? 15)))
    console.log(`${(bytes / runs / 1e6).toFixed(2).padStart(7)} MB  ${site}`);
}
rmSync(corpus, { recursive: true, force: true });
