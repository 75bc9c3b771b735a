import { leafName } from '../../resources/resource.js';
import { getPath, hasValue, isUnknown } from '../../resources/value.js';
import { defineRule } from '../define-rule.js';
import { APIS, PRODUCTS, SERVICE } from './types.js';

const PSRULE = 'https://azure.github.io/PSRule.Rules.Azure/en/rules/';
const NAME = /^[A-Za-z](?:[A-Za-z0-9-]{0,48}[A-Za-z0-9])?$/;

/** Service names: 1 to 50 characters, a letter first, letters, digits and hyphens, no hyphen last. */
export const serviceName = defineRule({
  id: 'APIM-Name',
  title: 'API Management service names meet the naming rules',
  severity: 'low',
  pillar: 'operational-excellence',
  description: 'A name Azure does not accept fails the deployment late; API Management names are also part of the gateway host name (`<name>.azure-api.net`).',
  recommendation: 'Use 1 to 50 characters: start with a letter, use letters, digits and hyphens, end with a letter or digit.',
  helpUri: `${PSRULE}Azure.APIM.Name/`,
  equivalents: [{ tool: 'psrule', id: 'Azure.APIM.Name', ref: 'AZR-000056' }],
  appliesTo: [SERVICE],
  check(resource, ctx) {
    const name = resource.name;
    if (name.includes('<unknown>')) return ctx.unknown('the service name is not known before deployment');
    if (!NAME.test(name)) ctx.report({ path: 'name', message: `The service name '${name}' does not meet the naming rules (1-50 characters, a letter first, letters, digits and hyphens, a letter or digit last).` });
  },
});

function skuName(body: Parameters<typeof getPath>[0]): string | undefined {
  const v = getPath(body, 'sku.name');
  return typeof v === 'string' ? v : undefined;
}

/** Premium with at least one additional location: the gateway survives the loss of a region. */
export const multiRegion = defineRule({
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
    if (typeof sku !== 'string' || sku.toLowerCase() !== 'premium') return ctx.report({ path: 'sku.name', message: `Service '${leafName(resource)}' is on the ${String(sku ?? 'default')} tier: only Premium can run in several regions.` });
    const locations = getPath(resource.body, 'properties.additionalLocations');
    if (isUnknown(locations)) return ctx.unknown(`properties.additionalLocations is not known before deployment (${locations.reason})`);
    if (!Array.isArray(locations) || locations.length === 0) ctx.report({ path: 'properties', message: `Service '${leafName(resource)}' runs in one region: add properties.additionalLocations.` });
  },
});

/** With additional locations, every regional gateway is enabled (a disabled one gives no redundancy). */
export const multiRegionGateway = defineRule({
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
      if (disabled === true) ctx.report({ path: `properties.additionalLocations[${i}].disableGateway`, message: `The gateway in ${String(getPath(loc, 'location') ?? `additional location ${i}`)} is disabled.` });
    });
  },
});

function descriptors(id: string, psrule: string, ref: string, type: string, what: string) {
  return defineRule({
    id,
    title: `API Management ${what}s have a display name and a description`,
    severity: 'low',
    pillar: 'operational-excellence',
    description: `Developers find and choose ${what}s in the developer portal by their display name and description.`,
    recommendation: `Set \`properties.displayName\` and \`properties.description\` of every \`${type}\`.`,
    helpUri: `${PSRULE}${psrule}/`,
    equivalents: [{ tool: 'psrule', id: psrule, ref }],
    appliesTo: [type],
    check(resource, ctx) {
      for (const property of ['displayName', 'description']) {
        const v = getPath(resource.body, `properties.${property}`);
        if (isUnknown(v)) continue;
        if (!hasValue(v)) ctx.report({ path: 'properties', message: `${what[0]!.toUpperCase()}${what.slice(1)} '${leafName(resource)}' has no ${property}.` });
      }
    },
  });
}

export const apiDescriptors = descriptors('APIM-APIDescriptors', 'Azure.APIM.APIDescriptors', 'AZR-000043', APIS, 'API');
export const productDescriptors = descriptors('APIM-ProductDescriptors', 'Azure.APIM.ProductDescriptors', 'AZR-000049', PRODUCTS, 'product');

/** checkov CKV_AZURE_174: the service is reached through private endpoints only. */
export const publicNetworkAccess = defineRule({
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
    ctx.report({ path: v === undefined ? 'properties' : 'properties.publicNetworkAccess', message: `Service '${leafName(resource)}' allows public network access${v === undefined ? ' (the default)' : ''}: set properties.publicNetworkAccess to Disabled.` });
  },
});

/** checkov CKV_AZURE_152: a Consumption-tier service asks clients for certificates. */
export const consumptionClientCertificate = defineRule({
  id: 'APIM-ClientCertificate',
  title: 'API Management (Consumption) requests client certificates',
  severity: 'medium',
  pillar: 'security',
  description: 'In the Consumption tier, the gateway only sees client certificates when `enableClientCertificate` is on; without it, certificate-based authentication policies cannot work.',
  recommendation: 'Set `properties.enableClientCertificate` to `true` on Consumption-tier services.',
  equivalents: [{ tool: 'checkov', id: 'CKV_AZURE_152' }],
  appliesTo: [SERVICE],
  check(resource, ctx) {
    const sku = getPath(resource.body, 'sku.name');
    if (isUnknown(sku)) return ctx.unknown(`sku.name is not known before deployment (${sku.reason})`);
    if (typeof sku !== 'string' || sku.toLowerCase() !== 'consumption') return ctx.skip('only the Consumption tier has this setting');
    const v = getPath(resource.body, 'properties.enableClientCertificate');
    if (isUnknown(v)) return ctx.unknown(`properties.enableClientCertificate is not known before deployment (${v.reason})`);
    if (v !== true) ctx.report({ path: v === undefined ? 'properties' : 'properties.enableClientCertificate', message: `Consumption service '${leafName(resource)}' does not request client certificates: set properties.enableClientCertificate to true.` });
  },
});
