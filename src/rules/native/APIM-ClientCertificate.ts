import { leafName } from '../../resources/resource.js';
import { getPath, isUnknown } from '../../resources/value.js';
import { defineRule } from '../define-rule.js';
import { SERVICE } from '../apim/types.js';

/** checkov CKV_AZURE_152: a Consumption-tier service asks clients for certificates. */
export default defineRule({
  id: 'APIM-ClientCertificate',
  title: 'API Management (Consumption) requests client certificates',
  severity: 'medium',
  pillar: 'security',
  description:
    'In the Consumption tier, the gateway only sees client certificates when `enableClientCertificate` is on; without it, certificate-based authentication policies cannot work.',
  recommendation: 'Set `properties.enableClientCertificate` to `true` on Consumption-tier services.',
  equivalents: [{ tool: 'checkov', id: 'CKV_AZURE_152' }],
  appliesTo: [SERVICE],
  check(resource, ctx) {
    const sku = getPath(resource.body, 'sku.name');
    if (isUnknown(sku)) return ctx.unknown(`sku.name is not known before deployment (${sku.reason})`);
    if (typeof sku !== 'string' || sku.toLowerCase() !== 'consumption') return ctx.skip('only the Consumption tier has this setting');
    const v = getPath(resource.body, 'properties.enableClientCertificate');
    if (isUnknown(v)) return ctx.unknown(`properties.enableClientCertificate is not known before deployment (${v.reason})`);
    if (v !== true)
      ctx.report({
        path: v === undefined ? 'properties' : 'properties.enableClientCertificate',
        message: `Consumption service '${leafName(resource)}' does not request client certificates: set properties.enableClientCertificate to true.`,
      });
  },
});
