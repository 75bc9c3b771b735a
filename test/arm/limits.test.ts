// The engine's limits: every input ends in results and diagnostics, never a hang, an out-of-memory,
// a V8 abort or a stack overflow. Inputs here would take minutes, gigabytes or crash without the
// limits; the assertions are on the diagnostics, never on time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { DEFAULT_DEPLOYMENT, expandTemplate, type ExpandOptions } from '../../src/arm/template/expand.js';
import { linkedFileLoader } from '../../src/input/linked-files.js';
import { parseJsonDocument } from '../../src/load/json-document.js';
import { SourceFile } from '../../src/load/source-file.js';
import { getPath, isUnknown, type Value } from '../../src/resources/value.js';
import { MAX_ARRAY_LENGTH, MAX_EXPRESSION_DEPTH, MAX_STRING_LENGTH, MAX_VALUE_DEPTH } from '../../src/arm/expression/budget.js';
import { MAX_UNIT_DEPLOYMENTS } from '../../src/arm/template/limits.js';
import { findDependencyCycles } from '../../src/arm/template/depends-on.js';
import { evaluateResources } from '../../src/evaluate/engine.js';
import { loadRuleSet, scan } from '../../src/scan.js';
import type { Resource } from '../../src/resources/resource.js';
import { doc, lineOf, template, tempTree } from '../helpers.js';

const expand = (t: string, options: Partial<ExpandOptions> = {}) =>
  expandTemplate(doc(t, 'main.json'), undefined, { deployment: DEFAULT_DEPLOYMENT, ...options });
const storage = (extra: object) => ({ type: 'Microsoft.Storage/storageAccounts', apiVersion: '2022-09-01', name: 'st', location: 'eastus', ...extra });
const prop = (r: { body: unknown } | undefined, p: string) => getPath(r!.body as Value, p);
const codes = (ds: { code: string }[]) => ds.map((d) => d.code);

/** A user function that calls the next one twice, `depth` deep: 2^depth calls. */
function doublingFunctions(depth: number) {
  const members: Record<string, object> = {};
  for (let i = 0; i < depth; i++) {
    members[`f${i}`] = {
      parameters: [{ name: 'x', type: 'int' }],
      output: { type: 'int', value: `[add(u.f${i + 1}(parameters('x')), u.f${i + 1}(parameters('x')))]` },
    };
  }
  members[`f${depth}`] = { parameters: [{ name: 'x', type: 'int' }], output: { type: 'int', value: "[parameters('x')]" } };
  return [{ namespace: 'u', members }];
}

// ---- 1. total work per unit ----------------------------------------------------------------

test('a template that links itself twice per level stops at the deployment budget with one located diagnostic', () => {
  const dir = tempTree({
    'main.json': template({
      resources: [
        {
          type: 'Microsoft.Resources/deployments',
          apiVersion: '2022-09-01',
          name: "[concat('d', copyIndex())]",
          copy: { name: 'c', count: 2 },
          properties: { mode: 'Incremental', templateLink: { relativePath: 'main.json' } },
        },
      ],
    }),
  });
  const file = path.join(dir, 'main.json');
  const text = readFileSync(file, 'utf8');
  const d = parseJsonDocument(new SourceFile(file, 'main.json', text));
  const { diagnostics, resources } = expandTemplate(d, undefined, { deployment: DEFAULT_DEPLOYMENT, loadLinked: linkedFileLoader([dir], dir) });
  const hit = diagnostics.filter((x) => x.code === 'limit-deployments');
  assert.equal(hit.length, 1);
  assert.match(hit[0]!.message, new RegExp(`more than ${MAX_UNIT_DEPLOYMENTS.toLocaleString('en-US')} nested deployments`));
  assert.equal(hit[0]!.location?.start.line, lineOf(text, '"type": "Microsoft.Resources/deployments"') - 1);
  assert.ok(resources.length <= 2 * MAX_UNIT_DEPLOYMENTS + 2);
});

