import { getPath, isUnknown } from '../../resources/value.js';
import { defineRule } from '../define-rule.js';
import { customPropertyPath, SERVICE } from '../apim/types.js';
import { OLD_PROTOCOLS, isFalse } from '../apim/protocols.js';

/**
 * TLS 1.0, TLS 1.1 and SSL 3.0, between clients and the gateway and between the gateway and
 * backends, must be off: each `customProperties` key absent or `False`.
 */
export default defineRule({
  id: 'APIM-Protocols',
  title: 'API Management disables SSL 3.0, TLS 1.0 and TLS 1.1',
  severity: 'high',
  pillar: 'security',
  description:
    'SSL 3.0, TLS 1.0 and TLS 1.1 have known weaknesses; a gateway that still accepts them, or uses them towards backends, lets an attacker downgrade connections.',
  recommendation:
    'Set each of `Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10`, `.Protocols.Tls11`, `.Protocols.Ssl30`, `.Backend.Protocols.Tls10`, `.Backend.Protocols.Tls11` and `.Backend.Protocols.Ssl30` in `properties.customProperties` to `False` (or leave them out).',
  helpUri: 'https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.APIM.Protocols/',
  equivalents: [
    { tool: 'psrule', id: 'Azure.APIM.Protocols', ref: 'AZR-000054' },
    { tool: 'checkov', id: 'CKV_AZURE_173' },
  ],
  fix: 'Sets each SSL 3.0, TLS 1.0 and TLS 1.1 key of `properties.customProperties` that is on to `"False"`, where its value is written.',
  appliesTo: [SERVICE],
  check(resource, ctx) {
    for (const key of OLD_PROTOCOLS) {
      const path = customPropertyPath(key);
      const v = getPath(resource.body, path);
      if (isUnknown(v)) ctx.unknown(`${key} is not known before deployment (${v.reason})`);
      else if (v !== undefined && !isFalse(v)) {
        const side = key.startsWith('Backend.') ? 'towards backends' : 'from clients';
        ctx.report({
          path,
          fix: { set: [{ path, value: 'False' }] },
          message: `${key
            .replace(/^(Backend\.)?Protocols\./, '')
            .replace('Ssl30', 'SSL 3.0')
            .replace(/Tls1(\d)/, 'TLS 1.$1')} is enabled ${side} (${JSON.stringify(v)}): set it to False.`,
        });
      }
    }
  },
});
