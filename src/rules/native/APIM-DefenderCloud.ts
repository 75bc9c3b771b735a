import { getPath, isUnknown } from '../../resources/value.js';
import { defineRule } from '../define-rule.js';
import { APIS } from '../apim/types.js';
import { pushTo } from '../../multimap.js';
import { leafName, type Resource } from '../../resources/resource.js';

const API_COLLECTIONS = 'microsoft.security/apicollections';

// The API collections of a scan unit by lower-case leaf name (their lower-case ids), built once
// per unit: looking through every resource for every API made the rule quadratic (seconds for a
// service with thousands of APIs). The engine passes the same array to every check of a unit.
const collectionIndexes = new WeakMap<readonly Resource[], Map<string, string[]>>();

function collectionsByName(resources: readonly Resource[]): Map<string, string[]> {
  let index = collectionIndexes.get(resources);
  if (!index) {
    index = new Map();
    for (const r of resources) if (r.type.toLowerCase() === API_COLLECTIONS) pushTo(index, leafName(r).toLowerCase(), r.id.toLowerCase());
    collectionIndexes.set(resources, index);
  }
  return index;
}

/** Every HTTP API is onboarded to Defender for APIs: a `Microsoft.Security/apiCollections` of its name in the deployment. */
export default defineRule({
  id: 'APIM-DefenderCloud',
  title: 'API Management APIs are onboarded to Defender for APIs',
  severity: 'medium',
  pillar: 'security',
  description:
    'Defender for APIs finds sensitive data, unauthenticated endpoints and attacks on APIs, but only for APIs onboarded to it with an API collection.',
  recommendation:
    'Deploy a `Microsoft.Security/apiCollections` extension resource, named after the API, scoped to the API Management service, for each HTTP API.',
  helpUri: 'https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.APIM.DefenderCloud/',
  equivalents: [{ tool: 'psrule', id: 'Azure.APIM.DefenderCloud', ref: 'AZR-000387' }],
  appliesTo: [APIS],
  messages: {
    notOnboarded:
      "API '{{name}}' is not onboarded to Defender for APIs: add a Microsoft.Security/apiCollections resource named '{{name}}' scoped to the service.",
  },
  check(resource, ctx) {
    const apiType = getPath(resource.body, 'properties.apiType');
    if (isUnknown(apiType)) return ctx.unknown(`properties.apiType is not known before deployment (${apiType.reason})`);
    // A missing apiType means an HTTP API; SOAP, WebSocket and GraphQL APIs are not covered by Defender for APIs.
    if (typeof apiType === 'string' && apiType.toLowerCase() !== 'http') return ctx.skip(`Defender for APIs covers HTTP APIs, not ${apiType}`);
    const name = leafName(resource);
    if (name.includes('<unknown>')) return ctx.unknown('the API name is not known before deployment');
    const service = resource.name.split('/')[0]!.toLowerCase();
    const onboarded = (collectionsByName(ctx.resources).get(name.toLowerCase()) ?? []).some(
      (id) => !id.includes('/microsoft.apimanagement/service/') || id.includes(`/microsoft.apimanagement/service/${service}/`),
    );
    if (!onboarded) ctx.report({ path: 'name', messageId: 'notOnboarded', data: { name } });
  },
});
