import { leafName } from '../../resources/resource.js';
import { getPath, hasValue, isUnknown } from '../../resources/value.js';
import { defineRule } from '../define-rule.js';
import { PRODUCTS } from '../apim/types.js';
import { PSRULE } from '../apim/lifecycle.js';

/** Terms of use shown when subscribing (deprecated upstream; ships off). */
export default defineRule({
  id: 'APIM-ProductTerms',
  title: 'API Management products have terms of use',
  severity: 'low',
  pillar: 'operational-excellence',
  enabled: false,
  // Deprecated upstream (PSRule for Azure) without a replacement.
  deprecated: true,
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
