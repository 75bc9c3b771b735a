import { leafName } from '../../resources/resource.js';
import { getPath, isUnknown } from '../../resources/value.js';
import { defineRule } from '../define-rule.js';
import { SERVICE } from '../apim/types.js';
import { PSRULE } from '../apim/service-shape.js';

/** Premium with at least one additional location: the gateway survives the loss of a region. */
export default defineRule({
  id: 'APIM-MultiRegion',
  title: 'API Management is deployed to more than one region',
  severity: 'medium',
  pillar: 'reliability',
  description: 'A single-region service is down when its region is. Only the Premium tier can add gateway locations.',
  recommendation: 'Use the Premium tier and add at least one entry to `properties.additionalLocations`.',
  helpUri: `${PSRULE}Azure.APIM.MultiRegion/`,
  equivalents: [{ tool: 'psrule', id: 'Azure.APIM.MultiRegion', ref: 'AZR-000340' }],
  appliesTo: [SERVICE],
  check(resource, ctx) {
    const sku = getPath(resource.body, 'sku.name');
    if (isUnknown(sku)) return ctx.unknown(`sku.name is not known before deployment (${sku.reason})`);
    if (typeof sku !== 'string' || sku.toLowerCase() !== 'premium')
      return ctx.report({
        path: 'sku.name',
        message: `Service '${leafName(resource)}' is on the ${String(sku ?? 'default')} tier: only Premium can run in several regions.`,
      });
    const locations = getPath(resource.body, 'properties.additionalLocations');
    if (isUnknown(locations)) return ctx.unknown(`properties.additionalLocations is not known before deployment (${locations.reason})`);
    if (!Array.isArray(locations) || locations.length === 0)
      ctx.report({ path: 'properties', message: `Service '${leafName(resource)}' runs in one region: add properties.additionalLocations.` });
  },
});
