import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { DEFAULT_DEPLOYMENT, expandTemplate } from '../../src/arm/template/expand.js';
import { classify } from '../../src/input/classify.js';
import { linkedFileLoader } from '../../src/input/linked-files.js';
import type { Diagnostic } from '../../src/load/diagnostic.js';
import { Sandbox } from '../../src/load/sandbox.js';
import { repoRoot } from '../helpers.js';

// The Azure Verified Modules conformance harness (test/bicep/avm-conformance.test.ts): unpacks
// the packed modules (scripts/pack-avm-fixture.mjs) into a temporary work tree, and expands a
// `.bicep` file and its compiled counterpart the way `tollgate expand` does.

export const AVM_ARCHIVE = path.join(repoRoot(), 'test', 'fixtures', 'upstream', 'bicep', 'avm', 'avm.json.br');

const DIAGNOSTIC_DEPENDENCIES = 'utilities/e2e-template-assets/templates/diagnostic.dependencies.bicep';

/** One comparison: a module's main.bicep against its main.json, or an e2e test calling one or the other. */
export interface Unit {
  name: string;
  bicep: string;
  compiled: string;
  e2e: boolean;
}

export interface Tree {
  root: string;
  /** Bicep's module cache root, filled from the templates the compiler inlined. */
  cache: string;
  units: Unit[];
}

