#!/usr/bin/env node
// Benchmarks (never a test: no timing decides pass or fail).
//
// 1. Throughput: the bundled real-world corpora, copied several times into a temporary tree
//    (a few MB), scanned in-process. The floor is reading the same files and JSON.parse-ing
//    them, measured in the same run; the ratio scan / floor is the number to watch (goal <= 3).
// 2. Start-up: `tollgate scan examples/` as a user runs it, against `node -e 0`.
//
// Medians of BENCH_RUNS runs (default 7 and 15). Requires `npm run build` (done by `prepare`).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { scan, loadRuleSet } = await import(path.join(root, 'dist/scan.js'));

const copies = Number(process.env.BENCH_COPIES ?? 3);
const runs = Number(process.env.BENCH_RUNS ?? 7);

function median(samples) {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function listJson(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listJson(p));
    else if (/\.jsonc?$/i.test(entry.name)) out.push(p);
  }
  return out;
}

// ---- 1. throughput ---------------------------------------------------------------------------
const corpusSource = path.join(root, 'test/fixtures/upstream/corpora');
const corpus = mkdtempSync(path.join(tmpdir(), 'tollgate-bench-'));
for (let i = 0; i < copies; i++) cpSync(corpusSource, path.join(corpus, `copy${i}`), { recursive: true });
const files = listJson(corpus);
const bytes = files.reduce((n, f) => n + statSync(f).size, 0);

function floorRun() {
  const t0 = performance.now();
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    try {
      JSON.parse(text);
    } catch {
      // a few files have comments: the floor still paid for reading and trying
    }
  }
  return performance.now() - t0;
}

const ruleSet = loadRuleSet();
let last;
function scanRun() {
  const t0 = performance.now();
  // JSON only, like the floor; Bicep has its own comparison below.
  last = scan({ paths: [corpus], cwd: corpus, ruleSet, include: ['**/*.json', '**/*.jsonc'] });
  return performance.now() - t0;
}

// Warm up both (JIT, file cache), then alternate so neither gets a systematic advantage.
floorRun();
scanRun();
const floorSamples = [];
const scanSamples = [];
for (let i = 0; i < runs; i++) {
  floorSamples.push(floorRun());
  scanSamples.push(scanRun());
}
rmSync(corpus, { recursive: true, force: true });

const resources = last.units.reduce((n, u) => n + u.resources, 0);
const floorMs = median(floorSamples);
const scanMs = median(scanSamples);
console.log(`node ${process.version}, ${runs} runs per case, medians`);
console.log(`corpus: ${files.length} files, ${(bytes / 1e6).toFixed(2)} MB (corpora x${copies}), ${last.units.length} scan units, ${resources} resources, ${last.findings.length} findings, ${ruleSet.rules.length} rules`);
console.log(`(a) read + JSON.parse          ${floorMs.toFixed(1)} ms`);
console.log(`(b) tollgate scan (in-process) ${scanMs.toFixed(1)} ms`);
console.log(`ratio b / a                    ${(scanMs / floorMs).toFixed(2)}x`);
console.log(`peak RSS                       ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);

// ---- 3. Bicep against its compiled JSON ----------------------------------------------------
// Every compiler baseline and corpus folder with a main.bicep and its compiled JSON: scanning
// the .bicep files (parse + lower + expand + rules) against scanning the JSON, same run.
{
  const dirs = [];
  const baselines = path.join(root, 'test/fixtures/upstream/bicep/baselines');
  for (const d of readdirSync(baselines)) dirs.push(path.join(baselines, d));
  dirs.push(path.join(corpusSource, 'avm-apim'));
  for (const d of readdirSync(path.join(corpusSource, 'quickstart-apim'))) dirs.push(path.join(corpusSource, 'quickstart-apim', d));
  const pairs = [];
  for (const d of dirs) {
    const b = path.join(d, 'main.bicep');
    const j = ['main.json', 'azuredeploy.json'].map((f) => path.join(d, f)).find((f) => { try { return statSync(f).isFile(); } catch { return false; } });
    try {
      if (statSync(b).isFile() && j) pairs.push([b, j]);
    } catch {
      // no main.bicep here
    }
  }
  const timeAll = (pick) => {
    const t0 = performance.now();
    for (const pair of pairs) scan({ paths: [pick(pair)], cwd: path.dirname(pair[0]), ruleSet });
    return performance.now() - t0;
  };
  timeAll((p) => p[0]);
  timeAll((p) => p[1]);
  const bicepSamples = [];
  const jsonSamples = [];
  for (let i = 0; i < runs; i++) {
    bicepSamples.push(timeAll((p) => p[0]));
    jsonSamples.push(timeAll((p) => p[1]));
  }
  const bicepMs = median(bicepSamples);
  const jsonMs = median(jsonSamples);
  console.log(`bicep: ${pairs.length} main.bicep files with their compiled JSON (baselines + corpora)`);
  console.log(`(c) scan the compiled JSON     ${jsonMs.toFixed(1)} ms`);
  console.log(`(d) scan the .bicep files      ${bicepMs.toFixed(1)} ms`);
  console.log(`ratio d / c                    ${(bicepMs / jsonMs).toFixed(2)}x (goal <= 2)`);
  const avm = path.join(corpusSource, 'avm-apim');
  const avmSamples = [];
  let avmOut;
  for (let i = 0; i < runs + 1; i++) {
    const t0 = performance.now();
    avmOut = scan({ paths: [avm], cwd: avm, ruleSet, include: ['**/*.bicep'] });
    if (i > 0) avmSamples.push(performance.now() - t0);
  }
  console.log(`whole AVM APIM module (.bicep) ${median(avmSamples).toFixed(1)} ms (${avmOut.units.length} entry points, ${avmOut.units.reduce((n, u) => n + u.resources, 0)} resources)`);
}

// ---- 2. start-up -----------------------------------------------------------------------------
function timeProcess(args, n) {
  const samples = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'ignore' });
    if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(' ')} exited ${r.status}`);
    samples.push(performance.now() - t0);
  }
  return median(samples);
}
const startRuns = Number(process.env.BENCH_START_RUNS ?? 15);
const nodeStart = timeProcess(['-e', '0'], startRuns);
const cliScan = timeProcess(['dist/cli/main.js', 'scan', 'examples/', '--format', 'json'], startRuns);
console.log(`node -e 0                      ${nodeStart.toFixed(1)} ms`);
console.log(`tollgate scan examples/ (CLI)  ${cliScan.toFixed(1)} ms (${(cliScan / nodeStart).toFixed(2)}x node start)`);
