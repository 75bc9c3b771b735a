#!/usr/bin/env node
// The precision hand-check of issue 16: every built-in definition that can run on a template
// (at its default effect; a definition that defaults to Disabled at the first other effect it
// allows) over the real templates bundled in the repository, then a reproducible random sample
// of 50 findings (non-compliant verdicts) and 50 compliant verdicts (a definition x resource
// pair that evaluated compliant) to judge by hand against the definition and Azure's documented
// semantics (docs/policy-precision.md holds the judgments).
//
//   npm run build && node scripts/policy-precision-sample.mjs [--seed N] [--per-group N] [--out FILE] [--show K]
//
//   --seed N       the sample's seed (default 16, the issue number); the same seed, corpus and
//                  build draw the same sample
//   --per-group N  how many of each group (default 50)
//   --out FILE     write the sample as JSON: each pair with the definition's policyRule, the
//                  resource as expanded and the trace of every condition looked at
//   --show K       print one sampled pair in full (its index in the sample, 0-based: findings
//                  first, then compliant) for the hand-check
//   --markdown     print the sample as the rows of docs/policy-precision.md's table (judgment and
//                  why left empty: they are written by hand)
//
// Corpus (all in the repository, so a fresh clone reproduces it): test/fixtures/upstream/corpora
// (20 Azure quickstart API Management deployments, the API Management AVM module and its e2e
// tests) and the Azure Verified Modules' e2e deployments `tests/e2e/*/main.test.bicep` packed in
// test/fixtures/upstream/bicep/avm/avm.json.br (unpacked to a temporary folder).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { brotliDecompressSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { scan } = await import(path.join(root, 'dist/scan.js'));
const { builtInCatalog } = await import(path.join(root, 'dist/policy/builtin-rules.js'));
const { deferredPolicyRule } = await import(path.join(root, 'dist/policy/policy-rule.js'));

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const seed = Number(option('--seed', '16'));
const perGroup = Number(option('--per-group', '50'));
const outFile = option('--out', undefined);
const show = option('--show', undefined);

