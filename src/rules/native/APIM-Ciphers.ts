import { getPath, isUnknown } from '../../resources/value.js';
import { defineRule } from '../define-rule.js';
import { isFalse } from '../apim/protocols.js';
import { customPropertyPath, SERVICE } from '../apim/types.js';

/** Enabled by default in API Management: these must be explicitly turned off. */
const MUST_DISABLE = [
  'TLS_RSA_WITH_AES_128_CBC_SHA',
  'TLS_RSA_WITH_AES_256_CBC_SHA',
  'TLS_RSA_WITH_AES_128_CBC_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA',
  'TLS_RSA_WITH_AES_256_CBC_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA',
  'TLS_RSA_WITH_AES_128_GCM_SHA256',
];

/** Weak ciphers off: Triple DES absent or False; seven CBC/RSA suites explicitly False (absent means on). */
export default defineRule({
  id: 'APIM-Ciphers',
  title: 'API Management disables weak ciphers',
  severity: 'high',
  pillar: 'security',
  description:
    'Triple DES and cipher suites without forward secrecy or with CBC mode are weak; API Management enables several of them unless they are turned off.',
  recommendation:
    'In `properties.customProperties`, set `Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TripleDes168` and each of the seven `…Ciphers.TLS_RSA_…`/`TLS_ECDHE_RSA_…_CBC_…` suites to `False`.',
  helpUri: 'https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.APIM.Ciphers/',
  equivalents: [{ tool: 'psrule', id: 'Azure.APIM.Ciphers', ref: 'AZR-000055' }],
  fix: 'Sets an enabled weak cipher key to `"False"`; adds the missing cipher keys as `"False"` to `properties.customProperties` (and the object itself when absent), except on the Consumption tier.',
  appliesTo: [SERVICE],
  check(resource, ctx) {
    const tripleDes = customPropertyPath('Ciphers.TripleDes168');
    const v = getPath(resource.body, tripleDes);
    if (isUnknown(v)) ctx.unknown(`Ciphers.TripleDes168 is not known before deployment (${v.reason})`);
    else if (v !== undefined && !isFalse(v))
      ctx.report({
        path: tripleDes,
        message: `Triple DES (Ciphers.TripleDes168) is enabled: set it to False.`,
        fix: { set: [{ path: tripleDes, value: 'False' }] },
      });
    const missing: string[] = [];
    for (const suite of MUST_DISABLE) {
      const path = customPropertyPath(`Ciphers.${suite}`);
      const s = getPath(resource.body, path);
      if (isUnknown(s)) ctx.unknown(`Ciphers.${suite} is not known before deployment (${s.reason})`);
      else if (s === undefined) missing.push(suite);
      else if (!isFalse(s)) ctx.report({ path, message: `The cipher suite ${suite} is enabled: set it to False.`, fix: { set: [{ path, value: 'False' }] } });
    }
    if (missing.length) {
      // Adding the keys (and customProperties itself when absent) turns off only what is named. Not on the
      // Consumption tier, whose service takes no customProperties (Azure Verified Modules leave them out there).
      const sku = getPath(resource.body, 'sku.name');
      const fixable = typeof sku === 'string' && sku.toLowerCase() !== 'consumption';
      ctx.report({
        path: 'properties.customProperties',
        ...(fixable && {
          fix: {
            description: `Set ${missing.length === 1 ? 'the cipher suite' : `${missing.length} cipher suites`} to "False" in properties.customProperties`,
            set: missing.map((suite) => ({ path: customPropertyPath(`Ciphers.${suite}`), value: 'False' })),
          },
        }),
        message: `${missing.length === 1 ? 'This cipher suite is' : `${missing.length} cipher suites are`} enabled by default and not turned off: ${missing.join(', ')}. Set each to False.`,
      });
    }
  },
});
