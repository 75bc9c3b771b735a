#!/usr/bin/env node
// Compares Tollgate's expansion of AVM Bicep modules with its expansion of the official compiler's
// main.json for the same module: resource type, name and body, per unit. Scratch tool for issue 18
// (not part of the test suite: the AVM tree lives outside the repository).
//
//   npm run build && node scripts/avm-conformance.mjs [avm folder] [filter] [--diff]
//
// Units: every module folder (main.bicep vs main.json, parameter defaults only) and every
// tests/e2e/*/main.test.bicep (the test calling ../../../main.bicep vs the same test calling
// ../../../main.json). The AVM tree is copied to a temporary folder holding a `.git` marker so
// that the sandbox covers it, and registry modules (`br/public:…`) are served from a fake Bicep
// cache built from the templates the compiler inlined in main.json, so both sides see the same
// registry modules.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const args = process.argv.slice(2);
const showDiff = args.includes('--diff');
const positional = args.filter((a) => !a.startsWith('--'));
const avm = path.resolve(positional[0] ?? '../shared/upstream/bicep/avm/avm');
const filter = positional[1] ?? '';

const work = mkdtempSync(path.join(os.tmpdir(), 'avm-conf-'));
cpSync(path.join(avm, 'res'), path.join(work, 'res'), { recursive: true });
if (existsSync(path.join(avm, 'utl'))) cpSync(path.join(avm, 'utl'), path.join(work, 'utl'), { recursive: true });
mkdirSync(path.join(work, '.git'));
const home = path.join(work, 'home');
process.env.HOME = home; // os.homedir() reads HOME: the fake registry cache lives there

function walk(dir, name, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, name, out);
    else if (e.name === name) out.push(p);
  }
  return out;
}

// Fake registry cache: br/public:<repo>:<tag> -> the template the compiler inlined for it.
function cachePath(repo, tag) {
  return path.join(home, '.bicep', 'br', 'mcr.microsoft.com', `bicep/${repo}`.replace(/\//g, '$'), `${tag}$`, 'main.json');
}
const bicepFiles = walk(path.join(work, 'res'), 'main.bicep');
// Every template nested in a compiled main.json, by the symbolic name of the deployment holding it.
function nestedTemplates(template, out = new Map()) {
  const resources = template?.resources;
  if (resources && typeof resources === 'object' && !Array.isArray(resources)) {
    for (const [sym, r] of Object.entries(resources)) {
      const inner = r?.properties?.template;
      if (inner) {
        if (!out.has(sym)) out.set(sym, inner);
        nestedTemplates(inner, out);
      }
    }
  } else if (Array.isArray(resources)) {
    for (const r of resources) if (r?.properties?.template) nestedTemplates(r.properties.template, out);
  }
  return out;
}
for (const bicep of bicepFiles) {
  const dir = path.dirname(bicep);
  const json = path.join(dir, 'main.json');
  if (!existsSync(json)) continue;
  let compiled;
  try {
    compiled = nestedTemplates(JSON.parse(readFileSync(json, 'utf8')));
  } catch {
    continue;
  }
  // main.bicep and the module's private .bicep files (modules/*.bicep), not its child modules' folders.
  const sources = [
    bicep,
    ...(existsSync(path.join(dir, 'modules'))
      ? readdirSync(path.join(dir, 'modules'))
          .filter((f) => f.endsWith('.bicep'))
          .map((f) => path.join(dir, 'modules', f))
      : []),
  ];
  for (const source of sources) {
    const text = readFileSync(source, 'utf8');
    for (const m of text.matchAll(/^module\s+(\w+)\s+'br\/public:([^':]+):([^']+)'/gm)) {
      const [, sym, repo, tag] = m;
      const template = compiled.get(sym);
      const file = cachePath(repo, tag);
      if (template && !existsSync(file)) {
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, JSON.stringify(template));
      }
    }
    for (const m of text.matchAll(/from\s+'br\/public:([^':]+):([^']+)'/g)) {
      const [, repo, tag] = m;
      const local = path.join(work, repo, 'main.json');
      const file = cachePath(repo, tag);
      if (existsSync(local) && !existsSync(file)) {
        mkdirSync(path.dirname(file), { recursive: true });
        cpSync(local, file);
      }
    }
  }
}

const { runExpand } = await import(new URL('../dist/cli/commands/expand.js', import.meta.url));

const outFile = path.join(work, 'out.json');
function expand(file) {
  rmSync(outFile, { force: true });
  const write = process.stderr.write;
  process.stderr.write = () => true;
  try {
    runExpand(file, { output: outFile });
  } catch (e) {
    return { crash: String(e?.stack ?? e) };
  } finally {
    process.stderr.write = write;
  }
  if (!existsSync(outFile)) return { crash: 'no output' };
  return JSON.parse(readFileSync(outFile, 'utf8'));
}

// Unknown values say why; the reason names Bicep symbols on one side and expressions on the other.
function norm(v) {
  if (typeof v === 'string') return v.replace(/<unknown[^>]*>/g, '<unknown>').replace(/main\.(bicep|json)$/, 'main.*');
  if (Array.isArray(v)) return v.map(norm);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, norm(v[k])]),
    );
  return v;
}
function resources(out) {
  return (out.resources ?? [])
    .map((r) => {
      // A module is a linked template on the Bicep side and an inline one in main.json.
      const props = r.body?.properties;
      if (r.type === 'Microsoft.Resources/deployments' && props && typeof props === 'object') {
        delete props.template;
        delete props.templateLink;
      }
      return JSON.stringify(norm({ type: r.type, name: r.name, body: r.body }));
    })
    .sort();
}

