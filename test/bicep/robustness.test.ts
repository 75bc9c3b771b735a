import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { lowerProgram } from '../../src/bicep/lower/lower-program.js';
import { MAX_NESTING, MAX_SYNTAX_DIAGNOSTICS, parseBicep } from '../../src/bicep/syntax/parser.js';
import type { JsonNode } from '../../src/load/json-parser.js';
import { repoRoot, tempTree } from '../helpers.js';
import type { PipelineReply, PipelineRequest } from './pipeline-worker.js';

// Bicep never crashes and never hangs (issues 14 and 21): every input, however broken, gives a
// template and diagnostics. Each input runs in a worker with a time and memory limit, so that a
// regression fails here instead of hanging or exhausting the test run. The worker's stack is the
// size of the CLI's main thread, so a stack overflow shows here as it would for a user.

class Pipeline {
  private worker: Worker | undefined;

  private start(): Worker {
    this.worker ??= new Worker(new URL('./pipeline-worker.js', import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: 512, stackSizeMb: 1 } });
    return this.worker;
  }

  run(text: string, absPath = path.join(repoRoot(), 'virtual', 'main.bicep'), timeoutMs = 20_000): Promise<PipelineReply> {
    const worker = this.start();
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
      };
      const onMessage = (reply: PipelineReply) => {
        done();
        resolve(reply);
      };
      const onError = (err: Error) => {
        done();
        this.worker = undefined;
        reject(err);
      };
      const timer = setTimeout(() => {
        done();
        void worker.terminate();
        this.worker = undefined;
        reject(new Error(`no answer after ${timeoutMs} ms (a hang or a runaway allocation) for: ${JSON.stringify(text.slice(0, 80))}`));
      }, timeoutMs);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.postMessage({ absPath, text } satisfies PipelineRequest);
    });
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
  }
}

const pipeline = new Pipeline();
after(() => pipeline.close());

/** Runs the text and fails on an escaped exception; returns the reply. */
async function survives(text: string, absPath?: string, timeoutMs?: number): Promise<PipelineReply> {
  const reply = await pipeline.run(text, absPath, timeoutMs);
  assert.equal(reply.error, undefined, `threw on ${JSON.stringify(text.slice(0, 80))}: ${reply.error}`);
  return reply;
}

const outputsOf = (reply: PipelineReply) => JSON.parse(reply.outputs) as Record<string, { value: unknown } | undefined>;

test('a stray closing bracket never stops the parser: it ends the enclosing list or is skipped', async () => {
  // Each of these made a recovery loop turn without consuming input (11 bytes grew to gigabytes).
  const inputs = [
    'var x = f(]',
    'var x = [ ) ]',
    'var x = { ) }',
    'var x = (]',
    'var x = [f(]]',
    'var x = [f(a, ]]',
    "var x = '${ ] }'",
    'var x = x[ ) ]',
    'var x = [for i in [ ) ]: i]',
    'var x = { a: ] }',
    'var x = (a) => ]',
    'output o array = [ } ]',
    'type t = { ] }',
    'type t = [ ) ]',
    "import { ] } from 'x.bicep'",
    "resource r 'Microsoft.Storage/storageAccounts@2023-01-01' = { ] }",
    '@sys.description(])\nvar x = 1',
    'func f() string => ]',
    ']])}}))',
  ];
  for (const text of inputs) {
    const reply = await survives(text);
    assert.ok(reply.diagnostics.length > 0, `a diagnostic for ${text}`);
  }
  const call = await survives('var x = f(]');
  assert.deepEqual(call.diagnostics.map((d) => `${d.line}:${d.column}`).slice(0, 2), ['1:11', '1:12']);
  assert.match(call.diagnostics[0]!.message, /unexpected '\]'/);

  // The array around a broken call still closes: the rest of the file is read as written.
  const recovered = await survives("var x = [f(]\noutput o string = 'after'\n");
  assert.equal(outputsOf(recovered).o?.value, 'after');
});

