import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { classify } from '../../src/input/classify.js';
import { evaluateBicepParamValues } from '../../src/arm/template/expand.js';
import { scan } from '../../src/scan.js';
import { Sandbox } from '../../src/load/sandbox.js';
import { repoRoot, tempTree } from '../helpers.js';

// `.bicepparam` files: for every compiler baseline with a compiled parameters.json, our
// parameter values must equal the compiler's. Values that only exist at deployment
// (`externalInput()`, a computed Key Vault reference) are unknown here, never guessed: those
// parameters are listed below and must stay unknown.
const root = path.join(repoRoot(), 'test', 'fixtures', 'upstream', 'bicep', 'baselines-bicepparam');

// The compiler's own tests set these environment variables (Bicep reads them when compiling).
// Tollgate never reads the real environment: they are given as `--env` would give them.
const environment = { stringEnvVariableName: 'test', intEnvVariableName: '100', boolEnvironmentVariable: 'true' };

const DEPLOY_TIME: Record<string, string[]> = {
  Expressions: ['kvSecretExpression'],
  // readEnvironmentVariable('intDefaultEnvVariableName', '12'): the compiler's machine does not set
  // it, so it takes the default; whether the scanning machine's CI sets it is unknown offline.
  Parameters: ['intfromEnvironmentVariablesDefault'],
};

for (const folder of readdirSync(root).sort()) {
  const compiled = path.join(root, folder, 'parameters.json');
  const source = path.join(root, folder, 'parameters.bicepparam');
  if (!existsSync(compiled) || !existsSync(source)) continue;
  const expected = (JSON.parse(readFileSync(compiled, 'utf8').replace(/^\uFEFF/, '')) as { parameters?: Record<string, unknown> }).parameters;
  if (!expected || folder === 'External_Inputs') continue;
  test(`.bicepparam ${folder}: values equal the compiled parameters.json`, () => {
    const c = classify({ absPath: source, explicit: true }, root, Sandbox.forPaths([source], { cwd: root, environment }), evaluateBicepParamValues);
    assert.ok(c.ok && c.file.kind === 'parameters');
    const ours = (c.file.document.value as { parameters: Record<string, unknown> }).parameters;
    const skip = DEPLOY_TIME[folder] ?? [];
    for (const [name, value] of Object.entries(expected)) {
      if (skip.includes(name)) {
        assert.ok(ours[name] && typeof ours[name] === 'object' && 'reference' in ours[name], `${name} stays unknown`);
        continue;
      }
      assert.deepEqual(ours[name], value, name);
    }
  });
}

test('.bicepparam pairs with its `using` template; a finding on a parameter value points at the .bicepparam line', () => {
  const dir = tempTree({
    'main.bicep': [
      'param protocols array',
      "resource api 'Microsoft.ApiManagement/service/apis@2023-05-01-preview' = {",
      "  name: 'apim/orders'",
      '  properties: {',
      "    path: 'orders'",
      '    protocols: protocols',
      '  }',
      '}',
      '',
    ].join('\n'),
    'main.bicepparam': ["using './main.bicep'", '', "param protocols = ['https', 'http']", ''].join('\n'),
  });
  const out = scan({ paths: ['.'], cwd: dir });
  assert.deepEqual(
    out.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  const finding = out.findings.find((f) => f.ruleId === 'APIM-HTTPEndpoint');
  assert.ok(finding, 'the API is checked with the values of the .bicepparam file');
  assert.equal(finding.location?.file, 'main.bicep');
  assert.equal(finding.location?.start.line, 6);
  assert.ok(
    finding.origins?.some((o) => o.location?.file === 'main.bicepparam' && o.location.start.line === 3),
    JSON.stringify(finding.origins),
  );
});
