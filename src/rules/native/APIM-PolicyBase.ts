import { defineRule } from '../define-rule.js';
import { GLOBAL_POLICY, policyXml, resourcePolicy, POLICY_TYPES } from '../apim/policy-xml.js';
import { PSRULE, SECTIONS } from '../apim/policy-rules.js';

/** API, operation and product policies keep the policies of the enclosing scope: `<base/>` in every section. */
export default defineRule({
  id: 'APIM-PolicyBase',
  title: 'API Management policies include the policies of the enclosing scope',
  severity: 'medium',
  pillar: 'security',
  description:
    'A section without `<base/>` drops the policies of the enclosing scope (for example the global authentication, IP filtering or rate limits) for that API, operation or product.',
  recommendation: 'Put `<base />` in each of `<inbound>`, `<backend>`, `<outbound>` and `<on-error>` of every API, operation and product policy.',
  helpUri: `${PSRULE}Azure.APIM.PolicyBase/`,
  equivalents: [{ tool: 'psrule', id: 'Azure.APIM.PolicyBase', ref: 'AZR-000371' }],
  appliesTo: POLICY_TYPES.filter((t) => t !== GLOBAL_POLICY),
  check(resource, ctx) {
    const doc = policyXml(resource);
    if ('unknown' in doc) return ctx.unknown(doc.unknown);
    if ('skip' in doc) return ctx.skip(doc.skip);
    const policies = resourcePolicy(resource, doc.xml).find((e) => e.name.toLowerCase() === 'policies');
    const missing = SECTIONS.filter((name) => {
      const section = policies?.children.find((c) => c.name.toLowerCase() === name);
      return !section || !section.children.some((c) => c.name.toLowerCase() === 'base');
    });
    if (missing.length)
      ctx.report({
        path: 'properties.value',
        message: `The policy of '${resource.name}' has no <base/> in ${missing.map((m) => `<${m}>`).join(', ')}: the policies of the enclosing scope do not apply there.`,
      });
  },
});
