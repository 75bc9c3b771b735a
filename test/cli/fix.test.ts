import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scan } from '../../src/scan.js';
import type { Finding, TextEdit } from '../../src/findings/finding.js';
import { baselineFingerprint } from '../../src/findings/fingerprint.js';
import { planFixes } from '../../src/cli/apply-fixes.js';
import { unifiedDiff } from '../../src/cli/unified-diff.js';
import { applyEdits } from '../../src/findings/text-edits.js';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { repoRoot, template, tempTree } from '../helpers.js';

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
const TLS_POLICY = '92bb331d-ac71-416a-8c91-02f2cb734ce4';

function run(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A copy of an example folder in a fresh temporary directory (its own git-less sandbox). */
function copyExample(name: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tollgate-fix-'));
  cpSync(path.join(repoRoot(), 'examples', name), path.join(dir, name), { recursive: true });
  return dir;
}

const scanAt = (cwd: string, paths = ['.']) => scan({ paths, cwd });

/**
 * Every line of `before` outside the lines the edits touch is in `after`, byte for byte and in order: the
 * text between the edited lines is cut into pieces at line starts, and `after` must be those pieces with
 * only the edited lines' replacements between them.
 */
function assertUntouchedLinesIdentical(before: string, after: string, edits: readonly TextEdit[]): void {
  const lineStart = (o: number) => before.lastIndexOf('\n', o - 1) + 1;
  const lineEnd = (o: number) => {
    const n = before.indexOf('\n', o);
    return n < 0 ? before.length : n + 1;
  };
  const sorted = [...edits].sort((a, b) => a.startOffset - b.startOffset);
  const pieces: string[] = [];
  let at = 0;
  for (const e of sorted) {
    const from = lineStart(e.startOffset);
    if (from > at) pieces.push(before.slice(at, from));
    at = Math.max(at, lineEnd(Math.max(e.startOffset, e.endOffset - 1)));
  }
  pieces.push(before.slice(at));
  assert.ok(after.startsWith(pieces[0]!), 'the lines before the first edit changed');
  assert.ok(after.endsWith(pieces[pieces.length - 1]!), 'the lines after the last edit changed');
  let pos = pieces[0]!.length;
  for (const piece of pieces.slice(1, -1)) {
    const found = after.indexOf(piece, pos);
    assert.ok(found >= pos, `untouched lines changed or moved out of order:\n${piece}`);
    pos = found + piece.length;
  }
}

/** `tollgate fix` on a copy of an example: every finding with a safe fix is gone, the untouched lines are byte-identical. */
function fixExample(name: string, minimumFixed: number) {
  const dir = copyExample(name);
  const before = scanAt(dir);
  const withFix = before.findings.filter((f) => f.fix && !f.fix.sharedWith);
  assert.ok(withFix.length >= minimumFixed, `expected at least ${minimumFixed} findings with a safe fix, got ${withFix.length}`);
  const texts = new Map<string, string>();
  for (const f of withFix) for (const e of f.fix!.edits) texts.set(e.absPath, readFileSync(e.absPath, 'utf8'));
  const r = run(['fix', '.'], dir);
  assert.match(r.stderr, /re-scan: \d+ findings? fewer/, r.stderr);
  assert.match(r.stdout, new RegExp(`^--- a/${name}/`, 'm'));
  const after = scanAt(dir);
  assert.equal(after.diagnostics.filter((d) => d.severity === 'error').length, 0, JSON.stringify(after.diagnostics));
  const remaining = new Set(after.findings.map((f) => baselineFingerprint(f)));
  for (const f of withFix) assert.ok(!remaining.has(baselineFingerprint(f)), `still reported after its fix: ${f.ruleId} ${f.path}`);
  assert.equal(after.findings.filter((f) => f.fix).length, 0, 'a finding with a fix remains');
  assert.equal(after.findings.length, before.findings.length - withFix.length, 'the fixes removed exactly the findings they were for');
  for (const [abs, text] of texts) {
    const edits = withFix.flatMap((f) => f.fix!.edits).filter((e) => e.absPath === abs);
    assertUntouchedLinesIdentical(text, readFileSync(abs, 'utf8'), edits);
  }
  // Exit code as scan's for what is left: the example still has error-level findings without a fix.
  assert.equal(r.status, 1, r.stderr);
  return { before, after, withFix };
}

test('tollgate fix on the non-compliant ARM example: every finding with a safe fix is fixed, the rest of the file is untouched', () => {
  const { withFix } = fixExample('noncompliant', 4);
  assert.deepEqual(withFix.map((f) => f.ruleId).sort(), [TLS_POLICY, TLS_POLICY, 'APIM-Ciphers', 'APIM-MinAPIVersion']);
});

test('tollgate fix on the Bicep example: the same fixes, written in Bicep', () => {
  const { withFix } = fixExample('bicep', 4);
  assert.deepEqual(withFix.map((f) => f.ruleId).sort(), [TLS_POLICY, TLS_POLICY, 'APIM-Ciphers', 'APIM-MinAPIVersion']);
});

test('tollgate fix --dry-run prints the diff and writes nothing', () => {
  const dir = copyExample('noncompliant');
  const file = path.join(dir, 'noncompliant', 'apim.json');
  const text = readFileSync(file);
  const mtime = statSync(file).mtimeMs;
  const r = run(['fix', '--dry-run', '.'], dir);
  assert.match(r.stdout, /^@@ -\d+,\d+ \+\d+,\d+ @@$/m);
  assert.match(r.stdout, /^\+ {10}"minApiVersion": "2021-08-01"$/m);
  assert.match(r.stderr, /4 findings with a safe fix \(dry run: nothing written\)/);
  assert.ok(readFileSync(file).equals(text));
  assert.equal(statSync(file).mtimeMs, mtime);
  assert.equal(r.status, 1);
});

const backend = (name: string, tls: object) => ({
  type: 'Microsoft.ApiManagement/service/backends',
  apiVersion: '2023-05-01-preview',
  name: `svc/${name}`,
  properties: { url: 'https://b.contoso.com', protocol: 'http', tls },
});

test('a property set by an expression gets no fix; one set by a parameter used once gets a fix at the default', () => {
  const dir = tempTree({
    'main.json': template({
      parameters: { once: { type: 'bool', defaultValue: false } },
      resources: [
        backend('a', { validateCertificateChain: '[equals(1, 2)]', validateCertificateName: true }),
        backend('b', { validateCertificateChain: "[parameters('once')]", validateCertificateName: true }),
      ],
    }),
  });
  const tls = scanAt(dir).findings.filter((f) => f.ruleId === TLS_POLICY);
  assert.equal(tls.length, 2);
  const computed = tls.find((f) => f.resource.name === 'svc/a')!;
  const fromParameter = tls.find((f) => f.resource.name === 'svc/b')!;
  assert.equal(computed.fix, undefined);
  assert.equal(fromParameter.fix?.edits.length, 1);
  assert.equal(fromParameter.fix!.sharedWith, undefined);
  const text = readFileSync(path.join(dir, 'main.json'), 'utf8');
  const edit = fromParameter.fix!.edits[0]!;
  assert.equal(text.slice(edit.startOffset, edit.endOffset), 'false');
  assert.match(text.slice(0, edit.startOffset), /"once": \{\s*"type": "bool",\s*"defaultValue": $/);
  assert.equal(edit.newText, 'true');
});

test('a parameter other properties read is shared: tollgate fix skips it unless --include-shared', () => {
  const files = {
    'main.json': template({
      parameters: { validate: { type: 'bool' } },
      resources: [
        backend('a', { validateCertificateChain: "[parameters('validate')]", validateCertificateName: true }),
        backend('b', { validateCertificateChain: true, validateCertificateName: "[parameters('validate')]" }),
      ],
    }),
    'main.parameters.json': JSON.stringify(
      { $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#', parameters: { validate: { value: false } } },
      null,
      2,
    ),
  };
  const dir = tempTree(files);
  const tls = scanAt(dir).findings.filter((f) => f.ruleId === TLS_POLICY);
  assert.equal(tls.length, 2);
  for (const f of tls) {
    assert.equal(f.fix?.edits[0]?.file, 'main.parameters.json', 'the value is set in the parameter file');
    assert.equal(f.fix?.sharedWith?.length, 1, JSON.stringify(f.fix));
    assert.match(f.fix!.sharedWith![0]!, /^main\.json:\d+:\d+ \(parameter 'validate'\)$/);
  }
  const skipped = run(['fix', '.'], dir);
  assert.match(skipped.stderr, /skipped: 92bb331d-ac71-416a-8c91-02f2cb734ce4 at main\.json:\d+:\d+: the value is shared \(main\.json/);
  assert.equal(readFileSync(path.join(dir, 'main.parameters.json'), 'utf8'), files['main.parameters.json']);
  const applied = run(['fix', '--include-shared', '.'], dir);
  assert.equal(applied.status, 0, applied.stderr);
  assert.equal(JSON.parse(readFileSync(path.join(dir, 'main.parameters.json'), 'utf8')).parameters.validate.value, true);
  assert.equal(scanAt(dir).findings.filter((f) => f.ruleId === TLS_POLICY).length, 0);
});

test('tollgate fix keeps the byte-order mark, CRLF line endings and the file mode', { skip: process.platform === 'win32' && 'file modes' }, () => {
  const text = template({ resources: [backend('a', { validateCertificateChain: false, validateCertificateName: true })] }).replace(/\n/g, '\r\n');
  const dir = tempTree({ 'main.json': `\uFEFF${text}\r\n` });
  const file = path.join(dir, 'main.json');
  chmodSync(file, 0o640);
  const r = run(['fix', '.'], dir);
  assert.equal(r.status, 0, r.stderr);
  const after = readFileSync(file, 'utf8');
  assert.ok(after.startsWith('\uFEFF'));
  assert.ok(!/[^\r]\n/.test(after), 'every line break is still CRLF');
  assert.match(after, /"validateCertificateChain": true,\r\n/);
  assert.equal(statSync(file).mode & 0o777, 0o640);
});

test('insertions follow the file: one-line objects, empty objects, trailing commas and line comments (JSON), empty objects (Bicep)', () => {
  const service = (properties: string) => `{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {
      "type": "Microsoft.ApiManagement/service",
      "apiVersion": "2023-05-01-preview",
      "name": "svc",
      "location": "westeurope",
      "sku": { "name": "Developer", "capacity": 1 },
      "properties": ${properties}
    }
  ]
}
`;
  const dir = tempTree({
    'one-line/main.json': service(`{ "publisherEmail": "a@b.c", "publisherName": "C" }`),
    'empty/main.json': service('{}'),
    'trailing-comma/main.json': service(`{\n        "publisherEmail": "a@b.c",\n        "publisherName": "C",\n      }`),
    'comment/main.json': service(`{\n        "publisherEmail": "a@b.c",\n        "publisherName": "C" // the owner\n      }`),
    'bicep/main.bicep': `resource svc 'Microsoft.ApiManagement/service@2023-05-01-preview' = {\n  name: 'svc'\n  location: 'westeurope'\n  sku: {\n    name: 'Developer'\n    capacity: 1\n  }\n  properties: {}\n}\n`,
  });
  const before = scanAt(dir).findings.filter((f) => f.ruleId === 'APIM-MinAPIVersion');
  assert.equal(before.length, 5);
  for (const f of before) assert.ok(f.fix, `no fix for ${f.file}`);
  const r = run(['fix', '--rule', 'APIM-MinAPIVersion', '.'], dir);
  assert.equal(r.status, 0, r.stderr);
  const read = (p: string) => readFileSync(path.join(dir, p), 'utf8');
  assert.match(
    read('one-line/main.json'),
    /"properties": \{ "publisherEmail": "a@b\.c", "publisherName": "C", "apiVersionConstraint": \{ "minApiVersion": "2021-08-01" \} \}/,
  );
  assert.match(read('empty/main.json'), /"properties": \{\n {8}"apiVersionConstraint": \{\n {10}"minApiVersion": "2021-08-01"\n {8}\}\n {6}\}/);
  assert.match(read('trailing-comma/main.json'), /"publisherName": "C",\n {8}"apiVersionConstraint": \{\n {10}"minApiVersion": "2021-08-01"\n {8}\},\n {6}\}/);
  assert.match(read('comment/main.json'), /"publisherName": "C", \/\/ the owner\n {8}"apiVersionConstraint": \{/);
  assert.match(read('bicep/main.bicep'), /properties: \{\n {4}apiVersionConstraint: \{\n {6}minApiVersion: '2021-08-01'\n {4}\}\n {2}\}/);
  assert.equal(scanAt(dir).findings.filter((f) => f.ruleId === 'APIM-MinAPIVersion').length, 0);
});

const edit = (absPath: string, startOffset: number, endOffset: number, newText: string): TextEdit => ({
  absPath,
  file: path.basename(absPath),
  startOffset,
  endOffset,
  range: { start: { line: 1, column: startOffset + 1 }, end: { line: 1, column: endOffset + 1 } },
  newText,
});

const finding = (ruleId: string, edits: TextEdit[], sharedWith?: string[]): Finding => ({
  ruleId,
  ruleTitle: ruleId,
  level: 'error',
  severity: 'high',
  resource: { type: 't', name: 'n', id: 'i' },
  message: 'm',
  origins: [],
  file: 'f.json',
  fix: { description: `fix ${ruleId}`, edits, ...(sharedWith && { sharedWith }) },
});

test('planFixes: overlapping fixes keep the first and report the other; equal edits are made once; insertions at one point both apply', () => {
  const plan = planFixes([
    finding('A', [edit('/x', 2, 5, 'AAA')]),
    finding('B', [edit('/x', 4, 6, 'BB')]),
    finding('C', [edit('/x', 2, 5, 'AAA'), edit('/x', 8, 8, '+c')]),
    finding('D', [edit('/x', 8, 8, '+d')]),
    finding('E', [edit('/y', 0, 1, 'e')], ['somewhere']),
  ]);
  assert.deepEqual(
    plan.applied.map((f) => f.ruleId),
    ['A', 'C', 'D'],
  );
  assert.deepEqual(
    plan.skipped.map((s) => [s.finding.ruleId, /overlaps the fix of A/.test(s.reason) || /shared/.test(s.reason)]),
    [
      ['B', true],
      ['E', true],
    ],
  );
  assert.equal(applyEdits('0123456789', plan.edits.get('/x')!), '01AAA567+c+d89');
  assert.equal(planFixes([finding('E', [edit('/y', 0, 1, 'e')], ['somewhere'])], { includeShared: true }).applied.length, 1);
});

test('unifiedDiff: hunks with three lines of context and counts that add up', () => {
  const text = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n'].join('\n') + '\n';
  const at = (line: string) => text.indexOf(`${line}\n`);
  const diff = unifiedDiff('f.txt', text, [edit('/f', at('b'), at('b') + 1, 'B'), edit('/f', at('m') + 1, at('m') + 1, '\nm2')]);
  assert.equal(
    diff,
    ['--- a/f.txt', '+++ b/f.txt', '@@ -1,5 +1,5 @@', ' a', '-b', '+B', ' c', ' d', ' e', '@@ -11,4 +11,5 @@', ' k', ' l', ' m', '+m2', ' n', ''].join('\n'),
  );
});

function sarifValidator() {
  const schema = JSON.parse(readFileSync(path.join(repoRoot(), 'test/schemas/sarif-schema-2.1.0.json'), 'utf8'));
  const ajv = new AjvDraft04.default({ allErrors: true, strict: false });
  addFormats.default(ajv);
  return ajv.compile(schema);
}

test('SARIF: a finding with a fix carries it (fixes[].artifactChanges[].replacements), valid against the SARIF 2.1.0 schema', () => {
  const validate = sarifValidator();
  const r = run(['scan', 'examples/noncompliant', '-f', 'sarif'], repoRoot());
  const log = JSON.parse(r.stdout) as {
    runs: { results: { ruleId: string; fixes?: { artifactChanges: { replacements: { deletedRegion?: object }[] }[] }[] }[] }[];
  };
  assert.ok(validate(structuredClone(log)), JSON.stringify(validate.errors, null, 2));
  // The schema does check fixes: a replacement without its region is refused.
  const broken = structuredClone(log);
  delete broken.runs[0]!.results.find((x) => x.fixes)!.fixes![0]!.artifactChanges[0]!.replacements[0]!.deletedRegion;
  assert.equal(validate(broken), false);
  const results = log.runs[0]!.results as { ruleId: string; fixes?: unknown[] }[];
  const fixed = results.filter((x) => x.fixes);
  assert.equal(fixed.length, 4);
  const ciphers = results.find((x) => x.ruleId === 'APIM-Ciphers') as {
    fixes: {
      description: { text: string };
      artifactChanges: { artifactLocation: { uri: string }; replacements: { deletedRegion: object; insertedContent: { text: string } }[] }[];
    }[];
  };
  const change = ciphers.fixes[0]!.artifactChanges[0]!;
  assert.equal(change.artifactLocation.uri, 'examples/noncompliant/apim.json');
  const text = readFileSync(path.join(repoRoot(), 'examples/noncompliant/apim.json'), 'utf8');
  const line = text.split('\n').findIndex((l) => l.includes('"publisherName": "Contoso"')) + 1;
  assert.deepEqual(change.replacements[0]!.deletedRegion, { startLine: line, startColumn: 35, endLine: line, endColumn: 35 });
  assert.match(change.replacements[0]!.insertedContent.text, /^,\n {8}"customProperties": \{/);
});

test('the untouched-lines check fails when a line outside the edits changed (so the example tests mean something)', () => {
  const before = 'a\nb\nc\nd\n';
  const edits = [edit('/f', 2, 3, 'B')];
  assertUntouchedLinesIdentical(before, 'a\nB\nc\nd\n', edits);
  assert.throws(() => assertUntouchedLinesIdentical(before, 'a\nB\nc\nD\n', edits));
  assert.throws(() => assertUntouchedLinesIdentical(before, 'A\nB\nc\nd\n', edits));
  assert.throws(() => assertUntouchedLinesIdentical('a\nb\nc\nd\ne\nf\n', 'a\nB\nc\nX\nd\nF\nf\n', [edit('/f', 2, 3, 'B'), edit('/f', 10, 11, 'F')]));
});

test("a module's default is shared with every deployment of the module; a value its caller passes is not edited in the module", () => {
  const dir = tempTree({
    'main.bicep': "module m 'mod.bicep' = {\n  name: 'm'\n}\nmodule n 'mod.bicep' = {\n  name: 'n'\n  params: {\n    validate: false\n  }\n}\n",
    'mod.bicep': [
      'param validate bool = false',
      '',
      "resource b 'Microsoft.ApiManagement/service/backends@2023-05-01-preview' = {",
      "  name: 'svc/b'",
      '  properties: {',
      "    url: 'https://b.contoso.com'",
      "    protocol: 'http'",
      '    tls: {',
      '      validateCertificateChain: validate',
      '      validateCertificateName: true',
      '    }',
      '  }',
      '}',
      '',
    ].join('\n'),
  });
  const tls = scan({ paths: ['main.bicep'], cwd: dir }).findings.filter((f) => f.ruleId === TLS_POLICY);
  assert.equal(tls.length, 2);
  const byDefault = tls.find((f) => f.origins[0]?.description.startsWith('default value'))!;
  const passed = tls.find((f) => f.origins[0]?.description.includes('passed by deployment'))!;
  assert.deepEqual(
    byDefault.fix?.edits.map((e) => [e.file, e.range.start.line, e.newText]),
    [['mod.bicep', 1, 'true']],
  );
  assert.deepEqual(byDefault.fix?.sharedWith, ["every deployment of mod.bicep that does not set 'validate'"]);
  assert.equal(passed.fix, undefined);
});
