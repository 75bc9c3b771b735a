import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CodeAction, Hover, TextEdit } from 'vscode-languageserver/node';
import { repoRoot, tempTree } from '../helpers.js';
import { LspClient, linesAndCodes, uri } from './client.js';

// The seed examples, copied so that the test can write a configuration next to them.
let root: string;
let client: LspClient;
const file = (rel: string) => path.join(root, rel);

before(async () => {
  root = tempTree({});
  for (const rel of ['noncompliant/apim.json', 'noncompliant/apim.parameters.json', 'bicep/main.bicep', 'bicep/main.bicepparam']) {
    mkdirSync(path.dirname(file(rel)), { recursive: true });
    copyFileSync(path.join(repoRoot(), 'examples', rel), file(rel));
  }
  client = new LspClient();
  await client.initialize(root);
});

after(async () => {
  await client.close();
});

/** What `tollgate scan` reports for the same files: `line:rule` per file, as the editor must show it. */
function scanned(rel: string): string[] {
  // Exit code 1: the examples have error-level findings.
  const out = spawnSync(process.execPath, [path.join(repoRoot(), 'dist/cli/main.js'), 'scan', path.dirname(rel), '-f', 'json', '--no-config'], {
    cwd: root,
    encoding: 'utf8',
  }).stdout;
  const report = JSON.parse(out) as { findings: { ruleId: string; location?: { file: string; start: { line: number } } }[] };
  return linesAndCodes(
    report.findings
      .filter((f) => f.location?.file === rel)
      .map((f) => ({ code: f.ruleId, range: { start: { line: f.location!.start.line - 1, character: 0 }, end: { line: 0, character: 0 } }, message: '' })),
  );
}

function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const offset = (p: { line: number; character: number }) => {
    let o = 0;
    for (let l = 0; l < p.line; l++) o = text.indexOf('\n', o) + 1;
    return o + p.character;
  };
  // From the end, so that earlier offsets stay valid.
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}

test('initialize announces hover, code actions and incremental sync', async () => {
  const probe = new LspClient();
  try {
    const result = (await probe.initialize(root)) as {
      capabilities: { hoverProvider: boolean; codeActionProvider: unknown; textDocumentSync: { change: number } };
    };
    assert.equal(result.capabilities.hoverProvider, true);
    assert.ok(result.capabilities.codeActionProvider);
    assert.equal(result.capabilities.textDocumentSync.change, 2);
  } finally {
    await probe.close();
  }
});

test('an ARM template opened gets the findings of `tollgate scan` at the same lines, with the parameter file as origin', async () => {
  const template = file('noncompliant/apim.json');
  await client.open(template);
  const diagnostics = await client.waitFor(template, (d) => d.length > 0);
  const expected = scanned('noncompliant/apim.json');
  assert.ok(expected.length >= 10, `the seed example has findings (${expected.length})`);
  assert.deepEqual(linesAndCodes(diagnostics), expected);
  // The seed check: the payments backend's URL comes from the parameter file.
  const http = diagnostics.find((d) => d.code === 'APIM-HTTPBackend' && d.range.start.line === 59);
  assert.ok(http, 'APIM-HTTPBackend at line 60');
  assert.equal(http.severity, 1);
  assert.equal(http.source, 'tollgate');
  assert.match(http.codeDescription?.href ?? '', /docs\/rules\/APIM-HTTPBackend\.md$/);
  assert.deepEqual(
    http.relatedInformation?.map((r) => [r.location.uri, r.location.range.start.line + 1]),
    [[uri(file('noncompliant/apim.parameters.json')), 9]],
  );
});

test('editing the parameter file (unsaved) re-checks its template: the finding goes, and comes back', async () => {
  const template = file('noncompliant/apim.json');
  const params = file('noncompliant/apim.parameters.json');
  const original = readFileSync(params, 'utf8');
  await client.open(params);
  await client.waitFor(template, (d) => d.some((x) => x.code === 'APIM-HTTPBackend' && x.range.start.line === 59));
  let since = client.published.length;
  await client.change(params, original.replace('http://payments.contoso.com/api', 'https://payments.contoso.com/api'));
  const fixed = await client.waitFor(template, (d) => !d.some((x) => x.code === 'APIM-HTTPBackend' && x.range.start.line === 59), since);
  // The other backend's URL is written in the template: still reported.
  assert.ok(fixed.some((x) => x.code === 'APIM-HTTPBackend' && x.range.start.line === 79));
  // The disk was not touched: the unsaved text was scanned.
  assert.equal(readFileSync(params, 'utf8'), original);
  since = client.published.length;
  await client.change(params, original);
  await client.waitFor(template, (d) => d.some((x) => x.code === 'APIM-HTTPBackend' && x.range.start.line === 59), since);
});

