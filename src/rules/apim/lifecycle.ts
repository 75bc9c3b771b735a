import { readFileSync } from 'node:fs';
import path from 'node:path';
import { normaliseLocation } from '../../arm/functions/zones.js';
import { packageRoot } from '../../package-root.js';
import { leafName } from '../../resources/resource.js';
import { getPath, hasValue, isUnknown, type Value } from '../../resources/value.js';
import { defineRule } from '../define-rule.js';
import { PRODUCTS, SERVICE } from './types.js';

const PSRULE = 'https://azure.github.io/PSRule.Rules.Azure/en/rules/';
const DAY = 86_400_000;

/** `2021-08-01-preview` -> a comparable date; undefined when it is not an API version. */
function apiVersionDate(v: string): number | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})(-preview)?$/i.exec(v.trim());
  return m ? Date.parse(m[1]!) : undefined;
}

/** The service's own API version and its `apiVersionConstraint.minApiVersion` are both at least the minimum. */
export const minApiVersion = defineRule({
  id: 'APIM-MinAPIVersion',
  title: 'API Management uses and requires recent API versions',
  severity: 'medium',
  pillar: 'security',
  description:
    'Older management API versions of API Management lack security fixes (for example, they return secrets in GET responses); `apiVersionConstraint.minApiVersion` stops tools from using them against the service.',
  recommendation: 'Deploy with API version 2021-08-01 or later and set `properties.apiVersionConstraint.minApiVersion` to at least 2021-08-01. The minimum is configurable: `rules.APIM-MinAPIVersion.options.minimum`.',
  helpUri: `${PSRULE}Azure.APIM.MinAPIVersion/`,
  equivalents: [{ tool: 'psrule', id: 'Azure.APIM.MinAPIVersion', ref: 'AZR-000321' }],
  appliesTo: [SERVICE],
  check(resource, ctx) {
    const minimum = typeof ctx.options['minimum'] === 'string' ? ctx.options['minimum'] : '2021-08-01';
    const floor = apiVersionDate(minimum) ?? Date.parse('2021-08-01');
    const own = resource.apiVersion ? apiVersionDate(resource.apiVersion) : undefined;
    if (own !== undefined && own < floor) ctx.report({ path: 'apiVersion', message: `Service '${leafName(resource)}' is deployed with API version ${resource.apiVersion}, older than ${minimum}.` });
    const constraint = getPath(resource.body, 'properties.apiVersionConstraint.minApiVersion');
    if (isUnknown(constraint)) return ctx.unknown(`apiVersionConstraint.minApiVersion is not known before deployment (${constraint.reason})`);
    const date = typeof constraint === 'string' ? apiVersionDate(constraint) : undefined;
    if (date === undefined) ctx.report({ path: 'properties', message: `Service '${leafName(resource)}' does not set properties.apiVersionConstraint.minApiVersion: set it to ${minimum} or later.` });
    else if (date < floor) ctx.report({ path: 'properties.apiVersionConstraint.minApiVersion', message: `minApiVersion ${String(constraint)} is older than ${minimum}.` });
  },
});

/** Every custom-domain certificate with a known expiry has at least N days left (default 30). */
export const certificateExpiry = defineRule({
  id: 'APIM-CertificateExpiry',
  title: 'API Management custom-domain certificates are not about to expire',
  severity: 'high',
  pillar: 'reliability',
  description: 'When a custom-domain certificate expires, clients refuse the gateway, portal or management endpoint that uses it.',
  recommendation: 'Renew the certificate (or use a Key Vault reference, which API Management refreshes). The number of days is configurable: `rules.APIM-CertificateExpiry.options.days` (default 30); the clock is `--now` or `deployment.now`.',
  helpUri: `${PSRULE}Azure.APIM.CertificateExpiry/`,
  equivalents: [{ tool: 'psrule', id: 'Azure.APIM.CertificateExpiry', ref: 'AZR-000051' }],
  appliesTo: [SERVICE],
  check(resource, ctx) {
    const days = typeof ctx.options['days'] === 'number' ? ctx.options['days'] : 30;
    const configs = getPath(resource.body, 'properties.hostnameConfigurations');
    if (isUnknown(configs)) return ctx.unknown(`hostnameConfigurations are not known before deployment (${configs.reason})`);
    if (!Array.isArray(configs)) return ctx.skip('the service has no custom domains');
    let checked = 0;
    configs.forEach((config, i) => {
      const expiry = getPath(config, 'certificate.expiry');
      if (isUnknown(expiry)) return ctx.unknown(`the expiry of hostnameConfigurations[${i}] is not known before deployment`);
      if (typeof expiry !== 'string' || Number.isNaN(Date.parse(expiry))) return;
      checked++;
      const left = Math.floor((Date.parse(expiry) - (ctx.now ?? new Date()).getTime()) / DAY);
      if (left < days) {
        const host = getPath(config, 'hostName');
        ctx.report({ path: `properties.hostnameConfigurations[${i}].certificate.expiry`, message: `The certificate for ${typeof host === 'string' ? host : `hostnameConfigurations[${i}]`} ${left < 0 ? `expired ${-left} days ago` : `expires in ${left} days`} (minimum ${days}).` });
      }
    });
    if (!checked) ctx.skip('no custom-domain certificate states its expiry');
  },
});

