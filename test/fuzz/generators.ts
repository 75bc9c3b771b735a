// Input generation: mutations of the repository's own corpora plus generators aimed at the
// classes of bug a scanner of untrusted templates must survive (deep nesting, huge values,
// blow-ups through variables and loops, pathological wildcard patterns). Everything is driven by
// one seeded PRNG, so a (seed, index) pair always gives the same input.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ARM_FUNCTIONS } from '../../src/arm/functions/index.js';
import type { FuzzInput, Target } from './targets.js';

/** mulberry32: small, fast, and good enough to pick mutations. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** Sizes spread over orders of magnitude: most small, some huge. */
  size(max: number): number {
    return Math.min(max, Math.floor(Math.exp(this.next() * Math.log(max + 1))));
  }
}

export type CorpusKind = 'template' | 'parameters' | 'bicep' | 'bicepparam' | 'policy' | 'config' | 'json';

export interface Corpus {
  byKind: Map<CorpusKind, string[]>;
  files: number;
}

const TEMPLATE_SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
const PARAMS_SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#';

/**
 * Seeds from test/fixtures, examples, catalog/policies and the code blocks of docs (rule pages
 * and the configuration page). Files over `maxBytes` are left out: mutating a 500 KB template
 * costs more time than it finds.
 */
export function loadCorpus(root: string, maxBytes = 48_000): Corpus {
  const byKind = new Map<CorpusKind, string[]>();
  const add = (kind: CorpusKind, text: string) => {
    if (text.length > maxBytes || text.trim() === '') return;
    const list = byKind.get(kind) ?? [];
    list.push(text);
    byKind.set(kind, list);
  };
  let files = 0;
  for (const dir of ['test/fixtures', 'examples', 'catalog/policies']) {
    for (const file of walk(path.join(root, dir))) {
      if (statSync(file).size > maxBytes) continue;
      const kind = kindOfPath(file);
      if (!kind) continue;
      files++;
      const text = readFileSync(file, 'utf8');
      if (kind === 'json')
        add(
          /deploymentTemplate\.json/.test(text)
            ? 'template'
            : /deploymentParameters\.json/.test(text)
              ? 'parameters'
              : /"policyRule"/.test(text)
                ? 'policy'
                : 'json',
          text,
        );
      else add(kind, text);
    }
  }
  for (const file of walk(path.join(root, 'docs')).filter((f) => f.endsWith('.md'))) {
    files++;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/```(\w+)\n([\s\S]*?)```/g)) {
      const lang = m[1]!.toLowerCase();
      const body = m[2]!;
      if (lang === 'yaml' || lang === 'yml') add('config', body);
      else if (lang === 'bicep') add('bicep', body);
      else if (lang === 'json' || lang === 'jsonc')
        add(/deploymentTemplate\.json/.test(body) ? 'template' : /policyRule|"if"/.test(body) ? 'policy' : 'json', body);
    }
  }
  // Configuration files are rare in the fixtures: a few hand-written ones keep the kind fed.
  add('config', 'failOn: warning\nexclude:\n  - "**/bin/**"\nrules:\n  APIM.HTTPBackend:\n    enabled: false\n');
  add(
    'config',
    'rules:\n  APIM.MinAPIVersion:\n    options:\n      minimum: "2021-08-01"\nsuppressions:\n  - rule: APIM.HTTPBackend\n    reason: legacy\n    expires: 2030-01-01\n',
  );
  return { byKind, files };
}

