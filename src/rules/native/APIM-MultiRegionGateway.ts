import { getPath } from '../../resources/value.js';
import { defineRule } from '../define-rule.js';
import { SERVICE } from '../apim/types.js';
import { PSRULE, skuName } from '../apim/service-shape.js';

/** With additional locations, every regional gateway is enabled (a disabled one gives no redundancy). */
export default defineRule({
  id: 'APIM-MultiRegionGateway',
  title: 'API Management gateways are enabled in every region',
  severity: 'medium',
  pillar: 'reliability',
  description: 'An additional location with `disableGateway: true` holds no working gateway: it adds cost without redundancy.',
  recommendation: 'Remove `disableGateway: true` from `properties.additionalLocations[]`.',
  helpUri: `${PSRULE}Azure.APIM.MultiRegionGateway/`,
  equivalents: [{ tool: 'psrule', id: 'Azure.APIM.MultiRegionGateway', ref: 'AZR-000341' }],
  appliesTo: [SERVICE],
  check(resource, ctx) {
    if (skuName(resource.body)?.toLowerCase() !== 'premium') return ctx.skip('only Premium services have additional locations');
    const locations = getPath(resource.body, 'properties.additionalLocations');
    if (!Array.isArray(locations) || !locations.length) return ctx.skip('the service has no additional locations');
    locations.forEach((loc, i) => {
      const disabled = getPath(loc, 'disableGateway');
      if (disabled === true)
        ctx.report({
          path: `properties.additionalLocations[${i}].disableGateway`,
          message: `The gateway in ${String(getPath(loc, 'location') ?? `additional location ${i}`)} is disabled.`,
        });
    });
  },
});
