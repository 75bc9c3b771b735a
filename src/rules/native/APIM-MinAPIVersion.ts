import { leafName } from '../../resources/resource.js';
import { getPath, isUnknown } from '../../resources/value.js';
import { defineRule } from '../define-rule.js';
import { SERVICE } from '../apim/types.js';
import { PSRULE, apiVersionDate } from '../apim/lifecycle.js';

/** The service's own API version and its `apiVersionConstraint.minApiVersion` are both at least the minimum. */
export default defineRule({
  id: 'APIM-MinAPIVersion',
  title: 'API Management uses and requires recent API versions',
  severity: 'medium',
  pillar: 'security',
  description:
    'Older management API versions of API Management lack security fixes (for example, they return secrets in GET responses); `apiVersionConstraint.minApiVersion` stops tools from using them against the service.',
  recommendation:
    'Deploy with API version 2021-08-01 or later and set `properties.apiVersionConstraint.minApiVersion` to at least 2021-08-01. The minimum is configurable: `rules.APIM-MinAPIVersion.options.minimum`.',
  helpUri: `${PSRULE}Azure.APIM.MinAPIVersion/`,
  equivalents: [{ tool: 'psrule', id: 'Azure.APIM.MinAPIVersion', ref: 'AZR-000321' }],
  fix: "Sets (or adds) `properties.apiVersionConstraint.minApiVersion` to the minimum (2021-08-01, or `options.minimum`). The service's own `apiVersion` is not changed.",
  appliesTo: [SERVICE],
  optionsSchema: {
    type: 'object',
    properties: {
      minimum: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}(-preview)?$', description: 'The oldest API version allowed (default 2021-08-01).' },
    },
    additionalProperties: false,
  },
  check(resource, ctx) {
    const minimum = typeof ctx.options['minimum'] === 'string' ? ctx.options['minimum'] : '2021-08-01';
    const floor = apiVersionDate(minimum) ?? Date.parse('2021-08-01');
    const own = resource.apiVersion ? apiVersionDate(resource.apiVersion) : undefined;
    if (own !== undefined && own < floor)
      ctx.report({
        path: 'apiVersion',
        message: `Service '${leafName(resource)}' is deployed with API version ${resource.apiVersion}, older than ${minimum}.`,
      });
    const constraint = getPath(resource.body, 'properties.apiVersionConstraint.minApiVersion');
    if (isUnknown(constraint)) return ctx.unknown(`apiVersionConstraint.minApiVersion is not known before deployment (${constraint.reason})`);
    const date = typeof constraint === 'string' ? apiVersionDate(constraint) : undefined;
    if (date === undefined)
      ctx.report({
        path: 'properties',
        message: `Service '${leafName(resource)}' does not set properties.apiVersionConstraint.minApiVersion: set it to ${minimum} or later.`,
        fix: { set: [{ path: 'properties.apiVersionConstraint.minApiVersion', value: minimum }] },
      });
    else if (date < floor)
      ctx.report({
        path: 'properties.apiVersionConstraint.minApiVersion',
        message: `minApiVersion ${String(constraint)} is older than ${minimum}.`,
        fix: { set: [{ path: 'properties.apiVersionConstraint.minApiVersion', value: minimum }] },
      });
  },
});