function walk(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

function kindOfPath(file: string): CorpusKind | undefined {
  if (/\.bicepparam$/i.test(file)) return 'bicepparam';
  if (/\.bicep$/i.test(file)) return 'bicep';
  if (/\.jsonc?$/i.test(file)) return 'json';
  if (/tollgate\.ya?ml$/i.test(file)) return 'config';
  return undefined;
}

// ---- mutators ---------------------------------------------------------------------------------

/** Pieces of syntax of the languages we parse: inserted, they push parsers into odd states. */
const TOKENS = [
  '{',
  '}',
  '[',
  ']',
  '(',
  ')',
  ',',
  ':',
  '"',
  "'",
  "''",
  '\\',
  '\\u',
  '\\ud800',
  '/*',
  '*/',
  '//',
  '\n',
  '\r',
  '\t',
  ' ',
  '\u0000',
  '\ufeff',
  '\u2028',
  '[[',
  ']]',
  "[concat('a', ",
  "')]",
  '[parameters(',
  '[variables(',
  '.',
  '..',
  '?',
  '??',
  '!',
  '=>',
  '${',
  '@',
  '#',
  'null',
  'true',
  'false',
  '-0',
  '1e999',
  '-9223372036854775809',
  '9007199254740993',
  '0x1',
  'NaN',
  '"$schema"',
  '"resources"',
  '"copy"',
  '"count"',
  '"[copyIndex()]"',
  'resource',
  'param',
  'var',
  'module',
  'output',
  'for',
  'in',
  'if',
  'existing',
  "'''",
  '<policies>',
  '</policies>',
  '<inbound>',
  '<![CDATA[',
  ']]>',
  '&amp;',
  '&#x0;',
  '@(',
  '@{',
  'allOf',
  'anyOf',
  'not',
  'like',
  '*',
  '**',
];
const CLOSERS = ['f(]', '[ ) ]', ')]', '}]', ')))', ']]]', '}}}', '"]"', "')", '( ]', '[)', '{)', ')(', '][', '}{'];

type Mutator = (text: string, rng: Rng, other: () => string, heavy: boolean) => string;

const at = (text: string, rng: Rng) => rng.int(text.length + 1);

const MUTATORS: Record<string, Mutator> = {
  byteFlip(text, rng) {
    if (!text) return text;
    // On UTF-16 code units: a flip may leave a lone surrogate, which is a fair input too.
    let out = text;
    for (let n = rng.range(1, 8); n > 0; n--) {
      const i = rng.int(out.length);
      out = out.slice(0, i) + String.fromCharCode(out.charCodeAt(i) ^ (1 << rng.int(8))) + out.slice(i + 1);
    }
    return out;
  },
  truncate(text, rng) {
    return text.slice(0, at(text, rng));
  },
  tokenInsert(text, rng) {
    const i = at(text, rng);
    return text.slice(0, i) + rng.pick(TOKENS) + text.slice(i);
  },
  tokenDelete(text, rng) {
    const spans = tokenSpans(text, rng);
    if (!spans.length) return text;
    const [s, e] = rng.pick(spans);
    return text.slice(0, s) + text.slice(e);
  },
  tokenDuplicate(text, rng) {
    const spans = tokenSpans(text, rng);
    if (!spans.length) return text;
    const [s, e] = rng.pick(spans);
    const copies = rng.size(50);
    return text.slice(0, e) + text.slice(s, e).repeat(copies) + text.slice(e);
  },
  chunkDuplicate(text, rng) {
    const s = at(text, rng);
    const e = Math.min(text.length, s + rng.size(400));
    return text.slice(0, e) + text.slice(s, e) + text.slice(e);
  },
  splice(text, rng, other) {
    const o = other();
    return text.slice(0, at(text, rng)) + o.slice(at(o, rng));
  },
  deepNest(text, rng, _other, heavy) {
    const depth = rng.size(heavy ? 60_000 : 3_000);
    const [open, close] = rng.pick([
      ['[', ']'],
      ['{"a":', '}'],
      ['(', ')'],
      ['concat(', ')'],
      ['[[', ']]'],
      ['{ a: ', ' }'],
      ['<a>', '</a>'],
    ] as const);
    const i = at(text, rng);
    return text.slice(0, i) + open.repeat(depth) + (rng.chance(0.5) ? close.repeat(depth) : '') + text.slice(i);
  },
  hugeString(text, rng, _other, heavy) {
    const i = at(text, rng);
    const unit = rng.pick(['a', 'ab', '\\n', "''", '\\\\', 'é', '😀', ' ', '*a']);
    return text.slice(0, i) + unit.repeat(rng.size(heavy ? 2_000_000 : 60_000)) + text.slice(i);
  },
  strayClosers(text, rng) {
    const i = at(text, rng);
    return text.slice(0, i) + rng.pick(CLOSERS) + text.slice(i);
  },
  // Inside a quoted string (where ARM expressions live) rather than anywhere.
  expressionEdit(text, rng) {
    const starts = [...text.matchAll(/"\[/g)].map((m) => m.index! + 2);
    if (!starts.length) return text;
    const i = rng.pick(starts);
    const insert = rng.pick([...CLOSERS, ...TOKENS, `${rng.pick(FUNCTION_NAMES)}(`, "'x'", ', ', '.a', '[0]']);
    return text.slice(0, i) + insert + text.slice(i);
  },
};
const MUTATOR_NAMES = Object.keys(MUTATORS);

/**
 * Token boundaries (runs of word characters, single punctuation; strings are not special:
 * mutations may break them) in a window of the text: scanning a whole 48 KB file for every
 * mutation would make generation, in the parent, cost as much as running the input.
 */
function tokenSpans(text: string, rng: Rng): [number, number][] {
  const from = text.length > 4_000 ? rng.int(text.length - 4_000) : 0;
  const window = text.slice(from, from + 4_000);
  const out: [number, number][] = [];
  for (const m of window.matchAll(/\w+|[^\w\s]/g)) out.push([from + m.index!, from + m.index! + m[0].length]);
  return out;
}

// ---- random ARM expressions from the function table ---------------------------------------------

const FUNCTIONS = [...ARM_FUNCTIONS.values()].filter((f) => !f.name.includes('*'));
const FUNCTION_NAMES = FUNCTIONS.map((f) => f.name);

/** A random expression: calls with arities from the table (sometimes wrong on purpose), literals, properties, indexes. */
export function randomExpression(rng: Rng, depth = 0): string {
  if (depth > 6 || rng.chance(0.25 + depth * 0.1)) return randomLiteral(rng);
  const def = rng.pick(FUNCTIONS);
  const max = def.maxArgs ?? def.minArgs + 3;
  let n = rng.chance(0.9) ? rng.range(def.minArgs, Math.max(def.minArgs, Math.min(max, def.minArgs + 3))) : rng.range(0, max + 2);
  if (def.lambdaArgs?.length && rng.chance(0.7)) {
    const args = Array.from({ length: Math.max(n, 2) }, (_, i) =>
      def.lambdaArgs!.includes(i) ? `lambda('x', ${randomExpressionUsing(rng, "lambdaVariables('x')", depth + 1)})` : randomExpression(rng, depth + 1),
    );
    return `${def.name}(${args.join(', ')})`;
  }
  const args: string[] = [];
  while (n-- > 0) args.push(randomExpression(rng, depth + 1));
  let out = `${rng.chance(0.1) ? def.name.toUpperCase() : def.name}(${args.join(', ')})`;
  if (rng.chance(0.1)) out += rng.pick(['.a', '[0]', "['b']", '.properties.x', '[-1]', '[999999999999]']);
  return out;
}

function randomExpressionUsing(rng: Rng, variable: string, depth: number): string {
  return rng.chance(0.5) ? variable : randomExpression(rng, depth).replace(/'[^']*'/, variable);
}

function randomLiteral(rng: Rng): string {
  return rng.pick([
    () =>
      `'${rng.pick(['', 'a', 'abc', 'a,b,c', '{0}-{1}', '2026-01-01T00:00:00Z', '10.0.0.0/16', 'https://x.example/a?b=c', '[x]', '{"a":1}', 'P1D', 'é😀', "it''s"])}'`,
    // Text, not numbers: 9007199254740993 (2^53 + 1) must reach the parser as written, which a JavaScript number cannot hold.
    () => rng.pick(['0', '1', '-1', '2', '3', '64', '800', '801', '2147483647', '-2147483648', '9007199254740993', '1e+21']),
    () => rng.pick(['true', 'false', 'null']),
    () =>
      rng.pick([
        "parameters('p')",
        "parameters('n')",
        "parameters('o')",
        "variables('v')",
        "variables('s')",
        "parameters('missing')",
        'createArray(1, 2, 3)',
        "createObject('a', 1)",
        "json('[1,2]')",
        "f.id('z')",
      ]),
  ])();
}

// ---- blow-up generators (templates) -----------------------------------------------------------

function template(body: Record<string, unknown>): string {
  return JSON.stringify({ $schema: TEMPLATE_SCHEMA, contentVersion: '1.0.0.0', resources: [], ...body }, null, 1);
}

const apimService = (props: Record<string, unknown> = {}) => ({
  type: 'Microsoft.ApiManagement/service',
  apiVersion: '2022-08-01',
  name: 'svc',
  location: 'westeurope',
  sku: { name: 'Developer', capacity: 1 },
  properties: { publisherEmail: 'a@b.c', publisherName: 'x', ...props },
});

export const BLOWUPS: Record<string, (rng: Rng, heavy: boolean) => string> = {
  // v0 = 'ab', v(i) = concat(v(i-1), v(i-1)): 2^n characters from n variables.
  stringDoubling(rng, heavy) {
    const n = rng.range(4, heavy ? 40 : 24);
    const variables: Record<string, string> = { v0: 'ab' };
    const f = rng.pick(['concat', 'format2', 'replace', 'array']);
    for (let i = 1; i <= n; i++) {
      const prev = `variables('v${i - 1}')`;
      variables[`v${i}`] =
        f === 'concat'
          ? `[concat(${prev}, ${prev})]`
          : f === 'format2'
            ? `[format('{0}{0}', ${prev})]`
            : f === 'replace'
              ? `[replace(${prev}, 'a', ${prev})]`
              : `[concat(createArray(${prev}), createArray(${prev}))]`;
    }
    return template({
      variables,
      resources: [apimService({ publisherName: `[variables('v${n}')]` })],
      outputs: { o: { type: 'int', value: `[length(variables('v${n}'))]` } },
    });
  },
  hugeWidth(rng, heavy) {
    const w = rng.pick([1_000, 100_000, 10_000_000, 2_147_483_647, heavy ? 1e12 : 5_000_000, -1]);
    const expr = rng.pick([
      `padLeft('a', ${w}, 'b')`,
      `format('{0,${w}}', 'a')`,
      `format('{0:D${w}}', 1)`,
      `string(range(0, ${Math.min(Math.abs(w), 1e9)}))`,
      `replace(padLeft('', ${Math.min(Math.abs(w), 1e7)}, 'a'), 'a', 'aaaa')`,
      `take(range(0, ${w}), ${w})`,
      `base64(padLeft('', ${w}, 'x'))`,
      `uniqueString(padLeft('', ${w}, 'x'))`,
    ]);
    return template({ outputs: { o: { type: 'string', value: `[${expr}]` } } });
  },
  copyLoops(rng, heavy) {
    // 800 copies checked by every rule take a second or more on a busy machine: a full-limit
    // loop belongs in the heavy mix, where the time limit is 10 s, not in the test pass.
    const count = rng.pick(heavy ? [1, 10, 800, 801, 100_000, -1, 0] : [1, 10, 100, 801, 2_000, -1, 0]);
    const inner = rng.range(1, heavy ? 800 : 100);
    const resource = {
      ...apimService(),
      name: "[concat('svc', copyIndex())]",
      copy: { name: 'outer', count },
      properties: {
        publisherEmail: 'a@b.c',
        publisherName: 'x',
        copy: [{ name: 'hostnameConfigurations', count: inner, input: { type: 'Proxy', hostName: "[concat('h', copyIndex('hostnameConfigurations'))]" } }],
      },
    };
    return template({
      variables: { copy: [{ name: 'vs', count: rng.pick([800, 801, 5000]), input: "[string(range(0, copyIndex('vs')))]" }] },
      resources: [resource],
    });
  },
  selfLinking(rng) {
    const inline = rng.chance(0.5);
    const dep = inline
      ? {
          type: 'Microsoft.Resources/deployments',
          apiVersion: '2022-09-01',
          name: 'self',
          properties: {
            mode: 'Incremental',
            expressionEvaluationOptions: { scope: rng.pick(['inner', 'outer']) },
            templateLink: { relativePath: rng.pick(['./self.json', 'self.json', 'self.json?x=1']) },
          },
        }
      : {
          type: 'Microsoft.Resources/deployments',
          apiVersion: '2022-09-01',
          name: "[concat('d', copyIndex())]",
          copy: { name: 'c', count: rng.range(1, 20) },
          properties: { mode: 'Incremental', templateLink: { relativePath: 'self.json' } },
        };
    return template({ resources: [dep, apimService()] });
  },
  recursiveFunctions(rng) {
    // ARM forbids user functions calling user functions; the engine must refuse, not recurse.
    const members = {
      f: { parameters: [{ name: 'x', type: 'int' }], output: { type: 'int', value: "[ns.f(add(parameters('x'), 1))]" } },
      g: { parameters: [], output: { type: 'string', value: '[ns.h()]' } },
      h: { parameters: [], output: { type: 'string', value: '[ns.g()]' } },
    };
    return template({
      functions: [{ namespace: 'ns', members }],
      outputs: { o: { type: 'int', value: rng.pick(['[ns.f(0)]', '[ns.g()]', '[length(ns.g())]']) } },
    });
  },
  variableCycle(rng) {
    const n = rng.range(1, 200);
    const variables: Record<string, string> = {};
    for (let i = 0; i < n; i++) variables[`v${i}`] = `[variables('v${(i + 1) % n}')]`;
    return template({ variables, outputs: { o: { type: 'string', value: "[variables('v0')]" } } });
  },
  deepExpression(rng, heavy) {
    const depth = rng.size(heavy ? 50_000 : 4_000);
    const f = rng.pick(['concat(', 'string(', 'if(true, ', 'not(', 'createArray(', 'json(string(', '(']);
    const closing = f === 'json(string(' ? '))' : ')';
    return template({ outputs: { o: { type: 'string', value: `[${f.repeat(depth)}'a'${closing.repeat(depth)}]` } } });
  },
  deepNestedDeployments(rng) {
    let inner: Record<string, unknown> = { $schema: TEMPLATE_SCHEMA, contentVersion: '1.0.0.0', resources: [apimService()] };
    for (let i = rng.range(5, 40); i > 0; i--) {
      inner = {
        $schema: TEMPLATE_SCHEMA,
        contentVersion: '1.0.0.0',
        resources: [
          {
            type: 'Microsoft.Resources/deployments',
            apiVersion: '2022-09-01',
            name: `d${i}`,
            properties: { mode: 'Incremental', expressionEvaluationOptions: { scope: 'inner' }, template: inner },
          },
        ],
      };
    }
    return JSON.stringify(inner);
  },
  deepJson(rng, heavy) {
    const depth = rng.size(heavy ? 200_000 : 8_000);
    const open = rng.pick(['[', '{"a":']);
    return `{"$schema":"${TEMPLATE_SCHEMA}","resources":[],"variables":{"x":${open.repeat(depth)}1${(open === '[' ? ']' : '}').repeat(depth)}}}`;
  },
  apimPolicyXml(rng) {
    const xml = rng.pick([
      '<policies><inbound><base /><set-backend-service base-url="http://x" /></inbound><backend><base /></backend><outbound><base /></outbound></policies>',
      `<policies>${'<a>'.repeat(rng.size(20_000))}</policies>`,
      `<policies><inbound>${'<base />'.repeat(rng.size(5_000))}</inbound></policies>`,
      '<policies><inbound><cors><allowed-origins><origin>*</origin></allowed-origins></cors></inbound></policies>',
      '<policies><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><inbound>&b;</inbound></policies>',
      '<policies><inbound>@{ return context.Request.Body.As<string>(); }</inbound></policies>',
    ]);
    const mutated = rng.chance(0.5) ? mutate(xml, rng, () => xml, false, rng.range(1, 3)) : xml;
    return template({
      resources: [
        apimService(),
        {
          type: 'Microsoft.ApiManagement/service/apis/policies',
          apiVersion: '2022-08-01',
          name: 'svc/api/policy',
          properties: { format: rng.pick(['xml', 'rawxml', 'xml-link']), value: mutated },
        },
      ],
    });
  },
};
const BLOWUP_NAMES = Object.keys(BLOWUPS);

// ---- random Bicep token streams ---------------------------------------------------------------

const BICEP_TOKENS = [
  'param',
  'var',
  'resource',
  'module',
  'output',
  'existing',
  'for',
  'in',
  'if',
  'targetScope',
  'import',
  'type',
  'func',
  'metadata',
  'using',
  'extends',
  'with',
  'as',
  'extension',
  'assert',
  'test',
  '{',
  '}',
  '[',
  ']',
  '(',
  ')',
  ',',
  '.',
  ':',
  '?',
  '??',
  '!',
  '=',
  '==',
  '!=',
  '<',
  '>',
  '<=',
  '>=',
  '&&',
  '||',
  '+',
  '-',
  '*',
  '/',
  '%',
  '=>',
  '@',
  '::',
  '.?',
  '[?',
  '[^',
  '|',
  '...',
  "'a'",
  "'${x}'",
  "'${",
  "'''multi\nline'''",
  "'Microsoft.ApiManagement/service@2022-08-01'",
  "'./m.bicep'",
  "'br:x/y:1'",
  '0',
  '1',
  '-1',
  '9999999999999999999',
  'true',
  'false',
  'null',
  'x',
  'y',
  'string',
  'int',
  'object',
  'array',
  'bool',
  'resourceGroup()',
  'concat',
  'sys',
  'az',
  'description',
  'secure',
  'minLength',
  'allowed',
  'batchSize',
  'sealed',
  'discriminator',
  '\n',
  '\n',
  '\n',
  ' ',
  '// c\n',
  '/* c */',
  '#disable-next-line x\n',
  "'unterminated",
];

export function randomBicep(rng: Rng): string {
  const n = rng.size(400) + 1;
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(rng.pick(BICEP_TOKENS));
  return out.join(rng.chance(0.5) ? ' ' : '');
}

// ---- random policy definitions ----------------------------------------------------------------

const FIELDS = [
  'type',
  'name',
  'location',
  'kind',
  'tags',
  "tags['env']",
  'properties.publicNetworkAccess',
  'Microsoft.ApiManagement/service/sku.name',
  'properties.hostnameConfigurations[*].hostName',
  'identity.type',
  'fullName',
  'id',
];
const OPERATORS = [
  'equals',
  'notEquals',
  'like',
  'notLike',
  'match',
  'matchInsensitively',
  'notMatch',
  'contains',
  'notContains',
  'in',
  'notIn',
  'containsKey',
  'notContainsKey',
  'less',
  'lessOrEquals',
  'greater',
  'greaterOrEquals',
  'exists',
];

/** `*a*a*a*a*b` against `aaaa…`: the pattern shape that backtracks catastrophically in a naive regex. */
export function likePattern(rng: Rng, heavy: boolean): string {
  const unit = rng.pick(['a', 'ab', '?', '.', 'é', '']);
  // Light: enough stars to show super-linear matching (the known-hang cut-off catches it), not
  // so many that every policy input of the test pass spends its time backtracking.
  const stars = rng.range(2, heavy ? 60 : 12);
  return `*${`${unit}*`.repeat(stars)}${rng.pick(['b', 'z', '!', ''])}`;
}

function randomCondition(rng: Rng, depth: number, heavy: boolean): unknown {
  if (depth < 4 && rng.chance(0.35)) {
    const k = rng.pick(['allOf', 'anyOf', 'not']);
    if (k === 'not') return { not: randomCondition(rng, depth + 1, heavy) };
    return { [k]: Array.from({ length: rng.range(0, 4) }, () => randomCondition(rng, depth + 1, heavy)) };
  }
  if (rng.chance(0.15)) {
    return {
      count: { field: 'properties.hostnameConfigurations[*]', where: randomCondition(rng, depth + 1, heavy) },
      [rng.pick(['greater', 'equals', 'less'])]: rng.range(-1, 3),
    };
  }
  const op = rng.pick(OPERATORS);
  const lhs = rng.chance(0.15) ? { value: `[${randomExpression(rng, 3)}]` } : { field: rng.pick(FIELDS) };
  const operand =
    op === 'like' || op === 'notLike'
      ? likePattern(rng, heavy)
      : op === 'exists'
        ? rng.pick([true, false, 'true', 1])
        : op === 'in' || op === 'notIn'
          ? ['a', 'b']
          : op.startsWith('match')
            ? rng.pick(['###-???', '.*', '#'.repeat(rng.size(500))])
            : rng.pick(['a', 1, null, [], {}, "[parameters('p')]", `[${randomExpression(rng, 4)}]`]);
  return { ...lhs, [op]: operand };
}

export function randomPolicy(rng: Rng, heavy: boolean): { text: string; aux: string } {
  const rule = {
    if: randomCondition(rng, 0, heavy),
    then: { effect: rng.pick(['audit', 'deny', 'Disabled', "[parameters('effect')]", 'modify', 'append', 'auditIfNotExists', 'bogus']) },
  };
  const definition = rng.chance(0.3)
    ? rule
    : {
        properties: {
          displayName: 'fuzz',
          mode: rng.pick(['All', 'Indexed', 'Microsoft.Kubernetes.Data']),
          parameters: {
            effect: { type: 'String', defaultValue: 'Audit', allowedValues: ['Audit', 'Deny', 'Disabled'] },
            p: { type: 'String', defaultValue: 'x' },
          },
          policyRule: rule,
        },
      };
  const name = rng.pick(['a'.repeat(rng.size(heavy ? 100_000 : 2_000)), 'svc', '', 'aaaa!']);
  const resource = {
    type: 'Microsoft.ApiManagement/service',
    name,
    location: 'westeurope',
    tags: { env: 'a'.repeat(rng.size(heavy ? 3_000 : 500)) },
    properties: { publicNetworkAccess: 'Enabled', hostnameConfigurations: [{ hostName: name }, { hostName: 'b' }] },
  };
  return { text: JSON.stringify(definition, null, 1), aux: JSON.stringify(resource) };
}

// ---- the mix ----------------------------------------------------------------------------------

function mutate(text: string, rng: Rng, other: () => string, heavy: boolean, times = rng.range(1, 4)): string {
  let out = text;
  for (let i = 0; i < times; i++) out = MUTATORS[rng.pick(MUTATOR_NAMES)]!(out, rng, other, heavy);
  return out;
}

export interface GeneratedInput extends FuzzInput {
  /** Which generator made it (for the statistics and the reproducer's sidecar). */
  generator: string;
}

export interface MixOptions {
  /**
   * Heavy: the sizes of a long fuzz run (megabyte strings, nesting in the hundreds of
   * thousands). Light: the sizes of the fixed-seed test pass, which must run 20,000 inputs fast.
   */
  heavy: boolean;
}

type Make = (corpus: Corpus, rng: Rng, heavy: boolean) => GeneratedInput;

const from = (corpus: Corpus, rng: Rng, kind: CorpusKind) => rng.pick(corpus.byKind.get(kind) ?? ['{}']);
const mutatedFrom =
  (kind: CorpusKind, target: Target, generator: string, times?: [number, number]): Make =>
  (corpus, rng, heavy) => ({
    target,
    text: mutate(from(corpus, rng, kind), rng, () => from(corpus, rng, kind), heavy, times ? rng.range(times[0], times[1]) : undefined),
    generator,
  });

/** The generators, each with its weight in a heavy (long run) and a light (test pass) mix. */
const MIX: { generator: string; heavy: number; light: number; make: Make }[] = [
  {
    generator: 'mutate-json',
    heavy: 14,
    light: 18,
    make: (c, rng, heavy) => mutatedFrom(rng.pick(['json', 'template', 'parameters', 'policy'] as const), 'json', 'mutate-json')(c, rng, heavy),
  },
  {
    generator: 'random-expression',
    heavy: 16,
    light: 22,
    make: (_c, rng) => ({ target: 'expr', text: `[${randomExpression(rng)}]`, generator: 'random-expression' }),
  },
  {
    generator: 'mutate-expression',
    heavy: 6,
    light: 8,
    make: (_c, rng, heavy) => ({
      target: 'expr',
      text: mutate(`[${randomExpression(rng)}]`, rng, () => `[${randomExpression(rng)}]`, heavy),
      generator: 'mutate-expression',
    }),
  },
  {
    generator: 'random-policy',
    heavy: 12,
    light: 14,
    make: (_c, rng, heavy) => ({ target: 'policy', ...randomPolicy(rng, heavy), generator: 'random-policy' }),
  },
  {
    generator: 'mutate-policy',
    heavy: 5,
    light: 6,
    make: (c, rng, heavy) => ({ ...mutatedFrom('policy', 'policy', 'mutate-policy')(c, rng, heavy), aux: randomPolicy(rng, heavy).aux }),
  },
  { generator: 'mutate-bicep', heavy: 12, light: 10, make: mutatedFrom('bicep', 'bicep', 'mutate-bicep') },
  { generator: 'random-bicep', heavy: 6, light: 5, make: (_c, rng) => ({ target: 'bicep', text: randomBicep(rng), generator: 'random-bicep' }) },
  {
    generator: 'bicep-nest-or-huge',
    heavy: 3,
    light: 2,
    make: (_c, rng, heavy) => {
      const nest = rng.chance(0.5);
      const depth = rng.size(heavy ? 100_000 : 5_000);
      const text = nest
        ? `var x = ${rng.pick(['[', '(', '{ a: ', '!', '-', 'f(', "'${"]).repeat(depth)}1`
        : `param p string = '${'a'.repeat(rng.size(heavy ? 2_000_000 : 50_000))}'\noutput o int = length(p)`;
      return { target: 'bicep', text, generator: nest ? 'bicep-nest' : 'bicep-huge' };
    },
  },
  { generator: 'mutate-bicepparam', heavy: 3, light: 2, make: mutatedFrom('bicepparam', 'bicepparam', 'mutate-bicepparam') },
  { generator: 'mutate-config', heavy: 3, light: 1, make: mutatedFrom('config', 'config', 'mutate-config') },
  {
    generator: 'mutate-template',
    heavy: 12,
    light: 9,
    make: (c, rng, heavy) => {
      const t = mutatedFrom('template', 'arm', 'mutate-template')(c, rng, heavy);
      if (rng.chance(0.2)) t.aux = mutate(from(c, rng, 'parameters'), rng, () => from(c, rng, 'parameters'), heavy, rng.range(0, 2));
      return t;
    },
  },
  {
    generator: 'blowup',
    heavy: 6,
    light: 2,
    make: (_c, rng, heavy) => {
      const name = rng.pick(BLOWUP_NAMES);
      return { target: 'arm', text: BLOWUPS[name]!(rng, heavy), generator: `blowup-${name}` };
    },
  },
  {
    // scan(): discovery, classification, pairing and suppressions too. Slowest, so rarest.
    generator: 'scan',
    heavy: 2,
    light: 1,
    make: (c, rng, heavy) => {
      const t: GeneratedInput = { ...mutatedFrom('template', 'scan', 'scan', [0, 2])(c, rng, heavy) };
      if (rng.chance(0.3)) t.aux = JSON.stringify({ $schema: PARAMS_SCHEMA, contentVersion: '1.0.0.0', parameters: {} });
      return t;
    },
  },
];

/**
 * One input. The light mix favours the fast entry points (parsers, expressions, policy) so that
 * the test pass gets through many inputs; full template pipelines and scan() get a smaller share.
 */
export function generate(corpus: Corpus, rng: Rng, options: MixOptions): GeneratedInput {
  const weight = (m: (typeof MIX)[number]) => (options.heavy ? m.heavy : m.light);
  let roll = rng.next() * MIX.reduce((n, m) => n + weight(m), 0);
  for (const m of MIX) {
    roll -= weight(m);
    if (roll < 0) return m.make(corpus, rng, options.heavy);
  }
  return MIX[0]!.make(corpus, rng, options.heavy);
}
