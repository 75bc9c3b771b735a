import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readPolicyDefinition } from '../../src/policy/definition.js';
import { createPolicyRule } from '../../src/policy/policy-rule.js';
import type { ObjectValue } from '../../src/resources/value.js';
import { check, makeResource } from './helpers.js';

// An App Service app always has its config/web resource (Azure creates it from siteConfig): the
// existence effects that audit it are decided from what the deployment sets, and a setting the
// deployment leaves out (Azure's default applies) leaves the verdict undecided. The definition has
// the shape of the built-in "App Service apps should use the latest TLS version".
const latestTls = createPolicyRule(
  readPolicyDefinition({
    name: 'latest-tls',
    properties: {
      displayName: 'App Service apps should use the latest TLS version',
      mode: 'Indexed',
      policyRule: {
        if: {
          allOf: [
            { field: 'type', equals: 'Microsoft.Web/sites' },
            { field: 'kind', notContains: 'functionapp' },
          ],
        },
        then: {
          effect: 'AuditIfNotExists',
          details: {
            type: 'Microsoft.Web/sites/config',
            name: 'web',
            existenceCondition: { field: 'Microsoft.Web/sites/config/minTlsVersion', greaterOrEquals: '1.2' },
          },
        },
      },
    },
  }),
);

const site = (siteConfig?: ObjectValue) =>
  makeResource('Microsoft.Web/sites', 'app', { kind: 'app', location: 'westeurope', properties: siteConfig ? { siteConfig } : {} });
const config = (properties: ObjectValue) => makeResource('Microsoft.Web/sites/config', 'app/web', { properties });

test('siteConfig sets an old TLS version: non-compliant, with no config resource declared', () => {
  const out = check(latestTls, site({ minTlsVersion: '1.0' }));
  assert.equal(out.outcome, 'fail');
  assert.match(out.findings[0]!.message, /no related Microsoft\.Web\/sites\/config named 'web' satisfies the existence condition/);
  assert.equal(out.findings[0]!.path, 'properties.siteConfig.minTlsVersion', 'the finding points where the app sets it');
});

test('siteConfig sets TLS 1.2: compliant', () => {
  assert.equal(check(latestTls, site({ minTlsVersion: '1.2' })).outcome, 'pass');
});

test('the setting left out: Azure default applies, undecided with the reason', () => {
  const out = check(latestTls, site({ alwaysOn: true }));
  assert.equal(out.outcome, 'unknown');
  assert.match(out.unknowns[0]!, /minTlsVersion is not set: every App Service app has its web configuration/);
  assert.equal(check(latestTls, site()).outcome, 'unknown');
});

test('a declared config/web decides over siteConfig; a setting it leaves out is undecided', () => {
  const app = site({ minTlsVersion: '1.2' });
  assert.equal(check(latestTls, app, [app, config({ minTlsVersion: '1.0' })]).outcome, 'fail');
  const bare = site();
  assert.equal(check(latestTls, bare, [bare, config({ minTlsVersion: '1.2' })]).outcome, 'pass');
  assert.equal(check(latestTls, bare, [bare, config({ http20Enabled: true })]).outcome, 'unknown');
});

test('a related type Azure does not create with the parent stays undecided when not declared', () => {
  const diag = createPolicyRule(
    readPolicyDefinition({
      name: 'diag',
      properties: {
        displayName: 'Resource logs in App Service should be enabled',
        mode: 'Indexed',
        policyRule: {
          if: { field: 'type', equals: 'Microsoft.Web/sites' },
          then: { effect: 'AuditIfNotExists', details: { type: 'Microsoft.Insights/diagnosticSettings' } },
        },
      },
    }),
  );
  const out = check(diag, site({ minTlsVersion: '1.2' }));
  assert.equal(out.outcome, 'unknown');
  assert.match(out.unknowns[0]!, /whether a related Microsoft\.Insights\/diagnosticSettings exists is not known before deployment/);
});

test('existenceScope subscription: a failing related resource in the deployment leaves it undecided (another may exist)', () => {
  const pricing = createPolicyRule(
    readPolicyDefinition({
      name: 'pricing',
      properties: {
        displayName: 'Azure Defender for servers should be enabled',
        mode: 'All',
        policyRule: {
          if: { field: 'type', equals: 'Microsoft.Resources/subscriptions' },
          then: {
            effect: 'AuditIfNotExists',
            details: {
              type: 'Microsoft.Security/pricings',
              name: 'VirtualMachines',
              existenceScope: 'subscription',
              existenceCondition: { field: 'Microsoft.Security/pricings/pricingTier', equals: 'Standard' },
            },
          },
        },
      },
    }),
  );
  const sub = makeResource('Microsoft.Resources/subscriptions', 'sub', {});
  const free = makeResource('Microsoft.Security/pricings', 'VirtualMachines', { properties: { pricingTier: 'Free' } });
  const out = check(pricing, sub, [sub, free]);
  assert.equal(out.outcome, 'unknown');
  assert.match(out.unknowns[0]!, /anywhere in the subscription outside it may/);
  const paid = makeResource('Microsoft.Security/pricings', 'VirtualMachines', { properties: { pricingTier: 'Standard' } });
  assert.equal(check(pricing, sub, [sub, paid]).outcome, 'pass');
});

test('a related resource named from the policy assignment id (Guest Configuration) is undecided, never an implicit deny', () => {
  const gc = createPolicyRule(
    readPolicyDefinition({
      name: 'gc',
      properties: {
        displayName: 'Audit Windows machines that do not have the minimum password age',
        mode: 'Indexed',
        policyRule: {
          if: { field: 'type', equals: 'Microsoft.Compute/virtualMachines' },
          then: {
            effect: 'auditIfNotExists',
            details: {
              type: 'Microsoft.GuestConfiguration/guestConfigurationAssignments',
              name: "[concat('MinimumPasswordAge$pid', uniqueString(policy().assignmentId, policy().definitionReferenceId))]",
              existenceCondition: { field: 'Microsoft.GuestConfiguration/guestConfigurationAssignments/complianceStatus', equals: 'Compliant' },
            },
          },
        },
      },
    }),
  );
  const vm = makeResource('Microsoft.Compute/virtualMachines', 'vm', { properties: {} });
  const out = check(gc, vm);
  assert.equal(out.outcome, 'unknown');
  assert.deepEqual(out.findings, []);
  assert.match(out.unknowns[0]!, /the related resource cannot be named: details\.name is not known before deployment \(the policy assignment id/);
});
