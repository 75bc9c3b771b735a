import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRuleSet, scan } from '../../src/scan.js';
import { lineOf, template, tempTree } from '../helpers.js';

const SEED = '92bb331d-ac71-416a-8c91-02f2cb734ce4';
const text = template({
  resources: [
    {
      type: 'Microsoft.ApiManagement/service/backends',
      apiVersion: '2023-05-01-preview',
      name: 'svc/none',
      properties: { url: 'https://a', protocol: 'http' },
    },
    {
      type: 'Microsoft.ApiManagement/service/backends',
      apiVersion: '2023-05-01-preview',
      name: 'svc/half',
      properties: { url: 'https://b', protocol: 'http', tls: { validateCertificateChain: true } },
    },
    {
      type: 'Microsoft.ApiManagement/service/backends',
      apiVersion: '2023-05-01-preview',
      name: 'svc/both',
      properties: { url: 'https://c', protocol: 'http', tls: { validateCertificateChain: true, validateCertificateName: true } },
    },
  ],
});

test('TA-000032 option of the seed check: off by default; on, a backend must write both tls properties as true', () => {
  const dir = tempTree({ 'main.json': text });
  const byDefault = scan({ paths: [dir], cwd: dir, ruleSet: loadRuleSet() });
  assert.deepEqual(
    byDefault.findings.filter((f) => f.ruleId === SEED),
    [],
  );
  const strict = scan({ paths: [dir], cwd: dir, ruleSet: loadRuleSet({}, { [SEED]: { options: { requireExplicitTls: true } } }) });
  const found = strict.findings.filter((f) => f.ruleId === SEED);
  assert.deepEqual(
    found.map((f) => f.resource.name),
    ['svc/none', 'svc/half'],
  );
  assert.match(found[0]!.message, /does not set tls\.validateCertificateChain: with the option requireExplicitTls \(template-analyzer TA-000032\)/);
  assert.equal(found[1]!.path, 'properties.tls.validateCertificateName');
  // It points at the nearest written ancestor: the tls object of 'half'.
  assert.equal(found[1]!.location?.start.line, lineOf(text, '"tls"'));
});
