import { leafName } from '../../resources/resource.js';
import { defineRule } from '../define-rule.js';
import { PRODUCTS } from '../apim/types.js';
import { PSRULE, SAMPLES } from '../apim/products.js';

/** The sample products API Management creates (`starter`, `unlimited`) do not belong in a deployment. */
export default defineRule({
  id: 'APIM-SampleProducts',
  title: 'API Management has no sample products',
  severity: 'low',
  pillar: 'security',
  description:
    'The `starter` and `unlimited` sample products come with API Management for trying it out; left in place they expose APIs with weak or no limits.',
  recommendation: 'Remove the `starter` and `unlimited` products (`Microsoft.ApiManagement/service/products`) and create products for your own APIs.',
  helpUri: `${PSRULE}Azure.APIM.SampleProducts/`,
  equivalents: [{ tool: 'psrule', id: 'Azure.APIM.SampleProducts', ref: 'AZR-000048' }],
  appliesTo: [PRODUCTS],
  check(resource, ctx) {
    const name = leafName(resource);
    if (SAMPLES.has(name.toLowerCase())) ctx.report({ path: 'name', message: `Product '${name}' is an API Management sample product: remove it.` });
  },
});
