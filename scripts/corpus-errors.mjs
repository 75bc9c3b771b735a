#!/usr/bin/env node
// Measures the errors Tollgate reports on a corpus of real templates (issue 17, item 5): how many
// templates scan with no error, and the errors grouped by code and message shape with counts, so
// that a false error class shows up as one line with a count and can be re-measured after a fix.
// Expansion only: no rule runs (rules do not make input errors, and they would dominate the time).
//
//   npm run build && node scripts/corpus-errors.mjs [--json] [--examples N] [--name main.json] NAME=PATH...
//
//   NAME=PATH       a corpus: a folder scanned as `tollgate scan PATH` would (the label is free)
//   dine:NAME=PATH  a folder of Azure Policy definitions: the templates of their deployIfNotExists
//                   effects are written to a temporary folder and scanned as templates (Azure's
//                   built-in definitions hold hundreds)
//   dine-escaped:NAME=PATH  the same for definitions stored inside ARM templates, whose own
//                   expressions are escaped (`[[...]`, Azure Landing Zones): one level is taken off
//   --name FILE     only files of that name are scanned in every corpus (e.g. `main.json`: AVM's compiled
//                   modules and the Bicep baselines, whose other files are Bicep sources)
//   --examples N    show N example locations per group (default 2)
//   --json          print the measurements as JSON instead of text
//
//   --upstream DIR  where the default corpora live (default: ../shared/upstream beside the repository)
//
// Without NAME=PATH, the corpora of issue 17 under the upstream folder (those present) are measured.
//
// "Nested template scanned standalone": an error in a file that another file of the corpus links to
// (its name appears in the other file's text next to `templateLink`/`relativePath`) is counted apart:
// Tollgate evaluates such a file on its own with empty defaults too (issue 17 item 3 removes that).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { scan } = await import(path.join(root, 'dist/scan.js'));

const args = process.argv.slice(2);
const asJson = args.includes('--json');
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const examples = Number(option('--examples', '2'));
const onlyName = option('--name', undefined);
const optionValues = new Set([option('--examples'), option('--name'), option('--upstream')].filter(Boolean));
let corpora = args
  .filter((a) => a.includes('=') && !a.startsWith('--') && !optionValues.has(a))
  .map((a) => {
    const [label, ...rest] = a.split('=');
    const kind = /^(dine|dine-escaped):/.exec(label)?.[1];
    return { name: kind ? label.slice(kind.length + 1) : label, path: path.resolve(rest.join('=')), include: onlyName ? [onlyName] : undefined, dine: kind };
  });
if (!corpora.length) {
  const up = path.resolve(option('--upstream', path.join(root, '../shared/upstream')));
  corpora = [
    { name: 'quickstart-apim', path: path.join(up, 'corpora/quickstart-apim') },
    { name: 'avm-apim', path: path.join(up, 'corpora/avm-apim') },
    { name: 'avm main.json', path: path.join(up, 'bicep/avm'), include: ['main.json'] },
    { name: 'bicep baselines main.json', path: path.join(up, 'bicep/baselines'), include: ['main.json'] },
    { name: 'bicepparam baselines main.json', path: path.join(up, 'bicep/baselines-bicepparam'), include: ['main.json'] },
    { name: 'psrule expansion fixtures', path: path.join(up, 'psrule/expansion') },
    { name: 'alz deployIfNotExists templates', path: path.join(up, 'azure-policy/alz'), dine: 'dine-escaped' },
    { name: 'built-in policy deployIfNotExists templates', path: path.join(up, 'azure-policy/built-in-policies'), dine: 'dine' },
  ].filter((c) => existsSync(c.path));
}

/** `[[x]` is how a template that deploys a policy writes the policy's own `[x]`: one level of escape off. */
function unescapeArm(v) {
  if (typeof v === 'string') return v.startsWith('[[') ? v.slice(1) : v;
  if (Array.isArray(v)) return v.map(unescapeArm);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [unescapeArm(k), unescapeArm(x)]));
  return v;
}

/** The deployIfNotExists templates of the policy definitions under `dir`, written as files into a new temporary folder. */
function extractDineTemplates(dir, escaped) {
  const out = mkdtempSync(path.join(os.tmpdir(), 'corpus-dine-'));
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.json')) {
        let definition;
        try {
          definition = JSON.parse(readFileSync(p, 'utf8'));
        } catch {
          continue;
        }
        const template = definition?.properties?.policyRule?.then?.details?.deployment?.properties?.template;
        if (!template || typeof template !== 'object') continue;
        const target = path.join(out, path.relative(dir, p));
        mkdirSync(path.dirname(target), { recursive: true });
        writeFileSync(target, JSON.stringify(escaped ? unescapeArm(template) : template, null, 2));
      }
    }
  };
  walk(dir);
  return out;
}

