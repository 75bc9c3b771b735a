import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scan } from '../../src/scan.js';
import { tempTree } from '../helpers.js';

const lines = (...l: string[]) => l.join('\n') + '\n';
const api = (protocolsComment: string, resourceComment = '') =>
  lines(
    resourceComment,
    "resource api 'Microsoft.ApiManagement/service/apis@2023-05-01-preview' = {",
    "  name: 'apim/orders'",
    '  properties: {',
    "    displayName: 'Orders'",
    "    description: 'Orders API'",
    protocolsComment,
    "    protocols: ['http']",
    '  }',
    '}',
  );
const today = new Date('2026-11-22T00:00:00Z');

test('// tollgate-disable-next-line above the property suppresses that finding, with its reason (inSource)', () => {
  const dir = tempTree({ 'main.bicep': api('    // tollgate-disable-next-line APIM-HTTPEndpoint internal API behind a private gateway') });
  const out = scan({ paths: ['.'], cwd: dir, today });
  assert.equal(out.findings.filter((f) => f.ruleId === 'APIM-HTTPEndpoint').length, 0);
  const s = (out.suppressed ?? []).find((f) => f.ruleId === 'APIM-HTTPEndpoint');
  assert.equal(s?.suppression?.kind, 'inSource');
  assert.equal(s?.suppression?.justification, 'internal API behind a private gateway');
  assert.equal(s?.suppression?.location?.start.line, 7);
});

test('above the resource it covers every finding of that rule on the resource; other rules still report', () => {
  const dir = tempTree({ 'main.bicep': api('', '// tollgate-disable-next-line Azure.APIM.HTTPEndpoint accepted until the gateway moves') });
  const out = scan({ paths: ['.'], cwd: dir, today });
  assert.equal(out.findings.filter((f) => f.ruleId === 'APIM-HTTPEndpoint').length, 0, 'an equivalent id (PSRule name) works too');
  assert.equal((out.suppressed ?? []).filter((f) => f.ruleId === 'APIM-HTTPEndpoint').length, 1);
});

test('file-level form, expiry, missing reason and unused suppressions', () => {
  const fileLevel = scan({
    paths: ['.'],
    cwd: tempTree({ 'main.bicep': '// tollgate-disable-file APIM-HTTPEndpoint legacy file, replaced in Q1\n' + api('') }),
    today,
  });
  assert.equal(fileLevel.findings.filter((f) => f.ruleId === 'APIM-HTTPEndpoint').length, 0);

  const expired = scan({
    paths: ['.'],
    cwd: tempTree({ 'main.bicep': api('    // tollgate-disable-next-line APIM-HTTPEndpoint expires:2026-01-31 temporary') }),
    today,
  });
  const f = expired.findings.find((x) => x.ruleId === 'APIM-HTTPEndpoint');
  assert.match(f?.message ?? '', /expired on 2026-01-31/);

  const noReason = scan({ paths: ['.'], cwd: tempTree({ 'main.bicep': api('    // tollgate-disable-next-line APIM-HTTPEndpoint') }), today });
  assert.equal(noReason.findings.filter((x) => x.ruleId === 'APIM-HTTPEndpoint').length, 1);
  assert.ok(noReason.diagnostics.some((d) => d.code === 'suppression-invalid' && d.location?.start.line === 7));

  const unused = scan({
    paths: ['.'],
    cwd: tempTree({ 'main.bicep': api('    // tollgate-disable-next-line APIM-HTTPBackend nothing to suppress here') }),
    today,
  });
  assert.ok(unused.diagnostics.some((d) => d.code === 'suppression-unused' && d.location?.start.line === 7));
});