test('user functions calling each other twice per level (2^32 calls) stop at the step budget, at the expression', () => {
  const t = template({ functions: doublingFunctions(31), resources: [storage({ tags: { n: '[string(u.f0(1))]' } })] });
  const { diagnostics } = expand(t, { limits: { steps: 200_000 } });
  const hit = diagnostics.filter((x) => x.code === 'limit-steps');
  assert.equal(hit.length, 1, JSON.stringify(diagnostics));
  assert.match(hit[0]!.message, /more than 200,000 functions/);
  // Where the budget ran out: inside a function body.
  const line = t.split('\n')[hit[0]!.location!.start.line - 1]!;
  assert.match(line, /"value": "\[add\(u\.f\d+/);
  assert.equal(diagnostics.length, 1);
});

test('800 deployments of 800 resources each stop at the resource budget', () => {
  const inner = template({ resources: [storage({ name: "[concat('s', copyIndex())]", copy: { name: 'r', count: 800 } })] });
  const t = template({
    resources: [
      {
        type: 'Microsoft.Resources/deployments',
        apiVersion: '2022-09-01',
        name: "[concat('d', copyIndex())]",
        copy: { name: 'c', count: 800 },
        properties: { mode: 'Incremental', expressionEvaluationOptions: { scope: 'inner' }, template: JSON.parse(inner) },
      },
    ],
  });
  const { diagnostics, resources } = expand(t, { limits: { resources: 5_000 } });
  assert.deepEqual(codes(diagnostics), ['limit-resources']);
  assert.match(diagnostics[0]!.message, /more than 5,000 resources/);
  assert.ok(resources.length <= 5_000);
});

test('the time limit stops a unit with a diagnostic; outputs and provenance read afterwards do not throw', () => {
  const t = template({
    functions: doublingFunctions(31),
    resources: [storage({ tags: { n: '[string(u.f0(1))]' } })],
    outputs: { o: { type: 'int', value: '[u.f0(1)]' } },
  });
  const expansion = expand(t, { limits: { steps: Number.MAX_SAFE_INTEGER, timeoutMs: 1 } });
  assert.deepEqual(codes(expansion.diagnostics), ['limit-time']);
  assert.match(expansion.diagnostics[0]!.message, /longer than 0.001 seconds/);
  assert.deepEqual(expansion.outputs(), {});
});

test('scan passes unitTimeoutSeconds to every unit', () => {
  const dir = tempTree({ 'main.json': template({ functions: doublingFunctions(31), resources: [storage({ tags: { n: '[string(u.f0(1))]' } })] }) });
  const out = scan({ paths: [dir], cwd: dir, unitTimeoutSeconds: 0.001, ruleSet: { rules: [], diagnostics: [], effectErrors: [] } });
  assert.ok(
    out.diagnostics.some((d) => d.code === 'limit-time' || d.code === 'limit-steps'),
    JSON.stringify(out.diagnostics),
  );
});

test('real templates stay far inside the budget', () => {
  // A modest template uses a few dozen steps; the defaults allow millions.
  const t = template({
    variables: { v: "[concat('a', 'b')]" },
    resources: [storage({ name: "[concat(variables('v'), copyIndex())]", copy: { name: 'l', count: 800 } })],
  });
  const { diagnostics, resources } = expand(t);
  assert.deepEqual(diagnostics, []);
  assert.equal(resources.length, 800);
});

test('values built count against the unit: 800 copies of a large string and ranges of ranges stop at the memory budget', () => {
  const copies = template({
    variables: { s: "[padLeft('', 16384, 'a')]", big: "[replace(replace(variables('s'), 'a', 'aaaa'), 'a', 'aaaa')]" },
    resources: [storage({ name: "[concat('s', copyIndex())]", copy: { name: 'c', count: 800 }, properties: { p: "[replace(variables('big'), 'a', 'b')]" } })],
  });
  const a = expand(copies, { limits: { built: 20 * 1024 * 1024 } });
  assert.deepEqual(codes(a.diagnostics), ['limit-memory']);
  assert.match(a.diagnostics[0]!.message, /more than 20 MB of values/);
  assert.ok(a.resources.length > 10 && a.resources.length < 80, String(a.resources.length));
  // A large variable read in every copy is not built again: no limit is reached.
  const reads = template({
    variables: { s: "[padLeft('', 16384, 'a')]", big: "[replace(replace(variables('s'), 'a', 'aaaa'), 'a', 'aaaa')]", list: '[range(0, 10000)]' },
    resources: [
      storage({ name: "[concat('s', copyIndex())]", copy: { name: 'c', count: 800 }, properties: { p: "[variables('big')]", q: "[variables('list')]" } }),
    ],
  });
  assert.deepEqual(codes(expand(reads, { limits: { built: 20 * 1024 * 1024 } }).diagnostics), []);
  const ranges = template({ resources: [storage({ properties: { p: "[map(range(0, 10000), lambda('x', range(0, 10000)))]" } })] });
  assert.deepEqual(codes(expand(ranges, { limits: { built: 20 * 1024 * 1024 } }).diagnostics), ['limit-memory']);
});

test('property copies within property copies (800^3 values, no function called) stop at the budget', () => {
  let inner: object = { x: 1 };
  for (const name of ['a', 'b', 'c']) inner = { copy: [{ name, count: 800, input: inner }] };
  const { diagnostics } = expand(template({ resources: [storage({ properties: inner })] }), { limits: { steps: 100_000 } });
  assert.deepEqual(codes(diagnostics), ['limit-steps']);
});

// ---- 2. sizes checked before building ------------------------------------------------------

test('string and array sizes are checked before the value is built', () => {
  const variables: Record<string, string> = { s0: "[padLeft('a', 10000, 'a')]", a0: '[range(0, 10000)]' };
  for (let i = 1; i <= 30; i++) {
    variables[`s${i}`] = `[concat(variables('s${i - 1}'), variables('s${i - 1}'))]`;
    variables[`r${i}`] = i === 1 ? "[replace(variables('s0'), 'a', 'aa')]" : `[replace(variables('r${i - 1}'), 'a', 'aa')]`;
    variables[`a${i}`] = `[concat(variables('a${i - 1}'), variables('a${i - 1}'))]`;
  }
  const tags = {
    doubled: "[variables('s30')]",
    replaced: "[variables('r30')]",
    arrays: "[length(variables('a30'))]",
    oneReplace: "[replace(variables('s8'), 'a', variables('s8'))]",
    width: "[format('{0,600000000}', 'a')]",
    e999: "[format('{0:E999}', 1)]",
    g801: "[format('{0:G801}', 1)]",
    d: "[length(format('{0:D5000000}', 1))]",
    joined: "[join(createArray(variables('s8'), variables('s8'), variables('s8'), variables('s8'), variables('s8'), variables('s8')), ',')]",
    json: "[string(createArray(variables('s8'), variables('s8'), variables('s8'), variables('s8'), variables('s8'), variables('s8')))]",
    base64: "[base64(concat(variables('s8'), variables('s7')))]",
    flat: "[length(flatten(createArray(variables('a6'), variables('a6'), variables('a6'))))]",
    union: "[length(union(variables('a5'), variables('a5'), range(5, 10000)))]",
    pad: "[padLeft('a', 100000)]",
    fine: "[length(concat(variables('s5'), variables('s5')))]",
  };
  const t = template({ variables, resources: [storage({ tags })] });
  const { diagnostics, resources } = expand(t);
  const tagValue = (k: string) => prop(resources[0], `tags.${k}`);
  for (const k of ['doubled', 'replaced', 'arrays', 'oneReplace', 'width', 'e999', 'g801', 'd', 'joined', 'json', 'base64', 'flat', 'pad'])
    assert.ok(isUnknown(tagValue(k)), `${k}: ${String(tagValue(k)).slice(0, 80)}`);
  assert.equal(tagValue('fine'), 2 * 10000 * 32);
  assert.equal(tagValue('union'), 10_005, 'union keeps each item once, found by hashing (320,000 items x 10,000 distinct compared one by one took minutes)');
  const messages = diagnostics.map((d) => d.message).join('\n');
  assert.match(messages, new RegExp(`the limit is ${MAX_STRING_LENGTH.toLocaleString('en-US')}`));
  assert.match(messages, new RegExp(`items; the limit is ${MAX_ARRAY_LENGTH.toLocaleString('en-US')}`));
  assert.match(messages, /a precision of 999 digits is not supported/);
  assert.match(messages, /a precision of 801 digits is not supported/);
  assert.match(messages, /the alignment 600000000 would be 600,000,000 characters long/);
  assert.ok(
    diagnostics.every((d) => d.location),
    'every size error points at its expression',
  );
});

test('concat of arrays with more items than a call can take is built without spreading', () => {
  // push(...a) with 300,000 items overflows the stack; the limit is larger than that.
  const t = template({
    variables: {
      a: '[range(0, 10000)]',
      b: "[concat(variables('a'), variables('a'), variables('a'), variables('a'), variables('a'))]",
      c: "[concat(variables('b'), variables('b'), variables('b'), variables('b'), variables('b'), variables('b'))]",
      d: "[concat(variables('c'), createArray(1))]",
    },
    resources: [storage({ tags: { n: "[length(variables('d'))]" } })],
  });
  const { diagnostics, resources } = expand(t);
  assert.deepEqual(diagnostics, []);
  assert.equal(prop(resources[0], 'tags.n'), 300_001);
});

// ---- 3. nesting ----------------------------------------------------------------------------

test('expressions nested too deep are a syntax error at any depth, not a stack overflow', () => {
  const nested = (n: number) => `[${'concat('.repeat(n)}'a'${')'.repeat(n)}]`;
  const t = template({
    resources: [storage({ tags: { a: nested(2670), b: nested(100_000), c: nested(MAX_EXPRESSION_DEPTH - 1), d: `[json('{}')${'.a'.repeat(8000)}]` } })],
  });
  const { diagnostics, resources } = expand(t);
  assert.equal(prop(resources[0], 'tags.c'), 'a');
  for (const k of ['a', 'b', 'd']) assert.ok(isUnknown(prop(resources[0], `tags.${k}`)), k);
  assert.ok(diagnostics.some((d) => d.message.includes(`nests more than ${MAX_EXPRESSION_DEPTH} levels deep`)));
  assert.ok(
    diagnostics.every((d) => d.code === 'expression-syntax'),
    JSON.stringify(codes(diagnostics)),
  );
});

test('JSON nested 100,000 deep is an input error, not a stack overflow', () => {
  const text = `{"a": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
  assert.throws(() => doc(text), /nests more than 512 levels deep/);
});

test('a chain of 5,000 variables stops at the evaluation depth with a diagnostic', () => {
  const variables: Record<string, string> = { v0: 'a' };
  for (let i = 1; i < 5000; i++) variables[`v${i}`] = `[concat(variables('v${i - 1}'), 'a')]`;
  const t = template({ variables, resources: [storage({ name: "[variables('v4999')]" })] });
  const { diagnostics, resources } = expand(t);
  assert.equal(resources.length, 1);
  assert.ok(isUnknown(resources[0]!.name) || resources[0]!.name === '<unknown>' || diagnostics.length > 0);
  assert.ok(
    diagnostics.some((d) => /evaluations nest more than \d+ deep/.test(d.message) && d.location),
    JSON.stringify(diagnostics),
  );
  assert.ok(!diagnostics.some((d) => /stopped/.test(d.message)), 'the depth limit, not the stack-overflow safety net');
});

test('a value built deeper than the value depth limit is an error, and string() of it too', () => {
  const deep = "reduce(range(0, 10000), createArray(), lambda('a', 'i', createArray(lambdaVariables('a'))))";
  const t = template({
    resources: [
      storage({
        properties: {
          p: `[${deep}]`,
          q: `[string(${deep})]`,
          ok: "[length(string(reduce(range(0, 500), createArray(), lambda('a', 'i', createArray(lambdaVariables('a'))))))]",
        },
      }),
    ],
  });
  const { diagnostics, resources } = expand(t);
  assert.ok(isUnknown(prop(resources[0], 'properties.p')));
  assert.ok(isUnknown(prop(resources[0], 'properties.q')));
  assert.equal(prop(resources[0], 'properties.ok'), 1002);
  assert.ok(diagnostics.some((d) => d.message.includes(`nests more than ${MAX_VALUE_DEPTH} levels deep`)));
  // The expanded value prints.
  assert.ok(JSON.stringify(resources.map((r) => r.body)).length > 0);
});

// ---- 4. keys that are names of Object.prototype members -------------------------------------

test('parameter types and function names such as __proto__ and constructor are plain unknown names', () => {
  const t = template({
    parameters: { p: { type: '__proto__', defaultValue: 'x' }, q: { type: 'constructor', defaultValue: 'y' }, r: { type: 'toString', defaultValue: 'z' } },
    resources: [
      storage({
        name: "[parameters('p')]",
        tags: { q: "[parameters('q')]", r: "[parameters('r')]", f1: '[__proto__()]', f2: '[constructor()]', f3: '[toString()]', f4: '[hasOwnProperty()]' },
      }),
    ],
  });
  const { diagnostics, resources } = expand(t);
  assert.equal(resources[0]!.name, 'x');
  assert.equal(prop(resources[0], 'tags.q'), 'y');
  assert.deepEqual(codes(diagnostics), ['unknown-function', 'unknown-function', 'unknown-function', 'unknown-function']);
});

test('__proto__ and constructor keys stay data in union, createObject, json, items; parseUri keeps the port', () => {
  const t = template({
    resources: [
      storage({
        tags: {
          u: `[string(union(json('{"__proto__": {"x": 1}, "a": 1}'), createObject('constructor', 2)))]`,
          o: "[string(createObject('__proto__', 1, 'constructor', 2))]",
          i: `[string(items(json('{"__proto__": 1, "constructor": 2}')))]`,
          b: `[string(base64ToJson(base64('{"__proto__": {"polluted": 1}}')))]`,
          port: "[parseUri('constructor://h/x').port]",
          http: "[parseUri('http://h/x').port]",
        },
      }),
    ],
  });
  const { diagnostics, resources } = expand(t);
  assert.deepEqual(diagnostics, []);
  assert.equal(prop(resources[0], 'tags.u'), '{"__proto__":{"x":1},"a":1,"constructor":2}');
  assert.equal(prop(resources[0], 'tags.o'), '{"__proto__":1,"constructor":2}');
  assert.equal(prop(resources[0], 'tags.i'), '[{"key":"constructor","value":2},{"key":"__proto__","value":1}]');
  assert.equal(prop(resources[0], 'tags.b'), '{"__proto__":{"polluted":1}}');
  assert.equal(prop(resources[0], 'tags.port'), -1);
  assert.equal(prop(resources[0], 'tags.http'), 80);
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});

// ---- 5. quadratic blow-ups -----------------------------------------------------------------

test('a copy loop that depends on its own loop is one cycle diagnostic, not n(n+1)/2', () => {
  const t = template({ resources: [storage({ name: "[concat('s', copyIndex())]", copy: { name: 'loop', count: 800 }, dependsOn: ['loop'] })] });
  const { diagnostics, resources } = expand(t);
  assert.equal(resources.length, 800);
  assert.equal(diagnostics.length, 1);
  assert.equal(diagnostics[0]!.code, 'dependson-cycle');
  assert.equal(diagnostics[0]!.message, 'dependsOn forms a cycle: s0 -> s0 (800 resources depend on each other)');
});

test('dependency cycles: one per group, shortest path through its first member, independent groups apart', () => {
  const graph: Record<string, string[]> = { a: ['b'], b: ['c'], c: ['a', 'b'], d: ['d'], e: ['a'], f: [] };
  const cycles = findDependencyCycles(Object.keys(graph), (n) => graph[n]!);
  assert.deepEqual(cycles, [
    { path: ['a', 'b', 'c'], size: 3 },
    { path: ['d'], size: 1 },
  ]);
  // A long chain is not recursion.
  const n = 100_000;
  const chain = Array.from({ length: n }, (_, i) => i);
  assert.deepEqual(
    findDependencyCycles(chain, (i) => (i + 1 < n ? [i + 1] : [0])).map((c) => c.size),
    [n],
  );
});

test('toObject, shallowMerge and union of objects with 30,000 keys are linear (quadratic took minutes)', () => {
  const ranges = Array.from({ length: 3 }, (_, i) => `range(${i * 10000}, 10000)`).join(', ');
  const t = template({
    variables: {
      numbers: `[concat(${ranges})]`,
      byKey: "[toObject(variables('numbers'), lambda('x', concat('k', string(lambdaVariables('x')))))]",
      singles: "[map(variables('numbers'), lambda('x', createObject(concat('K', string(lambdaVariables('x'))), lambdaVariables('x'))))]",
    },
    resources: [
      storage({
        properties: {
          toObject: "[length(objectKeys(variables('byKey')))]",
          shallowMerge: "[length(objectKeys(shallowMerge(variables('singles'))))]",
          union: "[length(objectKeys(union(variables('byKey'), shallowMerge(variables('singles')))))]",
        },
      }),
    ],
  });
  const { diagnostics, resources } = expand(t);
  assert.deepEqual(diagnostics, []);
  assert.equal(prop(resources[0], 'properties.toObject'), 30_000);
  assert.equal(prop(resources[0], 'properties.shallowMerge'), 30_000);
  // 'kN' and 'KN' are one key to ARM.
  assert.equal(prop(resources[0], 'properties.union'), 30_000);
});

test('union of arrays of objects compares them pairwise, counted against the unit', () => {
  const list = (from: number) => `map(range(${from}, 10000), lambda('x', createObject('n', lambdaVariables('x'))))`;
  const t = template({ resources: [storage({ properties: { n: `[length(union(${list(0)}, ${list(10000)}, ${list(20000)}))]` } })] });
  const { diagnostics } = expand(t, { limits: { steps: 1_000_000 } });
  assert.deepEqual(codes(diagnostics), ['limit-steps']);
});

test('rules that look for related resources index them by type: work grows linearly with the resources', () => {
  // 800 APIs: APIM-DefenderCloud and auditIfNotExists policies each look for related resources.
  const resources = Array.from({ length: 800 }, (_, i) => ({
    type: 'Microsoft.ApiManagement/service/apis',
    apiVersion: '2023-05-01-preview',
    name: `svc/api${i}`,
    properties: { path: `p${i}` },
  }));
  const expansion = expand(
    template({
      resources: [
        {
          type: 'Microsoft.ApiManagement/service',
          apiVersion: '2023-05-01-preview',
          name: 'svc',
          location: 'eastus',
          sku: { name: 'Developer', capacity: 1 },
          properties: {},
        },
        ...resources,
      ],
    }),
  );
  let typeReads = 0;
  // Count how often a resource's type is read: a search of every resource per resource reads it n² times.
  const counted: Resource[] = expansion.resources.map((r) => {
    const copy = { ...r };
    Object.defineProperty(copy, 'type', {
      get: () => {
        typeReads++;
        return r.type;
      },
    });
    return copy;
  });
  const ruleSet = loadRuleSet();
  const out = evaluateResources({ file: 'main.json', resources: counted }, ruleSet.rules);
  assert.ok(out.findings.some((f) => f.ruleId === 'APIM-DefenderCloud'));
  // Measured: ~13 reads per resource with the index; without it each API searched all 801 (640,000).
  assert.ok(typeReads < 100 * counted.length, `${typeReads} reads of type for ${counted.length} resources`);
});