// ---- corpus --------------------------------------------------------------------------------------
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tollgate-precision-'));
const avm = JSON.parse(brotliDecompressSync(readFileSync(path.join(root, 'test/fixtures/upstream/bicep/avm/avm.json.br'))).toString('utf8'));
for (const [rel, text] of Object.entries(avm)) {
  const file = path.join(tmp, 'avm', rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}
// The e2e tests share a dependency template kept beside the APIM corpus (see test/fixtures/upstream/SOURCES.md).
const e2eTests = Object.keys(avm)
  .filter((p) => /tests\/e2e\/[^/]+\/main\.test\.bicep$/.test(p))
  .sort()
  .map((p) => path.join(tmp, 'avm', p));
const corpora = path.join(root, 'test/fixtures/upstream/corpora');

// ---- rules ---------------------------------------------------------------------------------------
const rules = [];
let notRunnable = 0;
for (const entry of builtInCatalog()) {
  if (!entry.rule || !entry.definition) {
    notRunnable++;
    continue;
  }
  let rule = entry.rule;
  if (rule.notForTemplates || rule.unsetParameters.length) {
    notRunnable++;
    continue;
  }
  if (!rule.enabled) {
    const allowed = effectChoices(entry.definition).filter((e) => e.toLowerCase() !== 'disabled');
    if (!allowed.length) {
      notRunnable++;
      continue;
    }
    rule = deferredPolicyRule(entry.definition, { source: entry.record.shown, effect: allowed[0] });
    if (!rule.enabled || rule.notForTemplates || rule.unsetParameters.length) {
      notRunnable++;
      continue;
    }
  }
  rules.push(rule);
}
function effectChoices(definition) {
  const m = /^\[parameters\('([^']+)'\)\]$/.exec(String(definition.effect));
  if (!m) return [String(definition.effect)];
  const p = definition.parameters.find((x) => x.name.toLowerCase() === m[1].toLowerCase());
  return (p?.allowedValues ?? []).map(String);
}
// Every resource evaluated, kept to explain the sampled pairs afterwards. The same id can be
// declared by two units (a quickstart's main.bicep and its azuredeploy.json): each capture is
// matched to its unit by order, as the capture rule's own results come in the order it ran.
const captured = [];
const capture = {
  meta: { id: 'precision-capture', title: 'capture', kind: 'native', level: 'note', severity: 'low', appliesTo: ['*'], equivalents: [], description: '' },
  enabled: true,
  check(resource, ctx) {
    captured.push(resource);
    ctx.skip('capture only');
  },
};
const ruleSet = { rules: [...rules, capture], diagnostics: [], effectErrors: [] };

const started = performance.now();
const runs = [
  scan({ paths: [corpora], cwd: root, ruleSet, include: ['**/*.json', '**/*.bicep', '**/*.bicepparam'] }),
  scan({ paths: e2eTests, cwd: tmp, ruleSet, related: false }),
];
const seconds = (performance.now() - started) / 1000;
rmSync(tmp, { recursive: true, force: true });

const all = runs.flatMap((r) => r.results);
const resources = new Map();
all.filter((r) => r.ruleId === 'precision-capture').forEach((r, i) => resources.set(`${r.file}|${r.resource.id}`, { resource: captured[i] }));
const results = all.filter((r) => r.ruleId !== 'precision-capture');
const units = runs.reduce((n, r) => n + r.units.length, 0);
const templates = new Set(runs.flatMap((r) => r.units.map((u) => `${r.cwd}:${u.file}`))).size;
const count = (o) => results.filter((r) => r.outcome === o).length;
const implicitDenies = results.filter((r) => r.outcome === 'error').length;
const byRule = new Map(rules.map((r) => [r.meta.id, r]));

// ---- sample --------------------------------------------------------------------------------------
// mulberry32: small, seeded, the same on every platform.
function random(s) {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const next = random(seed);
// Results come in scan order (paths sorted, resources in deployment order), so the draw is stable.
const draw = (list, n) => {
  const pool = [...list];
  const out = [];
  while (out.length < n && pool.length) out.push(pool.splice(Math.floor(next() * pool.length), 1)[0]);
  return out;
};
const findings = results.filter((r) => r.outcome === 'fail');
const compliant = results.filter((r) => r.outcome === 'pass');
const sample = [...draw(findings, perGroup).map((r) => ({ group: 'finding', r })), ...draw(compliant, perGroup).map((r) => ({ group: 'compliant', r }))];

const describe = ({ group, r }, full) => {
  const rule = byRule.get(r.ruleId);
  const held = resources.get(`${r.file}|${r.resource.id}`);
  const row = {
    group,
    definition: r.ruleId,
    displayName: rule?.meta.title,
    mode: rule?.definition.mode,
    effect: rule?.effect,
    resource: `${r.resource.type} '${r.resource.name}'`,
    apiVersion: held?.resource.apiVersion,
    file: r.file,
    ...(r.findings[0] ? { message: r.findings[0].message, property: r.findings[0].path } : {}),
  };
  if (!full) return row;
  const explained = held ? rule.explain(held.resource) : undefined;
  return {
    ...row,
    policyRule: { if: rule.definition.if, then: rule.definition.then },
    parameters: rule.definition.parameters.map((p) => ({ name: p.name, defaultValue: p.defaultValue })),
    expanded: held ? { type: held.resource.type, name: held.resource.name, id: held.resource.id, ...held.resource.body } : 'not captured',
    verdict: explained?.verdict,
    trace: explained?.trace,
  };
};

console.log(
  `corpus: ${templates} templates (${units} scan units, ${resources.size} resources); ${rules.length} definitions run, ${notRunnable} cannot run on a template or need parameters; ${seconds.toFixed(1)} s`,
);
console.log(
  `verdicts: ${findings.length} non-compliant, ${compliant.length} compliant, ${count('unknown')} undecided, ${count('skip')} not applicable, ${implicitDenies} evaluation errors`,
);
console.log(
  `sample (seed ${seed}): ${sample.filter((s) => s.group === 'finding').length} findings, ${sample.filter((s) => s.group === 'compliant').length} compliant`,
);
if (args.includes('--markdown')) {
  // The table of docs/policy-precision.md without the judgments, which are written by hand.
  const cell = (t) => String(t ?? '').replace(/\|/g, '\\|');
  sample.forEach((s, i) => {
    const d = describe(s, false);
    const verdict = d.group === 'finding' ? `non-compliant (${d.effect})${d.property ? `, \`${d.property}\`` : ''}` : 'compliant';
    console.log(`| ${i} | \`${d.definition.slice(0, 8)}\` ${cell(d.displayName)} (${d.mode}) | ${cell(d.resource)}<br>\`${cell(d.file)}\` | ${verdict} | | |`);
  });
} else if (show !== undefined) {
  console.log(JSON.stringify(describe(sample[Number(show)], true), null, 2));
} else {
  sample.forEach((s, i) => {
    const d = describe(s, false);
    console.log(`${String(i).padStart(3)} ${d.group.padEnd(9)} ${d.definition}  ${d.resource}  (${d.file})${d.property ? `  [${d.property}]` : ''}`);
  });
}
if (outFile)
  writeFileSync(
    outFile,
    JSON.stringify(
      sample.map((s) => describe(s, true)),
      null,
      2,
    ),
  );