test('unclosed brackets on many lines are parsed in linear time, each problem reported once', async () => {
  // Every declaration used to be parsed again from each following line: quadratic (20,000 lines > 60 s).
  for (const line of ['var a = [', 'var a = {', 'var a = f(', "resource r 'x@1' = {"]) {
    const started = Date.now();
    const reply = await survives(`${line}\n`.repeat(20_000), undefined, 30_000);
    assert.ok(Date.now() - started < 15_000, `${line}: ${Date.now() - started} ms`);
    assert.ok(reply.diagnostics.length < 100, `${line}: ${reply.diagnostics.length} diagnostics`);
  }
});

test('a name with a dash in a declaration is a syntax error, not a hang', async () => {
  for (const text of [
    'var a-0 = 1',
    'param a-0 int',
    'output a-0 int = 1',
    "resource a-0 'x@1' = {}",
    "module a-0 'x.bicep' = {}",
    'type a-0 = int',
    'func a-0() int => 1',
    'metadata a-0 = 1',
    'var a-0 = 1\nvar b = a',
  ]) {
    await survives(text);
  }
  const reply = await survives("resource a-0 'Microsoft.Storage/storageAccounts@2023-01-01' = {}\n");
  assert.ok(reply.diagnostics.some((d) => d.line === 1));
});

// One nesting construct at a time, `n` levels deep, with the output value it must give.
const NESTED: Record<string, { text: (n: number) => string; value?: (n: number) => unknown }> = {
  parentheses: { text: (n) => `output o int = ${'('.repeat(n)}1${')'.repeat(n)}\n`, value: () => 1 },
  arrays: { text: (n) => `output o array = ${'['.repeat(n)}1${']'.repeat(n)}\n`, value: (n) => nestedArray(n) },
  arraysWithParameter: { text: (n) => `param p int = 1\noutput o array = ${'['.repeat(n)}p${']'.repeat(n)}\n`, value: (n) => nestedArray(n) },
  objects: { text: (n) => `output o object = ${'{a:'.repeat(n)}1${'}'.repeat(n)}\n`, value: (n) => nestedObject(n) },
  objectsWithParameter: { text: (n) => `param p int = 1\noutput o object = ${'{a:'.repeat(n)}p${'}'.repeat(n)}\n`, value: (n) => nestedObject(n) },
  not: { text: (n) => `output o bool = ${'!'.repeat(n)}true\n`, value: (n) => n % 2 === 0 },
  minus: { text: (n) => `param p int = 1\noutput o int = ${'-'.repeat(n)}p\n`, value: (n) => (n % 2 === 0 ? 1 : -1) },
  memberAccess: { text: (n) => `var x = ${'{a:'.repeat(n)}1${'}'.repeat(n)}\noutput o int = x${'.a'.repeat(n)}\n`, value: () => 1 },
  safeAccess: { text: (n) => `var x = {}\noutput o object = x${'.?a'.repeat(n)}\n`, value: () => null },
  indexes: { text: (n) => `var x = ${'['.repeat(n)}1${']'.repeat(n)}\noutput o int = x${'[0]'.repeat(n)}\n`, value: () => 1 },
  ternaries: { text: (n) => `param p bool = false\noutput o int = ${'p ? 0 : '.repeat(n)}1\n`, value: () => 1 },
  calls: { text: (n) => `output o string = ${'string('.repeat(n)}1${')'.repeat(n)}\n`, value: () => '1' },
  interpolation: { text: (n) => `output o string = ${"'${".repeat(n)}'a'${"}'".repeat(n)}\n`, value: () => 'a' },
  lambdas: { text: (n) => `output o array = map([1], ${'a => '.repeat(n)}2)\n` },
  sums: { text: (n) => `param p int = 1\noutput o int = p${' + p'.repeat(n)}\n`, value: (n) => n + 1 },
  nestedResources: {
    text: (n) =>
      Array.from({ length: n }, (_, k) => `resource r${k} '${k ? 'x' : 'Microsoft.Storage/storageAccounts'}@2023-01-01' = {\nname: 'n${k}'\n`).join('') +
      '}\n'.repeat(n),
  },
  objectTypes: { text: (n) => `type t = ${'{a: '.repeat(n)}int${'}'.repeat(n)}\nparam p t\n` },
  arrayTypes: { text: (n) => `param p int${'[]'.repeat(n)} = []\noutput o array = p\n`, value: () => [] },
  parenthesizedTypes: { text: (n) => `param p ${'('.repeat(n)}int${')'.repeat(n)} = 1\noutput o int = p\n`, value: () => 1 },
  unaryTypes: { text: (n) => `param p ${'-'.repeat(n)}1 = 1\n` },
};

