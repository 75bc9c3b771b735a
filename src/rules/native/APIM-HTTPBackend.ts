import { isUnknown } from '../../resources/value.js';
import { getPath } from '../../resources/value.js';
import { leafName } from '../../resources/resource.js';
import { defineRule } from '../define-rule.js';

const BACKENDS = 'Microsoft.ApiManagement/service/backends';

const APIS = 'Microsoft.ApiManagement/service/apis';

/**
 * Backends (`properties.url`) and APIs (`properties.serviceUrl`) must not send traffic to an
 * `http://` URL. An item without the URL is not applicable (an API may have no backend
 * service), as in PSRule for Azure; the scheme is compared ignoring case.
 */
export default defineRule({
  id: 'APIM-HTTPBackend',
  title: 'API Management backends use HTTPS',
  severity: 'critical',
  pillar: 'security',
  description:
    'When API Management forwards requests to a backend over HTTP, requests and responses (including credentials and personal data) travel unencrypted and can be read or changed on the way.',
  recommendation:
    'Set `properties.url` of `Microsoft.ApiManagement/service/backends` and `properties.serviceUrl` of `Microsoft.ApiManagement/service/apis` to an `https://` URL. Prefer TLS 1.2 or later on the backend, and client certificates for API Management to authenticate to it.',
  helpUri: 'https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.APIM.HTTPBackend/',
  equivalents: [{ tool: 'psrule', id: 'Azure.APIM.HTTPBackend', ref: 'AZR-000044' }],
  appliesTo: [BACKENDS, APIS],
  messages: { plainHttp: "{{what}} '{{name}}' sends traffic to '{{url}}' without encryption: use an https:// URL." },
  check(resource, ctx) {
    const isBackend = resource.type.toLowerCase() === BACKENDS.toLowerCase();
    const path = isBackend ? 'properties.url' : 'properties.serviceUrl';
    const what = isBackend ? 'Backend' : 'API';
    const url = getPath(resource.body, path);
    if (isUnknown(url)) return ctx.unknown(`${path} is not known before deployment (${url.reason})`);
    if (typeof url !== 'string' || url === '') return ctx.skip(`${what.toLowerCase()} has no ${path}`);
    if (/^http:\/\//i.test(url)) {
      ctx.report({ path, messageId: 'plainHttp', data: { what, name: leafName(resource), url } });
    }
  },
});