/** Unpacks the modules, fills a module cache for their `br/public:` references, and lists the units. */
export function unpackAvm(): Tree {
  const packed = JSON.parse(zlib.brotliDecompressSync(readFileSync(AVM_ARCHIVE)).toString('utf8')) as Record<string, string>;
  // The repository's layout: the modules under avm/, the shared e2e assets under utilities/ (only
  // the one most tests use is here, from the APIM corpus of the same commit).
  const files: Record<string, string> = {};
  for (const [rel, text] of Object.entries(packed)) files[`avm/${rel}`] = text;
  const assets = path.join(repoRoot(), 'test/fixtures/upstream/corpora/avm-apim/_external/e2e-template-assets');
  files[DIAGNOSTIC_DEPENDENCIES] = readFileSync(path.join(assets, 'diagnostic.dependencies.bicep'), 'utf8');
  const root = mkdtempSync(path.join(tmpdir(), 'tollgate-avm-'));
  for (const [rel, text] of Object.entries(files)) {
    const abs = path.join(root, rel);
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, text);
  }
  // The sandbox is the work tree: one marker makes the whole tree it.
  mkdirSync(path.join(root, '.git'));
  const cache = path.join(root, '.bicep-cache');
  const bicepFiles = Object.keys(files).filter((f) => /(^|\/)main\.bicep$/.test(f) && files[f.replace(/\.bicep$/, '.json')] !== undefined);
  for (const rel of bicepFiles) fillCache(cache, rel, files);
  const units: Unit[] = [];
  for (const rel of bicepFiles.sort()) {
    const dir = path.join(root, path.dirname(rel));
    units.push({ name: path.dirname(rel).replace(/^avm\//, ''), bicep: path.join(dir, 'main.bicep'), compiled: path.join(dir, 'main.json'), e2e: false });
    const e2e = path.join(dir, 'tests', 'e2e');
    if (!existsSync(e2e)) continue;
    for (const t of readdirSync(e2e).sort()) {
      const test = path.join(e2e, t, 'main.test.bicep');
      if (!existsSync(test)) continue;
      const text = readFileSync(test, 'utf8');
      const re = /^(module\s+\w+\s+')((?:\.\.\/)+)main\.bicep'/m;
      if (!re.test(text)) continue;
      const variant = path.join(e2e, t, 'main.test.cmp.bicep');
      writeFileSync(variant, text.replace(re, "$1$2main.json'"));
      units.push({
        name: path
          .relative(root, path.join(e2e, t))
          .split(path.sep)
          .join('/')
          .replace(/^avm\//, ''),
        bicep: test,
        compiled: variant,
        e2e: true,
      });
    }
  }
  return { root, cache, units };
}

/**
 * Registry references between the modules (`br/public:avm/...:<version>`) name published
 * versions, which may differ from the copy in the tree. Both sides must see the same module: the
 * one the compiler inlined into main.json, put where `bicep restore` would have put it. Imports
 * of types (`import … from 'br/public:…'`) use the tree's copy.
 */
function fillCache(cache: string, rel: string, files: Record<string, string>): void {
  let compiled: Map<string, unknown>;
  try {
    compiled = nestedTemplates(JSON.parse(files[rel.replace(/\.bicep$/, '.json')]!));
  } catch {
    return;
  }
  const dir = path.posix.dirname(rel);
  const own = (f: string) => f.startsWith(`${dir}/modules/`) && f.endsWith('.bicep') && !f.slice(dir.length + 9).includes('/');
  const sources = Object.keys(files).filter((f) => f === rel || own(f));
  const cachePath = (repo: string, tag: string) => path.join(cache, 'br', 'mcr.microsoft.com', `bicep/${repo}`.replace(/\//g, '$'), `${tag}$`, 'main.json');
  for (const source of sources) {
    const text = files[source]!;
    for (const m of text.matchAll(/^module\s+(\w+)\s+'br\/public:([^':]+):([^']+)'/gm)) {
      const template = compiled.get(m[1]!);
      const file = cachePath(m[2]!, m[3]!);
      if (template && !existsSync(file)) {
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, JSON.stringify(template));
      }
    }
    for (const m of text.matchAll(/from\s+'br\/public:([^':]+):([^']+)'/g)) {
      const local = files[`${m[1]!}/main.json`];
      const file = cachePath(m[1]!, m[2]!);
      if (local !== undefined && !existsSync(file)) {
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, local);
      }
    }
  }
}

/** Every template nested in a compiled main.json, by the symbolic name of the deployment holding it. */
function nestedTemplates(template: { resources?: unknown }, out = new Map<string, unknown>()): Map<string, unknown> {
  const resources = template?.resources;
  const visit = (sym: string | undefined, r: unknown) => {
    const inner = (r as { properties?: { template?: { resources?: unknown } } } | undefined)?.properties?.template;
    if (!inner) return;
    if (sym !== undefined && !out.has(sym)) out.set(sym, inner);
    nestedTemplates(inner, out);
  };
  if (Array.isArray(resources)) for (const r of resources) visit(undefined, r);
  else if (resources && typeof resources === 'object') for (const [sym, r] of Object.entries(resources)) visit(sym, r);
  return out;
}

export interface Expanded {
  /** Each resource as normalized JSON text: type, name, body (a module's template link left out). */
  resources: string[];
  diagnostics: Diagnostic[];
}

/** Expands one file as `tollgate expand <file>` does (parameter defaults only). */
export function expandFile(tree: Tree, file: string): Expanded {
  const sandbox = Sandbox.forPaths([file], { cwd: tree.root, registryCache: tree.cache });
  const c = classify({ absPath: file, explicit: true }, tree.root, sandbox);
  if (!c.ok) return { resources: [], diagnostics: c.skipped ? [] : [c.diagnostic] };
  const expansion = expandTemplate(c.file.document, undefined, { deployment: DEFAULT_DEPLOYMENT, loadLinked: linkedFileLoader(sandbox, tree.root) });
  const secrets = [...expansion.secrets].sort((a, b) => b.length - a.length);
  const mask = (_key: string, value: unknown) =>
    typeof value === 'string' ? secrets.reduce((text, secret) => text.split(secret).join('<secret>'), value) : value;
  const resources = expansion.resources.map((r) => {
    const text = JSON.stringify({ type: r.type, name: r.name, body: r.body }, secrets.length ? mask : undefined);
    const plain = JSON.parse(text) as { type: string; body?: { properties?: Record<string, unknown> } };
    // A module is a linked template on the Bicep side and an inline one in main.json.
    const props = plain.body?.properties;
    if (plain.type === 'Microsoft.Resources/deployments' && props && typeof props === 'object') {
      delete props['template'];
      delete props['templateLink'];
    }
    return JSON.stringify(normalize(plain));
  });
  return { resources: resources.sort(), diagnostics: [...(c.file.diagnostics ?? []), ...expansion.diagnostics] };
}

/** Unknown values say why, in Bicep symbols on one side and expressions on the other: only "unknown" is compared. */
function normalize(v: unknown): unknown {
  if (typeof v === 'string') return v.replace(/<unknown[^>]*>/g, '<unknown>').replace(/main\.(bicep|json)$/, 'main.*');
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, normalize((v as Record<string, unknown>)[k])]),
    );
  return v;
}

/** The first place two resource lists differ, for the failure message. */
export function firstDifference(a: string[], b: string[]): string {
  const onlyA = a.filter((x) => !b.includes(x));
  const onlyB = b.filter((x) => !a.includes(x));
  const x = onlyA[0] ?? '';
  const y = onlyB[0] ?? '';
  let i = 0;
  while (i < x.length && x[i] === y[i]) i++;
  const from = Math.max(0, i - 60);
  return `${onlyA.length} only from .bicep, ${onlyB.length} only from .json; first: …${x.slice(from, i + 100)} | …${y.slice(from, i + 100)}`;
}

/**
 * AVM e2e tests leave values for their pipeline to fill in: `#_namePrefix_#` and the like. With
 * them in, a name can be too long or an id too short to split, which is the test's, not ours:
 * the test is expanded again with each token replaced as the pipeline would (a short prefix, an
 * id of the right shape), and only errors that remain count.
 */
export function withPlaceholdersFilled(file: string): string | undefined {
  const text = readFileSync(file, 'utf8');
  if (!/#_\w+_#/.test(text)) return undefined;
  const filled = text.replace(/#_(\w+)_#/g, (_m, name: string) =>
    /ResourceId$/i.test(name) ? `${TEST_GROUP}/providers/Microsoft.Test/things/${name.toLowerCase()}` : 'tlg',
  );
  const out = file.replace(/\.bicep$/, '.filled.bicep');
  writeFileSync(out, filled);
  return out;
}

const TEST_GROUP = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg';

/** Files e2e tests use from the repository's utilities/ folder that this copy does not have. */
export function missingAsset(d: Diagnostic): boolean {
  return /\/utilities\/e2e-template-assets\//.test(d.message) && /outside the sandbox|does not exist/.test(d.message);
}
