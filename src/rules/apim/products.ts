import { leafName } from '../../resources/resource.js';
import { getPath, isUnknown } from '../../resources/value.js';
import { defineRule } from '../define-rule.js';
import { PRODUCTS } from './types.js';

const PSRULE = 'https://azure.github.io/PSRule.Rules.Azure/en/rules/';

/** A boolean product setting that must be true. */
function mustBeTrue(id: string, psrule: string, ref: string, property: string, title: string, description: string, recommendation: string) {
  return defineRule({
    id,
    title,
    severity: 'medium',
    pillar: 'security',
    description,
    recommendation,
    helpUri: `${PSRULE}${psrule}/`,
    equivalents: [{ tool: 'psrule', id: psrule, ref }],
    appliesTo: [PRODUCTS],
    check(resource, ctx) {
      const path = `properties.${property}`;
      const v = getPath(resource.body, path);
      if (isUnknown(v)) return ctx.unknown(`${path} is not known before deployment (${v.reason})`);
      if (v !== true) ctx.report({ path: v === undefined ? 'properties' : path, message: `Product '${leafName(resource)}' does not set ${property} to true.` });
    },
  });
}

export const productSubscription = mustBeTrue(
  'APIM-ProductSubscription',
  'Azure.APIM.ProductSubscription',
  'AZR-000046',
  'subscriptionRequired',
  'API Management products require a subscription',
  'A product without a subscription requirement lets anyone call its APIs without a key: no identity, no quota, no way to revoke one caller.',
  'Set `properties.subscriptionRequired` of every `Microsoft.ApiManagement/service/products` to `true`.',
);

export const productApproval = mustBeTrue(
  'APIM-ProductApproval',
  'Azure.APIM.ProductApproval',
  'AZR-000047',
  'approvalRequired',
  'API Management product subscriptions need approval',
  'Without approval, any developer-portal user can subscribe to a product and start calling its APIs.',
  'Set `properties.approvalRequired` of every `Microsoft.ApiManagement/service/products` to `true`.',
);

const SAMPLES = new Set(['starter', 'unlimited']);

/** The sample products API Management creates (`starter`, `unlimited`) do not belong in a deployment. */
export const sampleProducts = defineRule({
  id: 'APIM-SampleProducts',
  title: 'API Management has no sample products',
  severity: 'low',
  pillar: 'security',
  description: 'The `starter` and `unlimited` sample products come with API Management for trying it out; left in place they expose APIs with weak or no limits.',
  recommendation: 'Remove the `starter` and `unlimited` products (`Microsoft.ApiManagement/service/products`) and create products for your own APIs.',
  helpUri: `${PSRULE}Azure.APIM.SampleProducts/`,
  equivalents: [{ tool: 'psrule', id: 'Azure.APIM.SampleProducts', ref: 'AZR-000048' }],
  appliesTo: [PRODUCTS],
  check(resource, ctx) {
    const name = leafName(resource);
    if (SAMPLES.has(name.toLowerCase())) ctx.report({ path: 'name', message: `Product '${name}' is an API Management sample product: remove it.` });
  },
});
