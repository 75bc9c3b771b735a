import type { ScanResult } from '../../src/evaluate/scan-result.js';
import type { Finding, ResourceRef, RuleResult } from '../../src/findings/finding.js';
import type { RuleMeta } from '../../src/rules/rule-meta.js';
import type { SourceLocation } from '../../src/load/source-file.js';

/*
 * A scan of an API Management template with its parameter file plus an exported API, shaped
 * like what the pipeline produces for examples/noncompliant. Built by hand so the reporter
 * tests do not depend on the rest of the pipeline.
 */

export const TEMPLATE = 'infra/apim.json';
export const PARAMETERS = 'infra/apim.parameters.json';
/** The space is there on purpose: SARIF URIs must encode it. */
export const EXPORT = 'exports/prod apim.json';
export const CWD = '/home/dev/contoso';

const SUB = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/tollgate-rg/providers/Microsoft.ApiManagement/service';

export const POLICY_ID = '92bb331d-ac71-416a-8c91-02f2cb734ce4';
export const NATIVE_ID = 'APIM-HTTPBackend';

export const POLICY_RULE: RuleMeta = {
  id: POLICY_ID,
  title: 'API Management calls to API backends should not bypass certificate thumbprint or name validation',
  kind: 'policy',
  severity: 'medium',
  level: 'warning',
  effect: 'Audit',
  description: 'To improve the API security, API Management should validate the backend server certificate for all API calls.',
  recommendation: 'Set `properties.tls.validateCertificateChain` and `properties.tls.validateCertificateName` to true.',
  helpUri:
    'https://portal.azure.com/#blade/Microsoft_Azure_Policy/PolicyDetailBlade/definitionId/%2Fproviders%2FMicrosoft.Authorization%2FpolicyDefinitions%2F92bb331d-ac71-416a-8c91-02f2cb734ce4',
  equivalents: [{ tool: 'azure-policy', id: POLICY_ID }],
  appliesTo: ['Microsoft.ApiManagement/service/backends'],
};

export const NATIVE_RULE: RuleMeta = {
  id: NATIVE_ID,
  title: 'API Management backends use HTTPS',
  kind: 'native',
  severity: 'critical',
  level: 'error',
  description: 'When API Management forwards requests to a backend over HTTP, requests and responses travel unencrypted.',
  recommendation: 'Set `properties.url` of backends and `properties.serviceUrl` of APIs to an `https://` URL.',
  helpUri: 'https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.APIM.HTTPBackend/',
  pillar: 'security',
  equivalents: [{ tool: 'psrule', id: 'Azure.APIM.HTTPBackend' }],
  appliesTo: ['Microsoft.ApiManagement/service/backends', 'Microsoft.ApiManagement/service/apis'],
};

export const PAYMENTS: ResourceRef = {
  type: 'Microsoft.ApiManagement/service/backends',
  name: 'apim-contoso/payments',
  id: `${SUB}/apim-contoso/backends/payments`,
};

export const ORDERS_EXPORTED: ResourceRef = {
  type: 'Microsoft.ApiManagement/service/apis',
  name: 'apim-prod/orders',
  id: `${SUB}/apim-prod/apis/orders`,
};

export function at(file: string, line: number, column: number, endColumn: number): SourceLocation {
  return { file, start: { line, column }, end: { line, column: endColumn } };
}

/** Backend `url` set from a parameter whose value is in the parameter file. */
export function httpBackendFinding(): Finding {
  return {
    ruleId: NATIVE_ID,
    ruleTitle: NATIVE_RULE.title,
    level: 'error',
    severity: 'critical',
    resource: PAYMENTS,
    message: "Backend 'payments' sends traffic to 'http://payments.contoso.com/api' without encryption: use an https:// URL.",
    path: 'properties.url',
    location: at(TEMPLATE, 60, 20, 49),
    origins: [{ location: at(PARAMETERS, 9, 16, 50), description: "parameter 'paymentsUrl' (value in parameter file)" }],
    file: TEMPLATE,
    parameterFile: PARAMETERS,
  };
}

/** A literal `false` in the template: no origin. */
export function certificateFinding(): Finding {
  return {
    ruleId: POLICY_ID,
    ruleTitle: POLICY_RULE.title,
    level: 'warning',
    severity: 'medium',
    effect: 'Audit',
    resource: PAYMENTS,
    message: 'API Management backend certificate chain validation is disabled (properties.tls.validateCertificateChain is false).',
    path: 'properties.tls.validateCertificateChain',
    location: at(TEMPLATE, 62, 41, 46),
    origins: [],
    file: TEMPLATE,
    parameterFile: PARAMETERS,
  };
}

export function exportedApiFinding(): Finding {
  return {
    ruleId: NATIVE_ID,
    ruleTitle: NATIVE_RULE.title,
    level: 'error',
    severity: 'critical',
    resource: ORDERS_EXPORTED,
    message: "API 'orders' sends traffic to 'http://legacy.contoso.internal/orders' without encryption: use an https:// URL.",
    path: 'properties.serviceUrl',
    location: at(EXPORT, 14, 23, 63),
    origins: [],
    file: EXPORT,
  };
}

function passed(ruleId: string, resource: ResourceRef, file: string, parameterFile?: string): RuleResult {
  return { ruleId, resource, file, parameterFile, outcome: 'pass', findings: [] };
}

function failed(f: Finding): RuleResult {
  return { ruleId: f.ruleId, resource: f.resource, file: f.file, parameterFile: f.parameterFile, outcome: 'fail', findings: [f] };
}

export function scanFixture(): ScanResult {
  // Deliberately not in file/line order: reporters must sort.
  const findings = [exportedApiFinding(), certificateFinding(), httpBackendFinding()];
  const inventory: ResourceRef = { type: PAYMENTS.type, name: 'apim-contoso/inventory', id: `${SUB}/apim-contoso/backends/inventory` };
  return {
    tool: { name: 'tollgate', version: '0.1.0' },
    cwd: CWD,
    files: [TEMPLATE, PARAMETERS, EXPORT],
    // Each unit also has its API Management service, which no rule of the fixture applies to.
    units: [
      {
        file: TEMPLATE,
        parameterFile: PARAMETERS,
        resources: 3,
        inventory: [{ type: 'Microsoft.ApiManagement/service', name: 'apim-contoso', id: `${SUB}/apim-contoso` }, PAYMENTS, inventory],
      },
      { file: EXPORT, resources: 2, inventory: [{ type: 'Microsoft.ApiManagement/service', name: 'apim-prod', id: `${SUB}/apim-prod` }, ORDERS_EXPORTED] },
    ],
    rules: [POLICY_RULE, NATIVE_RULE],
    results: [
      ...findings.map(failed),
      passed(NATIVE_ID, inventory, TEMPLATE, PARAMETERS),
      {
        ruleId: POLICY_ID,
        resource: inventory,
        file: TEMPLATE,
        parameterFile: PARAMETERS,
        outcome: 'unknown',
        reason: 'properties.tls.validateCertificateName is not known before deployment',
        findings: [],
      },
    ],
    findings,
    diagnostics: [
      {
        severity: 'error',
        code: 'unknown-function',
        message: "unsupported template function 'listSecrets'",
        location: at(TEMPLATE, 88, 22, 57),
      },
    ],
    durationMs: 42,
  };
}

/** Only the given findings, with no input problems: a run that reached the end cleanly. */
export function withFindings(result: ScanResult, findings: Finding[]): ScanResult {
  return { ...result, findings, diagnostics: [] };
}
