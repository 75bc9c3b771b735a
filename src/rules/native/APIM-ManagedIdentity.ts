import { leafName } from '../../resources/resource.js';
import { getPath, isUnknown } from '../../resources/value.js';
import { defineRule } from '../define-rule.js';
import { SERVICE } from '../apim/types.js';

const MANAGED = new Set(['systemassigned', 'userassigned', 'systemassigned,userassigned']);

/** The service has a managed identity, to reach Key Vault and backends without secrets in configuration. */
export default defineRule({
  id: 'APIM-ManagedIdentity',
  title: 'API Management uses a managed identity',
  severity: 'medium',
  pillar: 'security',
  description:
    'Without a managed identity, API Management needs secrets (keys, passwords, certificates) stored in its configuration to reach Key Vault and backends.',
  recommendation: 'Set `identity.type` to `SystemAssigned`, `UserAssigned` or `SystemAssigned, UserAssigned`.',
  helpUri: 'https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.APIM.ManagedIdentity/',
  equivalents: [{ tool: 'psrule', id: 'Azure.APIM.ManagedIdentity', ref: 'AZR-000053' }],
  appliesTo: [SERVICE],
  check(resource, ctx) {
    const type = getPath(resource.body, 'identity.type');
    if (isUnknown(type)) return ctx.unknown(`identity.type is not known before deployment (${type.reason})`);
    if (typeof type === 'string' && MANAGED.has(type.replace(/\s+/g, '').toLowerCase())) return;
    const path = type === undefined ? 'identity' : 'identity.type';
    ctx.report({
      path,
      message: `Service '${leafName(resource)}' has no managed identity${typeof type === 'string' ? ` (identity.type is '${type}')` : ''}: set identity.type to SystemAssigned or UserAssigned.`,
    });
  },
});