// The first place two resource lines differ, as a short path: what the report groups by.
function firstDifference(x, y, at = '') {
  if (JSON.stringify(x) === JSON.stringify(y)) return undefined;
  if (x && y && typeof x === 'object' && typeof y === 'object') {
    for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) {
      const d = firstDifference(x[k], y[k], `${at}.${k}`);
      if (d) return d;
    }
  }
  if (typeof x === 'string' && typeof y === 'string') {
    // Long strings (ids) differ late: show them from a little before the first difference.
    let i = 0;
    while (i < x.length && x[i] === y[i]) i++;
    const from = Math.max(0, i - 40);
    return `${at}: …${JSON.stringify(x.slice(from, from + 140))} | …${JSON.stringify(y.slice(from, from + 140))}`;
  }
  return `${at}: ${JSON.stringify(x)?.slice(0, 160)} | ${JSON.stringify(y)?.slice(0, 160)}`;
}
function pairUp(onlyA, onlyB) {
  const out = [];
  const bs = onlyB.map((s) => JSON.parse(s));
  for (const s of onlyA) {
    const a = JSON.parse(s);
    const i = bs.findIndex((b) => b.type.toLowerCase() === a.type.toLowerCase() && b.name === a.name);
    if (i < 0) out.push(`only in bicep: ${a.type} ${a.name}`);
    else out.push(firstDifference(a, bs.splice(i, 1)[0]));
  }
  for (const b of bs) out.push(`only in json: ${b.type} ${b.name}`);
  return out;
}

const units = [];
for (const bicep of bicepFiles) {
  const dir = path.dirname(bicep);
  if (!existsSync(path.join(dir, 'main.json'))) continue;
  units.push({ name: path.relative(work, dir), a: bicep, b: path.join(dir, 'main.json') });
  const e2e = path.join(dir, 'tests', 'e2e');
  if (!existsSync(e2e)) continue;
  for (const t of readdirSync(e2e)) {
    const test = path.join(e2e, t, 'main.test.bicep');
    if (!existsSync(test)) continue;
    const text = readFileSync(test, 'utf8');
    const re = /^(module\s+\w+\s+')((?:\.\.\/)+)main\.bicep'/m;
    if (!re.test(text)) continue;
    const variant = path.join(e2e, t, 'main.test.cmp.bicep');
    writeFileSync(variant, text.replace(re, "$1$2main.json'"));
    units.push({ name: path.relative(work, path.join(e2e, t)), a: test, b: variant });
  }
}

let equal = 0;
let total = 0;
const report = [];
for (const u of units) {
  if (filter && !u.name.includes(filter)) continue;
  total++;
  const a = expand(u.a);
  const b = expand(u.b);
  if (a.crash || b.crash) {
    report.push(`CRASH ${u.name}: ${(a.crash ?? b.crash).split('\n')[0]}`);
    continue;
  }
  const ra = resources(a);
  const rb = resources(b);
  const onlyA = ra.filter((x) => !rb.includes(x));
  const onlyB = rb.filter((x) => !ra.includes(x));
  if (!onlyA.length && !onlyB.length) {
    equal++;
    continue;
  }
  report.push(`DIFF ${u.name}: ${onlyA.length} only in bicep, ${onlyB.length} only in json (${ra.length}/${rb.length})`);
  for (const d of pairUp(onlyA, onlyB)) report.push(`  ${d}`);
  if (showDiff) {
    for (const x of onlyA) report.push(`  bicep: ${process.env.FULL ? x : x.slice(0, 600)}`);
    for (const x of onlyB) report.push(`  json:  ${process.env.FULL ? x : x.slice(0, 600)}`);
  }
}
console.log(report.join('\n'));
console.log(`${equal} of ${total} units equal (${((100 * equal) / Math.max(total, 1)).toFixed(1)}%)`);
rmSync(work, { recursive: true, force: true });
