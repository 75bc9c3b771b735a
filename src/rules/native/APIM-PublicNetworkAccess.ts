import { leafName } from '../../resources/resource.js';
import { getPath, isUnknown } from '../../resources/value.js';
import { defineRule } from '../define-rule.js';
import { SERVICE } from '../apim/types.js';

/** checkov CKV_AZURE_174: the service is reached through private endpoints only. */
export default defineRule({
  id: 'APIM-PublicNetworkAccess',
  title: 'API Management disables public network access',
  severity: 'medium',
  pillar: 'security',
  description: 'With public network access enabled (the default), the gateway is reachable from the internet even when the service also has private endpoints.',
  recommendation: 'Set `properties.publicNetworkAccess` to `Disabled` and reach the service through private endpoints.',
  equivalents: [{ tool: 'checkov', id: 'CKV_AZURE_174' }],
  appliesTo: [SERVICE],
  check(resource, ctx) {
    const v = getPath(resource.body, 'properties.publicNetworkAccess');
    if (isUnknown(v)) return ctx.unknown(`properties.publicNetworkAccess is not known before deployment (${v.reason})`);
    if (typeof v === 'string' && v.toLowerCase() === 'disabled') return;
    ctx.report({
      path: v === undefined ? 'properties' : 'properties.publicNetworkAccess',
      message: `Service '${leafName(resource)}' allows public network access${v === undefined ? ' (the default)' : ''}: set properties.publicNetworkAccess to Disabled.`,
    });
  },
});
