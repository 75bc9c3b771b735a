import { defineRule } from '../define-rule.js';
import { findAll, GLOBAL_POLICY, parsePolicy, policyXml, POLICY_TYPES } from './policy-xml.js';

const PSRULE = 'https://azure.github.io/PSRule.Rules.Azure/en/rules/';
const CORS_LISTS: [string, string][] = [
  ['allowed-origins', 'origin'],
  ['allowed-methods', 'method'],
  ['allowed-headers', 'header'],
  ['expose-headers', 'header'],
];

/** No `cors` policy allows `*` for origins, methods, or allowed or exposed headers. */
export const corsPolicy = defineRule({
  id: 'APIM-CORSPolicy',
  title: 'API Management CORS policies do not allow any origin, method or header',
  severity: 'medium',
  pillar: 'security',
  description: 'A `cors` policy with `*` lets any web site call the API from a browser with the user\'s credentials, or read any response header.',
  recommendation: 'List the origins, methods and headers that are needed in each `<cors>` policy instead of `*`.',
  helpUri: `${PSRULE}Azure.APIM.CORSPolicy/`,
  equivalents: [{ tool: 'psrule', id: 'Azure.APIM.CORSPolicy', ref: 'AZR-000365' }],
  appliesTo: POLICY_TYPES,
  check(resource, ctx) {
    const doc = policyXml(resource);
    if ('unknown' in doc) return ctx.unknown(doc.unknown);
    if ('skip' in doc) return ctx.skip(doc.skip);
    const all = findAll(parsePolicy(doc.xml), 'cors');
    if (!all.length) return ctx.skip('the policy has no cors element');
    const wildcards: string[] = [];
    for (const cors of all) {
      for (const [list, item] of CORS_LISTS) {
        for (const l of cors.children.filter((c) => c.name.toLowerCase() === list)) {
          if (l.children.some((c) => c.name.toLowerCase() === item && c.text.trim() === '*')) wildcards.push(list);
        }
      }
    }
    if (wildcards.length) ctx.report({ path: 'properties.value', message: `The CORS policy of '${resource.name}' allows any value (*) in ${[...new Set(wildcards)].join(', ')}.` });
  },
});

const SECTIONS = ['inbound', 'backend', 'outbound', 'on-error'];

/** API, operation and product policies keep the policies of the enclosing scope: `<base/>` in every section. */
export const policyBase = defineRule({
  id: 'APIM-PolicyBase',
  title: 'API Management policies include the policies of the enclosing scope',
  severity: 'medium',
  pillar: 'security',
  description: 'A section without `<base/>` drops the policies of the enclosing scope (for example the global authentication, IP filtering or rate limits) for that API, operation or product.',
  recommendation: 'Put `<base />` in each of `<inbound>`, `<backend>`, `<outbound>` and `<on-error>` of every API, operation and product policy.',
  helpUri: `${PSRULE}Azure.APIM.PolicyBase/`,
  equivalents: [{ tool: 'psrule', id: 'Azure.APIM.PolicyBase', ref: 'AZR-000371' }],
  appliesTo: POLICY_TYPES.filter((t) => t !== GLOBAL_POLICY),
  check(resource, ctx) {
    const doc = policyXml(resource);
    if ('unknown' in doc) return ctx.unknown(doc.unknown);
    if ('skip' in doc) return ctx.skip(doc.skip);
    const policies = parsePolicy(doc.xml).find((e) => e.name.toLowerCase() === 'policies');
    const missing = SECTIONS.filter((name) => {
      const section = policies?.children.find((c) => c.name.toLowerCase() === name);
      return !section || !section.children.some((c) => c.name.toLowerCase() === 'base');
    });
    if (missing.length) ctx.report({ path: 'properties.value', message: `The policy of '${resource.name}' has no <base/> in ${missing.map((m) => `<${m}>`).join(', ')}: the policies of the enclosing scope do not apply there.` });
  },
});
