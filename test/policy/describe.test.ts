import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describePolicy } from '../../src/policy/describe.js';
import { SEED_ID, definitionWith, seedDefinition, seedRule } from './helpers.js';

test('rules show for the seed policy: identity, effects, aliases with paths, remediation, controls, equivalents', () => {
  const rule = seedRule();
  const text = describePolicy(rule.definition, rule);
  const lines = text.split('\n');
  assert.equal(lines[0], 'API Management calls to API backends should not bypass certificate thumbprint or name validation');
  for (const line of [
    `Id              ${SEED_ID}`,
    'Kind            Azure Policy definition (BuiltIn)',
    'Version         1.0.2',
    'Category        API Management',
    'Mode            All',
    'Default effect  Audit',
    'Allowed effects Audit, Disabled, Deny',
    'Effect in force Audit -> level warning',
    'Severity        medium',
    'Applies to      Microsoft.ApiManagement/service/backends',
    '  Microsoft.ApiManagement/service/backends/tls.validateCertificateChain',
    '    -> properties.tls.validateCertificateChain',
    '  Microsoft.ApiManagement/service/backends/tls.validateCertificateName',
    '    -> properties.tls.validateCertificateName',
    '  Microsoft cloud security benchmark: IM-4 (Azure_Security_Benchmark_v3.0_IM-4)',
    '  New Zealand ISM: 23.4.10.C.01 (New_Zealand_ISM_23.4.10.C.01) - 23. Public Cloud Security',
    '  NL BIO Cloud Theme V2: U.10.5 (U.10.5 - Competent) - U.10 Access to IT services and data',
    'More: https://learn.microsoft.com/azure/api-management/backends',
  ])
    assert.ok(lines.includes(line), `shows ${JSON.stringify(line)}\n---\n${text}`);
  assert.match(
    text,
    /\n {2}template-analyzer TA-000032\n {4}A stricter variant: it requires both properties to be written as true/,
    'the equivalent and how it differs',
  );
  assert.match(text, /\n {2}psrule: none\n {4}No rule that checks tls\.validateCertificateChain/, 'what is known about PSRule');
  assert.ok(text.includes('Remediation\n  On every Microsoft.ApiManagement/service/backends resource'));
  assert.equal(describePolicy(rule.definition, rule), text, 'deterministic');
});

test('without a loaded rule it still describes the definition', () => {
  const text = describePolicy(seedDefinition());
  assert.ok(text.includes('Default effect  Audit'));
  assert.ok(!text.includes('Effect in force'));
  assert.ok(text.includes('    -> properties.tls.validateCertificateName'));
});

test('aliases missing from the table, and rules that do not compile, are said so', () => {
  const missing = describePolicy(definitionWith({ field: 'Microsoft.ApiManagement/service/nope', equals: 1 }));
  assert.ok(missing.includes("  Microsoft.ApiManagement/service/nope\n    -> (not in Tollgate's alias table: the definition is not applicable)"));
  const broken = describePolicy(definitionWith({ field: 'type', regex: 'x' }));
  assert.ok(broken.includes("(the rule cannot be compiled: unsupported operator 'regex' (at policyRule.if))"));
});