/** The message with its particulars blanked: quoted text, numbers, ids; what makes a class of errors. */
function shape(message) {
  return message
    .replace(/'[^']*'/g, "'…'")
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\b\d+(\.\d+)?\b/g, 'N')
    .slice(0, 200);
}

/** Files that another file of the corpus links to by name: scanned standalone, they see empty defaults. */
function linkedNames(files, cwd) {
  const linked = new Set();
  for (const f of files) {
    let text;
    try {
      text = readFileSync(path.resolve(cwd, f), 'utf8');
    } catch {
      continue;
    }
    if (!/templateLink|relativePath/i.test(text)) continue;
    for (const other of files) {
      if (other === f) continue;
      const rel = path
        .relative(path.dirname(path.resolve(cwd, f)), path.resolve(cwd, other))
        .split(path.sep)
        .join('/');
      const base = path.basename(other);
      if (text.includes(rel) || text.includes(`/${base}`) || text.includes(`'${base}'`) || text.includes(`"${base}"`)) linked.add(other);
    }
  }
  return linked;
}

const noRules = { rules: [], diagnostics: [], effectErrors: [] };
const report = [];
for (const corpus of corpora) {
  const started = Date.now();
  const where = corpus.dine ? extractDineTemplates(corpus.path, corpus.dine === 'dine-escaped') : corpus.path;
  const out = scan({ paths: [where], cwd: where, include: corpus.include, ruleSet: noRules, unitTimeoutSeconds: 60 });
  const templates = [...new Set(out.units.map((u) => u.file))];
  const linked = linkedNames(templates, where);
  const errors = out.diagnostics.filter((d) => d.severity === 'error');
  const withError = new Set();
  const groups = new Map();
  for (const d of errors) {
    const file = d.location?.file ?? d.file ?? '';
    withError.add(file);
    const standalone = linked.has(file);
    const key = `${standalone ? 'standalone ' : ''}${d.code}\u0000${shape(d.message)}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { code: d.code, shape: shape(d.message), standalone, count: 0, examples: [] }));
    g.count++;
    if (g.examples.length < examples) g.examples.push(`${file}:${d.location?.start.line ?? ''}: ${d.message.slice(0, 240)}`);
  }
  const byCode = {};
  for (const d of errors) byCode[d.code] = (byCode[d.code] ?? 0) + 1;
  const warningsByCode = {};
  for (const d of out.diagnostics) if (d.severity === 'warning') warningsByCode[d.code] = (warningsByCode[d.code] ?? 0) + 1;
  report.push({
    corpus: corpus.name,
    path: corpus.path,
    templates: templates.length,
    // A template whose own file holds no error (an error in a module or linked file counts for that file).
    templatesWithoutError: templates.filter((t) => !withError.has(t)).length,
    filesWithError: withError.size,
    linkedTemplates: templates.filter((t) => linked.has(t)).length,
    errors: errors.length,
    errorsInStandaloneNested: errors.filter((d) => linked.has(d.location?.file ?? d.file ?? '')).length,
    byCode,
    warningsByCode,
    groups: [...groups.values()].sort((a, b) => b.count - a.count),
    seconds: Math.round((Date.now() - started) / 100) / 10,
  });
  if (corpus.dine) rmSync(where, { recursive: true, force: true });
}

if (asJson) {
  console.log(JSON.stringify(report, null, 2));
} else {
  for (const r of report) {
    console.log(`\n== ${r.corpus} (${r.path}) ${r.seconds}s`);
    console.log(`templates ${r.templates}, with no error ${r.templatesWithoutError}, linked by another (also scanned standalone) ${r.linkedTemplates}`);
    console.log(`errors ${r.errors} in ${r.filesWithError} files (in linked templates scanned standalone: ${r.errorsInStandaloneNested})`);
    const list = (counts) =>
      Object.entries(counts)
        .sort((a, b) => b[1] - a[1])
        .map(([c, n]) => `${c} ${n}`)
        .join(', ') || 'none';
    console.log(`errors by code: ${list(r.byCode)}`);
    console.log(`warnings by code (not grouped below): ${list(r.warningsByCode)}`);
    for (const g of r.groups) {
      console.log(`  ${String(g.count).padStart(5)}  ${g.standalone ? '[nested standalone] ' : ''}${g.code}: ${g.shape}`);
      for (const e of g.examples) console.log(`           ${e}`);
    }
  }
}
