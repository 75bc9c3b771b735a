import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseJsonDocument } from '../../src/load/json-document.js';
import { SourceFile } from '../../src/load/source-file.js';
import { readPolicyDefinition, type PolicyDefinition } from '../../src/policy/definition.js';
import { createPolicyRule, type PolicyRule, type PolicyRuleOptions, type PolicySidecar } from '../../src/policy/policy-rule.js';
import type { Resource } from '../../src/resources/resource.js';
import type { ObjectValue } from '../../src/resources/value.js';
import type { CheckContext, Rule } from '../../src/rules/rule.js';
import { repoRoot } from '../helpers.js';

export const SEED_ID = '92bb331d-ac71-416a-8c91-02f2cb734ce4';
export const BACKENDS = 'Microsoft.ApiManagement/service/backends';

const SEED_FILE = 'catalog/policies/apim/BackendCertificateChecks_AuditDeny';

export function seedJson(): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(repoRoot(), `${SEED_FILE}.json`), 'utf8')) as Record<string, unknown>;
}

export function seedSidecar(): PolicySidecar {
  return JSON.parse(readFileSync(path.join(repoRoot(), `${SEED_FILE}.tollgate.json`), 'utf8')) as PolicySidecar;
}

export function seedDefinition(): PolicyDefinition {
  return readPolicyDefinition(seedJson());
}

export function seedRule(options: PolicyRuleOptions = {}): PolicyRule {
  return createPolicyRule(seedDefinition(), { sidecar: seedSidecar(), ...options });
}

/** A definition around one `if`, for testing the condition language. */
export function definitionWith(condition: unknown, extra: Record<string, unknown> = {}): PolicyDefinition {
  return readPolicyDefinition({
    name: 'test-policy',
    properties: { displayName: 'Test policy', mode: 'All', ...extra, policyRule: { if: condition, then: { effect: 'audit' } } },
  });
}

export function ruleWith(condition: unknown, options: PolicyRuleOptions & { extra?: Record<string, unknown> } = {}): PolicyRule {
  const { extra, ...rest } = options;
  return createPolicyRule(definitionWith(condition, extra), rest);
}

const EMPTY = parseJsonDocument(new SourceFile('/virtual/resources.json', 'resources.json', '{}'));

/** A resource as the expander would hand it over; its source is a stand-in (locations are not under test). */
export function makeResource(type: string, name: string, body: ObjectValue = {}): Resource {
  const location = { file: 'resources.json', start: { line: 1, column: 1 }, end: { line: 1, column: 3 } };
  return {
    type,
    name,
    id: `/subscriptions/s/resourceGroups/rg/providers/${type}/${name}`,
    body: { type, name, ...body },
    children: [],
    source: { kind: 'template', document: EMPTY, location, locate: () => ({ location, exact: false, origins: [] }) },
  };
}

export function backend(properties: ObjectValue, name = 'svc/payments'): Resource {
  return makeResource(BACKENDS, name, { properties });
}

export interface Outcome {
  outcome: 'pass' | 'fail' | 'skip' | 'unknown';
  findings: { path?: string; message: string }[];
  skips: string[];
  unknowns: string[];
}

/** Runs `check` with a context that records every call, as the engine's would receive them. */
export function check(rule: Rule, resource: Resource, resources: Resource[] = [resource]): Outcome {
  const out: Outcome = { outcome: 'pass', findings: [], skips: [], unknowns: [] };
  const ctx: CheckContext = {
    resources,
    options: {},
    report: (f) => void out.findings.push(f),
    skip: (reason) => void out.skips.push(reason),
    unknown: (reason) => void out.unknowns.push(reason),
  };
  rule.check(resource, ctx);
  out.outcome = out.findings.length ? 'fail' : out.unknowns.length ? 'unknown' : out.skips.length ? 'skip' : 'pass';
  return out;
}
