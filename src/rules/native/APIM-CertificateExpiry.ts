import { getPath, isUnknown } from '../../resources/value.js';
import { defineRule } from '../define-rule.js';
import { SERVICE } from '../apim/types.js';
import { DAY, PSRULE } from '../apim/lifecycle.js';

/** Every custom-domain certificate with a known expiry has at least N days left (default 30). */
export default defineRule({
  id: 'APIM-CertificateExpiry',
  title: 'API Management custom-domain certificates are not about to expire',
  severity: 'high',
  pillar: 'reliability',
  description: 'When a custom-domain certificate expires, clients refuse the gateway, portal or management endpoint that uses it.',
  recommendation:
    'Renew the certificate (or use a Key Vault reference, which API Management refreshes). The number of days is configurable: `rules.APIM-CertificateExpiry.options.days` (default 30); the clock is `--now` or `deployment.now`.',
  helpUri: `${PSRULE}Azure.APIM.CertificateExpiry/`,
  equivalents: [{ tool: 'psrule', id: 'Azure.APIM.CertificateExpiry', ref: 'AZR-000051' }],
  appliesTo: [SERVICE],
  optionsSchema: {
    type: 'object',
    properties: { days: { type: 'integer', minimum: 0, description: 'Days a certificate must have left (default 30).' } },
    additionalProperties: false,
  },
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
        ctx.report({
          path: `properties.hostnameConfigurations[${i}].certificate.expiry`,
          message: `The certificate for ${typeof host === 'string' ? host : `hostnameConfigurations[${i}]`} ${left < 0 ? `expired ${-left} days ago` : `expires in ${left} days`} (minimum ${days}).`,
        });
      }
    });
    if (!checked) ctx.skip('no custom-domain certificate states its expiry');
  },
});
