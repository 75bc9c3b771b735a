import { defineRule } from '../define-rule.js';
import { findAll, policyXml, resourcePolicy, POLICY_TYPES } from '../apim/policy-xml.js';
import { CORS_LISTS, PSRULE } from '../apim/policy-rules.js';

/** No `cors` policy allows `*` for origins, methods, or allowed or exposed headers. */
export default defineRule({
  id: 'APIM-CORSPolicy',
  title: 'API Management CORS policies do not allow any origin, method or header',
  severity: 'medium',
  pillar: 'security',
  description: "A `cors` policy with `*` lets any web site call the API from a browser with the user's credentials, or read any response header.",
  recommendation: 'List the origins, methods and headers that are needed in each `<cors>` policy instead of `*`.',
  helpUri: `${PSRULE}Azure.APIM.CORSPolicy/`,
  equivalents: [{ tool: 'psrule', id: 'Azure.APIM.CORSPolicy', ref: 'AZR-000365' }],
  appliesTo: POLICY_TYPES,
  check(resource, ctx) {
    const doc = policyXml(resource);
    if ('unknown' in doc) return ctx.unknown(doc.unknown);
    if ('skip' in doc) return ctx.skip(doc.skip);
    const all = findAll(resourcePolicy(resource, doc.xml), 'cors');
    if (!all.length) return ctx.skip('the policy has no cors element');
    const wildcards: string[] = [];
    for (const cors of all) {
      for (const [list, item] of CORS_LISTS) {
        for (const l of cors.children.filter((c) => c.name.toLowerCase() === list)) {
          if (l.children.some((c) => c.name.toLowerCase() === item && c.text.trim() === '*')) wildcards.push(list);
        }
      }
    }
    if (wildcards.length)
      ctx.report({ path: 'properties.value', message: `The CORS policy of '${resource.name}' allows any value (*) in ${[...new Set(wildcards)].join(', ')}.` });
  },
});
