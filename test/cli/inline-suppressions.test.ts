import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { template, tempTree } from '../helpers.js';

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
const run = (args: string[], cwd: string) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

const backend = (name: string, extra: object = {}) => ({
  type: 'Microsoft.ApiManagement/service/backends',
  apiVersion: '2023-05-01-preview',
  name,
  properties: { url: 'http://x.example.com', protocol: 'http' },
  ...extra,
});

interface Report {
  findings: { ruleId: string; resource: { name: string } }[];
  suppressed: { ruleId: string; resource: { name: string }; suppression: { kind: string; justification: string } }[];
  diagnostics: { code: string; message: string; location?: { start: { line: number } } }[];
}

/** One backend suppressed in its metadata, one in the configuration; a Bicep API suppressed by a comment. */
function tree(): string {
  return tempTree({
    'main.json': template({
      resources: [
        backend('svc/inline', { metadata: { tollgate: { suppress: [{ rule: 'APIM-HTTPBackend', reason: 'partner is HTTP-only' }] } } }),
        backend('svc/configured'),
      ],
    }),
    'api.bicep': [
      "resource api 'Microsoft.ApiManagement/service/apis@2023-05-01-preview' = {",
      "  name: 'apim/orders'",
      '  properties: {',
      "    displayName: 'Orders'",
      "    description: 'Orders API'",
      '    // tollgate-disable-next-line APIM-HTTPEndpoint internal API behind a private gateway',
      "    protocols: ['http']",
      '  }',
      '}',
      '',
    ].join('\n'),
    'tollgate.yaml': ['suppressions:', '  - rule: APIM-HTTPBackend', '    reason: retired in Q1', '    resourceName: svc/configured', ''].join('\n'),
  });
}

const pick = (list: { ruleId: string; resource: { name: string } }[], rule: string) =>
  list
    .filter((f) => f.ruleId === rule)
    .map((f) => f.resource.name)
    .sort();

test('by default the suppressions in templates and in the configuration apply', () => {
  const r = run(['scan', '.', '-f', 'json'], tree());
  const out = JSON.parse(r.stdout) as Report;
  assert.deepEqual(pick(out.findings, 'APIM-HTTPBackend'), []);
  assert.deepEqual(pick(out.findings, 'APIM-HTTPEndpoint'), []);
  assert.deepEqual(pick(out.suppressed, 'APIM-HTTPBackend'), ['svc/configured', 'svc/inline']);
  assert.deepEqual(pick(out.suppressed, 'APIM-HTTPEndpoint'), ['apim/orders']);
});

test('--no-inline-suppressions: suppressions in template metadata and Bicep comments are ignored, the configuration still applies', () => {
  const dir = tree();
  const r = run(['scan', '.', '-f', 'json', '--no-inline-suppressions'], dir);
  const out = JSON.parse(r.stdout) as Report;
  assert.deepEqual(pick(out.findings, 'APIM-HTTPBackend'), ['svc/inline']);
  assert.deepEqual(pick(out.findings, 'APIM-HTTPEndpoint'), ['apim/orders']);
  assert.deepEqual(pick(out.suppressed, 'APIM-HTTPBackend'), ['svc/configured']);
  assert.equal(out.suppressed.find((s) => s.resource.name === 'svc/configured')?.suppression.kind, 'external');
  // The ignored ones are not reported as unused: they were not read at all.
  assert.ok(!out.diagnostics.some((d) => /partner is HTTP-only|private gateway/.test(d.message)), JSON.stringify(out.diagnostics));
  const pretty = run(['scan', '.', '--no-inline-suppressions'], dir);
  assert.match(pretty.stdout, /svc\/inline/);
});

test('baseline write takes --no-inline-suppressions too', () => {
  const dir = tree();
  const count = (args: string[]) => Number(/wrote (\d+) finding/.exec(run(['baseline', 'write', 'b.json', '.', ...args], dir).stdout)?.[1]);
  const withInline = count([]);
  const audit = count(['--no-inline-suppressions']);
  assert.ok(Number.isInteger(withInline));
  assert.equal(audit, withInline + 2);
});

test('a reason is always required: a blank one in the configuration is exit 2 at its line; one missing in a template is a warning there and suppresses nothing', () => {
  const blank = tempTree({
    'main.json': template({ resources: [backend('svc/a')] }),
    'tollgate.yaml': ['suppressions:', '  - rule: APIM-HTTPBackend', '    reason: "   "', ''].join('\n'),
  });
  const r = run(['scan', '.'], blank);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /tollgate\.yaml:3:13: suppressions\[0\]\.reason is blank: accepting a risk must say why/);
  const missing = tempTree({ 'tollgate.yaml': ['suppressions:', '  - rule: APIM-HTTPBackend', ''].join('\n') });
  assert.equal(run(['scan', '.'], missing).status, 2);

  const inline = tempTree({
    'main.json': template({ resources: [backend('svc/a', { metadata: { tollgate: { suppress: [{ rule: 'APIM-HTTPBackend', reason: '  ' }] } } })] }),
    'api.bicep': [
      "resource api 'Microsoft.ApiManagement/service/apis@2023-05-01-preview' = {",
      "  name: 'apim/orders'",
      '  properties: {',
      "    displayName: 'Orders'",
      "    description: 'Orders API'",
      '    // tollgate-disable-next-line APIM-HTTPEndpoint',
      "    protocols: ['http']",
      '  }',
      '}',
      '',
    ].join('\n'),
  });
  const out = JSON.parse(run(['scan', '.', '-f', 'json'], inline).stdout) as Report;
  assert.deepEqual(pick(out.findings, 'APIM-HTTPBackend'), ['svc/a']);
  assert.deepEqual(pick(out.findings, 'APIM-HTTPEndpoint'), ['apim/orders']);
  const invalid = out.diagnostics.filter((d) => d.code === 'suppression-invalid');
  assert.equal(invalid.length, 2, JSON.stringify(out.diagnostics));
  assert.ok(invalid.some((d) => /APIM-HTTPEndpoint needs a reason/.test(d.message) && d.location?.start.line === 6));
  assert.ok(invalid.some((d) => /APIM-HTTPBackend needs a `reason`/.test(d.message)));
});