function nestedArray(n: number): unknown {
  let v: unknown = 1;
  for (let k = 0; k < n; k++) v = [v];
  return v;
}
function nestedObject(n: number): unknown {
  let v: unknown = 1;
  for (let k = 0; k < n; k++) v = { a: v };
  return v;
}

const tooDeep = (d: { message: string }) => /nests more than \d+ levels deep/.test(d.message);

test(`nesting deeper than ${MAX_NESTING} levels is a diagnostic at its line and column, never a stack overflow (100,000 levels)`, async () => {
  for (const [kind, { text }] of Object.entries(NESTED)) {
    const reply = await survives(text(100_000), undefined, 60_000);
    const deep = reply.diagnostics.find(tooDeep);
    assert.ok(deep, `${kind}: a nesting diagnostic`);
    assert.ok(deep.line >= 1 && deep.column > 1, `${kind}: at ${deep.line}:${deep.column}`);
  }
  // The lexer reads string interpolation nested 100,000 deep (no recursion there either).
  const strings = await survives(`var s = ${"'${".repeat(100_000)}1${"}'".repeat(100_000)}\n`, undefined, 60_000);
  assert.ok(strings.diagnostics.some(tooDeep));
});

test(`a file nested just under ${MAX_NESTING} levels parses, lowers and expands to the values it means`, async () => {
  // Some constructs take two levels of the tree per level written (a ternary's condition, a
  // sum's operands): 120 levels of each, and 250 of those that take one.
  const depth = (kind: string) => (['sums', 'lambdas'].includes(kind) ? 120 : MAX_NESTING - 6);
  for (const [kind, { text, value }] of Object.entries(NESTED)) {
    const n = depth(kind);
    const reply = await survives(text(n));
    assert.deepEqual(reply.diagnostics.filter(tooDeep), [], `${kind} at ${n} levels`);
    if (value) assert.deepEqual(outputsOf(reply).o?.value, value(n), `${kind} at ${n} levels`);
  }
  // And through the command line, on the main thread's default stack.
  const dir = tempTree({
    'deep.bicep': NESTED.arraysWithParameter!.text(MAX_NESTING - 6) + NESTED.interpolation!.text(MAX_NESTING - 6).replace('output o', 'output s'),
  });
  const cli = spawnSync(process.execPath, [path.join(repoRoot(), '.test-build', 'src', 'cli', 'main.js'), 'expand', path.join(dir, 'deep.bicep')], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(cli.status, 0, cli.stderr);
  const out = JSON.parse(cli.stdout) as { outputs: Record<string, { value: unknown }> };
  assert.deepEqual(out.outputs.o?.value, nestedArray(MAX_NESTING - 6));
  assert.equal(out.outputs.s?.value, 'a');
});

test('incomplete declarations lower to diagnostics, never an exception', async () => {
  const inputs = [
    'resource',
    'resource a',
    "resource a 'x@1'",
    "resource a 'x@1' =",
    'resource a =',
    'resource a = {}',
    "resource a 'x@1' = {\n resource b\n}",
    "resource a 'x@1' = {\n resource b = {}\n}",
    "resource a 'x@1' = {\n resource b 'y@1'\n}",
    'module',
    'module\n',
    'module m',
    'module m = {}',
    "module m 'x.bicep'",
    "module m 'x.bicep' =",
    "module m '' = {}",
    'param',
    'param p',
    'param p =',
    'var',
    'var x',
    'var x =',
    'output',
    'output o',
    'output o string',
    'output o string =',
    'output o resource',
    'type',
    'type t',
    'type t =',
    'func',
    'func f',
    'func f()',
    'func f() string',
    'func f() string =>',
    'import',
    'import {',
    'import * as',
    'import {a} from',
    'metadata',
    'metadata m',
    'metadata m =',
    'targetScope',
    'targetScope =',
    'extension',
    'extension x with',
    'extension x as',
    '@description(',
    '@description(\n',
    "@description('x')",
    "@description(\nresource a 'x@1' = {}",
    '@',
    '@\nvar x = 1',
    "resource a 'x@1' = [for",
    "resource a 'x@1' = [for i in",
    "resource a 'x@1' = if (",
    "resource a 'x@1' = {\n parent:\n scope:\n name:\n}",
    'using',
    "using 'x.bicep' with",
    'test t',
    'assert a',
    'var x = {\n ...\n}',
  ];
  for (const text of inputs) {
    await survives(text);
    await survives(text + '\n');
  }
  // A resource without its type string is reported and left out; its parent is still deployed.
  const reply = await survives("resource a 'Microsoft.Storage/storageAccounts@2023-01-01' = {\n  name: 'sa'\n  resource b\n}\n");
  assert.equal(reply.resources, 1);
  assert.ok(reply.diagnostics.some((d) => d.line === 3 && /resource type string/.test(d.message)));
  const module = await survives('module m = {}\n');
  assert.equal(module.resources, 0);
  assert.ok(module.diagnostics.some((d) => d.line === 1 && /module path/.test(d.message)));
});

test('a resource or module declared twice is reported and left out; the first is lowered as written', async () => {
  // Found by fuzzing: the second declaration took the first one's symbol and its nested children were lost (TypeError).
  const reply = await survives(
    [
      "resource a 'Microsoft.ServiceBus/namespaces@2022-01-01-preview' = {",
      "  name: 'first'",
      "  resource rule 'AuthorizationRules' = {",
      "    name: 'send'",
      '  }',
      '}',
      "resource a 'Microsoft.Storage/storageAccounts@2023-01-01' = {",
      "  name: 'second'",
      '}',
      "module a 'x.bicep' = {}",
      "resource b 'Microsoft.Web/sites@2023-01-01' = {",
      "  name: 'site'",
      "  resource c 'config' = { name: 'web' }",
      "  resource c 'config' = { name: 'logs' }",
      '}',
      '',
    ].join('\n'),
  );
  assert.deepEqual(
    reply.diagnostics.filter((d) => /declared more than once/.test(d.message)).map((d) => `${d.line}:${d.column}`),
    ['7:10', '10:8', '14:12'],
  );
  assert.equal(reply.resources, 4);
});

test('a module that leads back to its own file is reported, not expanded without end', async () => {
  // The compiler's InvalidModules baseline has twenty modules of main.bicep in main.bicep: each
  // level expanded twenty more (20^20 deployments, a hang).
  const dir = tempTree({
    'main.bicep': "module self 'main.bicep' = {}\nmodule viaOther 'other.bicep' = {}\nmodule fine 'leaf.bicep' = {}\n",
    'other.bicep': "module back 'main.bicep' = {}\n",
    'leaf.bicep': "output o string = 'leaf'\n",
  });
  const reply = await survives(readFileSync(path.join(dir, 'main.bicep'), 'utf8'), path.join(dir, 'main.bicep'));
  assert.deepEqual(
    reply.diagnostics.filter((d) => /module cycle/.test(d.message)).map((d) => d.line),
    [1, 2],
  );
  assert.equal(reply.resources, 3, 'the three deployments, nothing expanded from the cycles');
});

test('names and keys such as constructor, __proto__ and toString are ordinary names', async () => {
  const reply = await survives(
    [
      "var constructor = 'a'",
      "output __proto__ string = 'b'",
      'var o = { constructor: 1, __proto__: 2, toString: 3 }',
      'output o object = o',
      'output c string = constructor',
      "param hasOwnProperty string = 'h'",
      'output toString string = hasOwnProperty',
      "resource valueOf 'Microsoft.Storage/storageAccounts@2023-01-01' = {",
      "  name: 'sa'",
      "  tags: { constructor: 'x', __proto__: 'y' }",
      '}',
      'output tags object = valueOf.tags',
      "output merged object = union(o, { toString: 'u' })",
      // base64ToJson() reads JSON leniently (its own reader): `__proto__` stays a key there too.
      "output parsed object = base64ToJson(base64('{\\'__proto__\\': {\\'a\\': 1}, b: 2}'))",
      '',
    ].join('\n'),
  );
  assert.deepEqual(reply.diagnostics, []);
  const outputs = outputsOf(reply);
  assert.equal(outputs['__proto__']?.value, 'b');
  assert.equal(JSON.stringify(outputs.o?.value), '{"constructor":1,"__proto__":2,"toString":3}');
  assert.equal(outputs.c?.value, 'a');
  assert.equal(outputs['toString']?.value, 'h');
  assert.equal(JSON.stringify(outputs.merged?.value), '{"constructor":1,"__proto__":2,"toString":"u"}');
  assert.equal(JSON.stringify(outputs.parsed?.value), '{"__proto__":{"a":1},"b":2}');
});

test('a target scope or decorator named like an Object.prototype member finds nothing there', () => {
  const none = { ok: false as const, reason: 'none', refused: false };
  const host = {
    program: () => none,
    readText: () => none,
    readBytes: () => none,
    environmentVariable: () => undefined,
    moduleReferences: () => undefined,
    registryModule: () => ({ ok: false as const, reason: 'no registry' }),
  };
  const parsed = parseBicep("targetScope = 'constructor'\n@toString('a')\n@constructor(1)\nparam p int = 1\n");
  const { template } = lowerProgram(parsed.program, '/virtual/main.bicep', host);
  const strings: unknown[] = [];
  const walk = (n: JsonNode) => {
    if (n.type === 'property') strings.push(n.children![0]!.value);
    else if (n.type === 'string') strings.push(n.value);
    for (const c of n.children ?? []) walk(c);
  };
  walk(template);
  assert.deepEqual(
    strings.filter((v) => typeof v !== 'string'),
    [],
    'every key and string of the template is a string',
  );
  assert.equal(
    template.children!.find((p) => p.children![0]!.value === '$schema')!.children![1]!.value,
    'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
  );
});

test("every Bicep file of the fixtures (the compiler's valid and invalid baselines included) parses, lowers and expands without an exception", async () => {
  const root = path.join(repoRoot(), 'test', 'fixtures');
  const files = readdirSync(root, { recursive: true })
    .map(String)
    .filter((f) => /\.bicep(param)?$/.test(f))
    .sort();
  assert.ok(files.length > 250, `${files.length} files`);
  const failures: string[] = [];
  for (const f of files) {
    const abs = path.join(root, f);
    const reply = await pipeline.run(readFileSync(abs, 'utf8'), abs, 30_000).catch((err: Error) => ({ error: err.message }) as PipelineReply);
    if (reply.error) failures.push(`${f}: ${reply.error.split('\n').slice(0, 3).join(' / ')}`);
  }
  assert.deepEqual(failures, []);
});

test('a megabyte of one stray character is one token and one diagnostic; garbage of many tokens reports the first 1,000 syntax errors and counts the rest (found by the heavy fuzz campaign: 3.5 million diagnostics took 16 s and overflowed the stack where they were spread)', () => {
  const run = parseBicep(`p${'\\'.repeat(1_000_000)}aram x string\nvar b = 2\n`);
  const stray = run.diagnostics.filter((d) => /unexpected character/.test(d.message));
  assert.equal(stray.length, 1);
  assert.equal(stray[0]!.message, "unexpected character '\\' (1,000,000 times)");
  const mixed = parseBicep(`var a = 1\n${'\\#'.repeat(200_000)}\nvar b = 2\n`);
  assert.equal(mixed.diagnostics.length, MAX_SYNTAX_DIAGNOSTICS + 1);
  assert.match(mixed.diagnostics[MAX_SYNTAX_DIAGNOSTICS]!.message, /^399,001 more syntax errors from here on are not shown \(the first 1,000 are\)$/);
  // The declarations around the garbage are still read.
  assert.deepEqual(
    mixed.program.statements.filter((s) => s.kind === 'VariableDeclarationSyntax').map((s) => (s as { name?: string }).name),
    ['a', 'b'],
  );
});
