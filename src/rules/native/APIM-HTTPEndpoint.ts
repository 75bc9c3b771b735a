import { leafName } from '../../resources/resource.js';
import { getPath, isUnknown } from '../../resources/value.js';
import { defineRule } from '../define-rule.js';
import { APIS } from '../apim/types.js';

/** APIs must not accept plain-HTTP calls from clients: `properties.protocols` must not contain `http` (absent passes). */
export default defineRule({
  id: 'APIM-HTTPEndpoint',
  title: 'API Management APIs accept HTTPS only',
  severity: 'high',
  pillar: 'security',
  description: 'An API that accepts HTTP lets clients send requests, keys and tokens unencrypted to the gateway.',
  recommendation: 'Remove `http` from `properties.protocols` of every `Microsoft.ApiManagement/service/apis`; keep `https` (and `wss` for WebSocket APIs).',
  helpUri: 'https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.APIM.HTTPEndpoint/',
  equivalents: [{ tool: 'psrule', id: 'Azure.APIM.HTTPEndpoint', ref: 'AZR-000042' }],
  fix: 'Removes `http` from `properties.protocols` and keeps the other protocols (`https` when none is left).',
  appliesTo: [APIS],
  check(resource, ctx) {
    const protocols = getPath(resource.body, 'properties.protocols');
    if (isUnknown(protocols)) return ctx.unknown(`properties.protocols is not known before deployment (${protocols.reason})`);
    if (!Array.isArray(protocols)) return;
    const i = protocols.findIndex((p) => typeof p === 'string' && p.toLowerCase() === 'http');
    if (i >= 0) {
      // Drop `http` (every spelling) and keep the rest; an API left with nothing takes `https`, the secure twin.
      const kept = protocols.filter((p) => !(typeof p === 'string' && p.toLowerCase() === 'http'));
      const fixable = kept.every((p) => typeof p === 'string');
      const value = kept.some((p) => typeof p === 'string' && p.toLowerCase() === 'https') ? (kept as string[]) : ['https', ...(kept as string[])];
      ctx.report({
        path: `properties.protocols[${i}]`,
        message: `API '${leafName(resource)}' accepts plain HTTP: remove 'http' from its protocols.`,
        ...(fixable && { fix: { set: [{ path: 'properties.protocols', value }] } }),
      });
    } else if (protocols.some(isUnknown)) ctx.unknown('a protocol of the API is not known before deployment');
  },
});