test('a Bicep file with its .bicepparam: findings at the scan lines; an edit of the .bicepparam re-checks the .bicep', async () => {
  const bicep = file('bicep/main.bicep');
  const params = file('bicep/main.bicepparam');
  await client.open(bicep);
  const diagnostics = await client.waitFor(bicep, (d) => d.length > 0);
  assert.deepEqual(linesAndCodes(diagnostics), scanned('bicep/main.bicep'));
  assert.ok(diagnostics.some((d) => d.code === 'APIM-HTTPBackend' && d.range.start.line === 33));
  const original = readFileSync(params, 'utf8');
  await client.open(params);
  const since = client.published.length;
  await client.change(params, original.replace("'http://payments", "'https://payments"));
  await client.waitFor(bicep, (d) => d.length > 0 && !d.some((x) => x.code === 'APIM-HTTPBackend' && x.range.start.line === 33), since);
  await client.change(params, original);
  await client.waitFor(bicep, (d) => d.some((x) => x.code === 'APIM-HTTPBackend' && x.range.start.line === 33), since);
});

test('a syntax error is published at its line while it is there, and cleared when it goes', async () => {
  const bicep = file('bicep/main.bicep');
  const original = readFileSync(bicep, 'utf8');
  const lines = original.split('\n');
  lines.splice(19, 0, 'resource broken = {');
  let since = client.published.length;
  await client.change(bicep, lines.join('\n'));
  const broken = await client.waitFor(bicep, (d) => d.some((x) => x.severity === 1 && x.range.start.line === 19 && !String(x.code).startsWith('APIM')), since);
  assert.ok(broken.length >= 1);
  since = client.published.length;
  await client.change(bicep, original);
  const clean = await client.waitFor(bicep, (d) => d.some((x) => x.code === 'APIM-HTTPBackend'), since);
  assert.ok(!clean.some((x) => x.range.start.line === 19 && !String(x.code).startsWith('APIM') && !/^[0-9a-f]{8}-/.test(String(x.code))));
});

test('hover on a finding shows the rule, its summary, the message and where the value was set', async () => {
  const template = file('noncompliant/apim.json');
  await client.waitFor(template, (d) => d.some((x) => x.code === 'APIM-HTTPBackend' && x.range.start.line === 59));
  const hover = (await client.connection.sendRequest('textDocument/hover', {
    textDocument: { uri: uri(template) },
    position: { line: 59, character: 12 },
  })) as Hover;
  const text = (hover.contents as { value: string }).value;
  assert.match(text, /\*\*APIM-HTTPBackend\*\*/);
  assert.match(text, /value set at noncompliant\/apim\.parameters\.json:9/);
  const none = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: uri(template) }, position: { line: 0, character: 0 } });
  assert.equal(none, null);
});

test('the suppress code action in Bicep writes a disable comment with an expiry; applied, the finding goes', async () => {
  const bicep = file('bicep/main.bicep');
  const text = readFileSync(bicep, 'utf8');
  const diagnostics = await client.waitFor(bicep, (d) => d.some((x) => x.code === 'APIM-HTTPBackend' && x.range.start.line === 33));
  const target = diagnostics.find((x) => x.code === 'APIM-HTTPBackend' && x.range.start.line === 33)!;
  const actions = (await client.connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri: uri(bicep) },
    range: target.range,
    context: { diagnostics: [target] },
  })) as CodeAction[];
  const suppress = actions.find((a) => a.title.startsWith('Suppress APIM-HTTPBackend'));
  assert.ok(suppress, `a suppress action among ${actions.map((a) => a.title).join(' | ')}`);
  const edits = suppress.edit!.changes![uri(bicep)]!;
  assert.match(edits[0]!.newText, /^\s*\/\/ tollgate-disable-next-line APIM-HTTPBackend expires:\d{4}-\d{2}-\d{2} \S/);
  const since = client.published.length;
  await client.change(bicep, applyEdits(text, edits));
  const after = await client.waitFor(bicep, (d) => d.length > 0, since);
  // The comment moved the resource one line down; the finding is suppressed, the others stay.
  assert.ok(!after.some((x) => x.code === 'APIM-HTTPBackend' && x.range.start.line === 34), linesAndCodes(after).join(' '));
  assert.ok(after.some((x) => x.code === 'APIM-HTTPBackend' && x.range.start.line === 50));
  await client.change(bicep, text);
  await client.waitFor(bicep, (d) => d.some((x) => x.code === 'APIM-HTTPBackend' && x.range.start.line === 33), since);
});

