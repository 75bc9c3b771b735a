import { normaliseLocation } from '../../arm/functions/zones.js';
import { leafName } from '../../resources/resource.js';
import { getPath, isUnknown, type Value } from '../../resources/value.js';
import { defineRule } from '../define-rule.js';
import { SERVICE } from '../apim/types.js';
import { PSRULE, regionsWithZones } from '../apim/lifecycle.js';

/** Premium units spread over at least two zones, in the main region and every additional one that has zones. */
export default defineRule({
  id: 'APIM-AvailabilityZone',
  title: 'API Management uses availability zones',
  severity: 'medium',
  pillar: 'reliability',
  description: 'Units in one zone go down with it. Premium services can spread units over zones (one unit per zone at least) in regions that offer them.',
  recommendation:
    'Use the Premium tier; in regions with zones, set `zones` to at least two zones and `sku.capacity` to at least the number of zones, for the service and each `additionalLocations[]`. Extra regions with zones: `rules.APIM-AvailabilityZone.options.extraRegions`.',
  helpUri: `${PSRULE}Azure.APIM.AvailabilityZone/`,
  equivalents: [{ tool: 'psrule', id: 'Azure.APIM.AvailabilityZone', ref: 'AZR-000052' }],
  appliesTo: [SERVICE],
  optionsSchema: {
    type: 'object',
    properties: {
      extraRegions: { type: 'array', items: { type: 'string' }, description: 'Regions to treat as having availability zones, beyond the shipped list.' },
    },
    additionalProperties: false,
  },
  check(resource, ctx) {
    const sku = getPath(resource.body, 'sku.name');
    if (isUnknown(sku)) return ctx.unknown(`sku.name is not known before deployment (${sku.reason})`);
    if (typeof sku !== 'string' || sku.toLowerCase() !== 'premium')
      return ctx.report({
        path: 'sku.name',
        message: `Service '${leafName(resource)}' is on the ${String(sku ?? 'default')} tier: only Premium supports availability zones.`,
      });
    const extra = Array.isArray(ctx.options['extraRegions'])
      ? (ctx.options['extraRegions'] as unknown[]).filter((r): r is string => typeof r === 'string').map(normaliseLocation)
      : [];
    const zonal = new Set([...regionsWithZones(), ...extra]);
    const checkLocation = (location: Value | undefined, zones: Value | undefined, capacity: Value | undefined, at: string, label: string) => {
      if (isUnknown(location) || isUnknown(zones) || isUnknown(capacity))
        return ctx.unknown(`the location, zones or capacity of ${label} is not known before deployment`);
      if (typeof location !== 'string' || !zonal.has(normaliseLocation(location))) return;
      const count = Array.isArray(zones) ? zones.length : 0;
      if (count < 2)
        return ctx.report({
          path: count ? `${at}zones` : `${at}sku`,
          message: `${label} in ${location} uses ${count} availability zone${count === 1 ? '' : 's'}: use at least 2.`,
        });
      if (typeof capacity === 'number' && capacity < count)
        ctx.report({ path: `${at}sku.capacity`, message: `${label} in ${location} has ${capacity} units for ${count} zones: use at least one unit per zone.` });
    };
    checkLocation(
      getPath(resource.body, 'location'),
      getPath(resource.body, 'zones'),
      getPath(resource.body, 'sku.capacity'),
      '',
      `Service '${leafName(resource)}'`,
    );
    const additional = getPath(resource.body, 'properties.additionalLocations');
    if (Array.isArray(additional)) {
      additional.forEach((loc, i) =>
        checkLocation(
          getPath(loc, 'location'),
          getPath(loc, 'zones'),
          getPath(loc, 'sku.capacity'),
          `properties.additionalLocations[${i}].`,
          `Additional location ${i}`,
        ),
      );
    }
  },
});
