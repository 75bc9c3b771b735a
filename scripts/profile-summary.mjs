#!/usr/bin/env node
// Summarises a .cpuprofile (node --cpu-prof): the pipeline's stages (inclusive time, per scan
// when PROFILE_RUNS scans were profiled), the garbage collector's share, and the functions with
// the most self time. Usage: node scripts/profile-summary.mjs FILE.cpuprofile [top]
import { readFileSync } from 'node:fs';

const profile = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const top = Number(process.argv[3] ?? 20);
const runs = Number(process.env.PROFILE_RUNS ?? 20);
const STAGES = [
  'scan',
  'loadInputs',
  'discover',
  'classify',
  'parseJsonDocument',
  'linkedTemplates',
  'expandTemplate',
  'evaluateResources',
  'evaluatePolicy',
  'makeFinding',
];

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const timeAt = new Map();
profile.samples.forEach((id, i) => timeAt.set(id, (timeAt.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

const name = (frame) => `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${frame.lineNumber + 1}`;
const stageTime = new Map();
const self = new Map();
let gc = 0;
for (const [id, t] of timeAt) {
  const frame = byId.get(id).callFrame;
  if (frame.functionName === '(garbage collector)') gc += t;
  self.set(name(frame), (self.get(name(frame)) ?? 0) + t);
  // Inclusive time: each stage once per sample, however deep the recursion.
  const seen = new Set();
  for (let at = id; at !== undefined; at = parent.get(at)) {
    const f = byId.get(at).callFrame;
    if (!f.url.includes('/dist/') || !STAGES.includes(f.functionName) || seen.has(f.functionName)) continue;
    seen.add(f.functionName);
    stageTime.set(f.functionName, (stageTime.get(f.functionName) ?? 0) + t);
  }
}
const whole = (stageTime.get('scan') ?? 0) + gc;
const ms = (us) => (us / 1000 / runs).toFixed(1).padStart(8);
const share = (us) => `${((100 * us) / whole).toFixed(1).padStart(5)}%`;
console.log(`per scan (${runs} scans): stages inclusive, shares of scan + GC`);
for (const s of STAGES) console.log(`${s.padEnd(20)}${ms(stageTime.get(s) ?? 0)} ms ${share(stageTime.get(s) ?? 0)}`);
console.log(`${'garbage collector'.padEnd(20)}${ms(gc)} ms ${share(gc)}`);
console.log(`functions by self time:`);
for (const [f, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(t)} ms ${share(t)}  ${f}`);