/** Terms of use shown when subscribing (deprecated upstream; ships off). */
export const productTerms = defineRule({
  id: 'APIM-ProductTerms',
  title: 'API Management products have terms of use',
  severity: 'low',
  pillar: 'operational-excellence',
  enabled: false,
  description: 'Terms of use tell subscribers what they agree to. PSRule for Azure has deprecated this check; Tollgate ships it off.',
  recommendation: 'Set `properties.terms` of each product. Turn the rule on with `rules.APIM-ProductTerms.enabled: true`.',
  helpUri: `${PSRULE}Azure.APIM.ProductTerms/`,
  equivalents: [{ tool: 'psrule', id: 'Azure.APIM.ProductTerms', ref: 'AZR-000050' }],
  appliesTo: [PRODUCTS],
  check(resource, ctx) {
    const terms = getPath(resource.body, 'properties.terms');
    if (isUnknown(terms)) return;
    if (!hasValue(terms)) ctx.report({ path: 'properties', message: `Product '${leafName(resource)}' has no terms of use.` });
  },
});

let zoneRegions: Set<string> | undefined;

/** Regions where API Management offers availability zones (shipped data, see catalog/SOURCES.md). */
function regionsWithZones(): Set<string> {
  if (!zoneRegions) {
    const data = JSON.parse(readFileSync(path.join(packageRoot(), 'catalog', 'zones', 'microsoft.apimanagement.service.json'), 'utf8')) as { zoneMappings: { location: string; zones: string[] }[] };
    zoneRegions = new Set(data.zoneMappings.filter((z) => z.zones.length > 0).map((z) => normaliseLocation(z.location)));
  }
  return zoneRegions;
}

/** Premium units spread over at least two zones, in the main region and every additional one that has zones. */
export const availabilityZone = defineRule({
  id: 'APIM-AvailabilityZone',
  title: 'API Management uses availability zones',
  severity: 'medium',
  pillar: 'reliability',
  description: 'Units in one zone go down with it. Premium services can spread units over zones (one unit per zone at least) in regions that offer them.',
  recommendation: 'Use the Premium tier; in regions with zones, set `zones` to at least two zones and `sku.capacity` to at least the number of zones, for the service and each `additionalLocations[]`. Extra regions with zones: `rules.APIM-AvailabilityZone.options.extraRegions`.',
  helpUri: `${PSRULE}Azure.APIM.AvailabilityZone/`,
  equivalents: [{ tool: 'psrule', id: 'Azure.APIM.AvailabilityZone', ref: 'AZR-000052' }],
  appliesTo: [SERVICE],
  check(resource, ctx) {
    const sku = getPath(resource.body, 'sku.name');
    if (isUnknown(sku)) return ctx.unknown(`sku.name is not known before deployment (${sku.reason})`);
    if (typeof sku !== 'string' || sku.toLowerCase() !== 'premium') return ctx.report({ path: 'sku.name', message: `Service '${leafName(resource)}' is on the ${String(sku ?? 'default')} tier: only Premium supports availability zones.` });
    const extra = Array.isArray(ctx.options['extraRegions']) ? (ctx.options['extraRegions'] as unknown[]).filter((r): r is string => typeof r === 'string').map(normaliseLocation) : [];
    const zonal = new Set([...regionsWithZones(), ...extra]);
    const checkLocation = (location: Value | undefined, zones: Value | undefined, capacity: Value | undefined, at: string, label: string) => {
      if (isUnknown(location) || isUnknown(zones) || isUnknown(capacity)) return ctx.unknown(`the location, zones or capacity of ${label} is not known before deployment`);
      if (typeof location !== 'string' || !zonal.has(normaliseLocation(location))) return;
      const count = Array.isArray(zones) ? zones.length : 0;
      if (count < 2) return ctx.report({ path: count ? `${at}zones` : `${at}sku`, message: `${label} in ${location} uses ${count} availability zone${count === 1 ? '' : 's'}: use at least 2.` });
      if (typeof capacity === 'number' && capacity < count) ctx.report({ path: `${at}sku.capacity`, message: `${label} in ${location} has ${capacity} units for ${count} zones: use at least one unit per zone.` });
    };
    checkLocation(getPath(resource.body, 'location'), getPath(resource.body, 'zones'), getPath(resource.body, 'sku.capacity'), '', `Service '${leafName(resource)}'`);
    const additional = getPath(resource.body, 'properties.additionalLocations');
    if (Array.isArray(additional)) {
      additional.forEach((loc, i) => checkLocation(getPath(loc, 'location'), getPath(loc, 'zones'), getPath(loc, 'sku.capacity'), `properties.additionalLocations[${i}].`, `Additional location ${i}`));
    }
  },
});
