import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { scan, type ScanOutput } from '../../src/scan.js';
import { repoRoot } from '../helpers.js';

// Real code: every main.bicep of the APIM corpora (the Azure Verified Module and the quickstarts)
// scans without an error, and reports the same findings (rule, resource type, resource name) as
// the compiled JSON beside it, but at Bicep lines.
const corpora = path.join(repoRoot(), 'test/fixtures/upstream/corpora');
const folders = [path.join(corpora, 'avm-apim'), ...readdirSync(path.join(corpora, 'quickstart-apim')).map((d) => path.join(corpora, 'quickstart-apim', d))];
const key = (f: ScanOutput['findings'][number]) => `${f.ruleId} ${f.resource.type} ${String(f.resource.name)}`;

let pairs = 0;
for (const dir of folders) {
  const bicep = path.join(dir, 'main.bicep');
  const json = ['main.json', 'azuredeploy.json'].map((f) => path.join(dir, f)).find((f) => existsSync(f));
  if (!existsSync(bicep) || !json) continue;
  pairs++;
  test(`${path.relative(corpora, dir)}: main.bicep reports what its compiled JSON reports, at .bicep lines`, () => {
    // Each file as named: not through the deployments that use it, not with its parameter files.
    const fromBicep = scan({ paths: [bicep], cwd: dir, related: false });
    const fromJson = scan({ paths: [json], cwd: dir, related: false });
    assert.deepEqual(
      fromBicep.diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    assert.deepEqual(fromBicep.findings.map(key).sort(), fromJson.findings.map(key).sort());
    for (const f of fromBicep.findings) assert.match(f.location?.file ?? '', /\.bicep$/);
  });
}

test('the corpora have Bicep and compiled JSON side by side', () => {
  assert.equal(pairs, 15);
});

test('the whole Azure Verified Module (every .bicep: child modules and the e2e tests) scans without an error', () => {
  const dir = path.join(corpora, 'avm-apim');
  const out = scan({ paths: [dir], cwd: dir, include: ['**/*.bicep'] });
  assert.deepEqual(
    out.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  assert.ok(out.units.length >= 10);
  // Findings inside child modules point into the child module's file.
  assert.ok(out.findings.some((f) => f.location?.file === 'api/main.bicep'));
});
