import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { aliasCount, resolveAlias } from '../../src/policy/aliases.js';
import { repoRoot } from '../helpers.js';

test('the table holds every Microsoft.ApiManagement alias of the 2026-08-21 dump', () => {
  const file = JSON.parse(readFileSync(path.join(repoRoot(), 'catalog/aliases/microsoft.apimanagement.json'), 'utf8')) as { count: number; source: string };
  assert.equal(file.source, 'apim-aliases-defaultpath-2026-08-21.csv');
  assert.equal(file.count, 1335);
  // Plus the related types the shipped definitions read (diagnostic settings, Defender assessments).
  const related = JSON.parse(readFileSync(path.join(repoRoot(), 'catalog/aliases/related-types.json'), 'utf8')) as { count: number; types: Record<string, unknown> };
  assert.deepEqual(Object.keys(related.types).sort(), ['Microsoft.Insights/diagnosticSettings', 'Microsoft.Security/assessments']);
  assert.equal(aliasCount(), 1335 + related.count);
  assert.equal(resolveAlias('microsoft.insights/diagnosticSettings/logs[*].categoryGroup')?.defaultPath, 'properties.logs[*].categoryGroup');
});

test('aliases resolve ignoring case, to their resource type and default path', () => {
  assert.deepEqual(resolveAlias('microsoft.apimanagement/SERVICE/backends/TLS.validatecertificatechain'), {
    name: 'Microsoft.ApiManagement/service/backends/tls.validateCertificateChain',
    resourceType: 'Microsoft.ApiManagement/service/backends',
    defaultPath: 'properties.tls.validateCertificateChain',
  });
  assert.equal(resolveAlias('Microsoft.ApiManagement/service/sku.name')?.defaultPath, 'sku.name');
  assert.equal(resolveAlias('Microsoft.ApiManagement/service/hostnameConfigurations[*].hostName')?.defaultPath, 'properties.hostnameConfigurations[*].hostname');
});

test('an alias that is not in the table is undefined, never a path guessed from its name', () => {
  assert.equal(resolveAlias('Microsoft.ApiManagement/service/backends/tls.validateEverything'), undefined);
  assert.equal(resolveAlias('Microsoft.Storage/storageAccounts/supportsHttpsTrafficOnly'), undefined);
  assert.equal(resolveAlias('tls.validateCertificateChain'), undefined);
});
