import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Sandbox } from '../../src/load/sandbox.js';
import { scan } from '../../src/scan.js';
import { tempTree } from '../helpers.js';

const BICEP = `resource api 'Microsoft.ApiManagement/service/backends@2023-05-01-preview' = {
  name: 'apim/payments'
  properties: {
    protocol: 'http'
    url: 'URL'
  }
}
`;

test('the overlay replaces the disk for reads inside the sandbox, and only there', () => {
  const root = tempTree({ 'in/a.bicep': 'on disk', 'out.txt': 'secret' });
  const inside = path.join(root, 'in', 'a.bicep');
  const outside = path.join(root, 'out.txt');
  const overlay = new Map([
    [inside, 'edited'],
    [outside, 'overlay text outside'],
  ]);
  const box = Sandbox.forPaths([path.join(root, 'in')], { cwd: root, overlay, registryCache: false });
  const read = box.readText(inside);
  assert.ok(read.ok && read.value === 'edited');
  const bytes = box.readBytes(inside);
  assert.ok(bytes.ok && bytes.value.toString('utf8') === 'edited');
  // The sandbox still refuses a path outside it, whatever the overlay holds.
  const refused = box.readText(outside);
  assert.ok(!refused.ok && refused.refused);
  // Without an overlay: the disk, as before.
  const plain = Sandbox.forPaths([path.join(root, 'in')], { cwd: root, registryCache: false }).readText(inside);
  assert.ok(plain.ok && plain.value === 'on disk');
});

test('a scan with an overlay scans the unsaved text; the file on disk is untouched and a scan without it reads the disk', () => {
  const root = tempTree({ 'main.bicep': BICEP.replace('URL', 'https://payments.contoso.com') });
  const file = path.join(root, 'main.bicep');
  const httpFindings = (overlay?: Map<string, string>) =>
    scan({ paths: ['main.bicep'], cwd: root, ...(overlay && { overlay }) }).findings.filter((f) => f.ruleId === 'APIM-HTTPBackend');
  assert.equal(httpFindings().length, 0);
  const edited = httpFindings(new Map([[file, BICEP.replace('URL', 'http://payments.contoso.com')]]));
  assert.equal(edited.length, 1);
  assert.equal(edited[0]!.location?.start.line, 5);
  assert.equal(httpFindings().length, 0);
  assert.match(readFileSync(file, 'utf8'), /https:/);
  writeFileSync(file, BICEP.replace('URL', 'http://x.contoso.com'));
  assert.equal(httpFindings().length, 1);
});