test('the suppress code action in a JSON template adds metadata.tollgate.suppress to the resource; applied, the finding goes', async () => {
  const template = file('noncompliant/apim.json');
  const text = readFileSync(template, 'utf8');
  const diagnostics = await client.waitFor(template, (d) => d.some((x) => x.code === 'APIM-HTTPBackend' && x.range.start.line === 79));
  const target = diagnostics.find((x) => x.code === 'APIM-HTTPBackend' && x.range.start.line === 79)!;
  const actions = (await client.connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri: uri(template) },
    range: target.range,
    context: { diagnostics: [target] },
  })) as CodeAction[];
  const suppress = actions.find((a) => a.title.startsWith('Suppress APIM-HTTPBackend'))!;
  const edited = applyEdits(text, suppress.edit!.changes![uri(template)]!);
  assert.doesNotThrow(() => JSON.parse(edited), 'still valid JSON');
  const since = client.published.length;
  await client.change(template, edited);
  const after = await client.waitFor(template, (d) => d.length > 0, since);
  assert.equal(after.filter((x) => x.code === 'APIM-HTTPBackend').length, 1, linesAndCodes(after).join(' '));
  await client.change(template, text);
  await client.waitFor(template, (d) => d.filter((x) => x.code === 'APIM-HTTPBackend').length === 2, since);
});

test('tollgate.yaml is read from the folder upwards and reloaded when it changes', async () => {
  const template = file('noncompliant/apim.json');
  await client.waitFor(template, (d) => d.some((x) => x.code === 'APIM-HTTPBackend'));
  writeFileSync(path.join(root, 'tollgate.yaml'), 'rules:\n  APIM-HTTPBackend:\n    enabled: false\n');
  let since = client.published.length;
  await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(path.join(root, 'tollgate.yaml')), type: 1 }] });
  const without = await client.waitFor(template, (d) => d.length > 0 && !d.some((x) => x.code === 'APIM-HTTPBackend'), since);
  assert.ok(without.some((x) => x.code === 'APIM-Ciphers'));
  // A configuration that cannot be used is reported in it, at its line; the defaults apply meanwhile.
  writeFileSync(path.join(root, 'tollgate.yaml'), 'rules:\n  APIM-HTTPBackend:\n    enabled: false\n  bogusKey: [\n');
  since = client.published.length;
  await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(path.join(root, 'tollgate.yaml')), type: 2 }] });
  const problems = await client.waitFor(path.join(root, 'tollgate.yaml'), (d) => d.length > 0, since);
  assert.equal(problems[0]!.severity, 1);
  await client.waitFor(template, (d) => d.some((x) => x.code === 'APIM-HTTPBackend'), since);
});

test('a Bicep module edited re-checks the deployment that uses it; the finding lands in the module at its line', async () => {
  const main = file('modules/main.bicep');
  const mod = file('modules/backend.bicep');
  mkdirSync(path.dirname(main), { recursive: true });
  writeFileSync(
    main,
    [
      "resource apim 'Microsoft.ApiManagement/service@2023-05-01-preview' existing = {",
      "  name: 'apim'",
      '}',
      '',
      "module backend 'backend.bicep' = {",
      "  name: 'backend'",
      "  params: { url: 'http://payments.contoso.com' }",
      '}',
      '',
    ].join('\n'),
  );
  const moduleText = (literal: string) =>
    [
      'param url string',
      '',
      "resource backend 'Microsoft.ApiManagement/service/backends@2023-05-01-preview' = {",
      "  name: 'apim/payments'",
      '  properties: {',
      "    protocol: 'http'",
      `    url: ${literal}`,
      '  }',
      '}',
      '',
    ].join('\n');
  writeFileSync(mod, moduleText('url'));
  await client.open(mod);
  // The value comes from the caller (on its own the module's parameter has no value): the finding
  // is in the module, with the caller's line as the origin.
  const first = await client.waitFor(mod, (d) => d.some((x) => x.code === 'APIM-HTTPBackend'));
  const http = first.find((x) => x.code === 'APIM-HTTPBackend')!;
  assert.equal(http.range.start.line, 6);
  assert.deepEqual(
    http.relatedInformation?.map((r) => [r.location.uri, r.location.range.start.line + 1]),
    [[uri(main), 7]],
  );
  const since = client.published.length;
  await client.change(mod, moduleText("'https://payments.contoso.com'"));
  await client.waitFor(mod, (d) => !d.some((x) => x.code === 'APIM-HTTPBackend'), since);
});
