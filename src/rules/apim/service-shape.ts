import { leafName } from '../../resources/resource.js';
import { getPath, hasValue, isUnknown } from '../../resources/value.js';
import { defineRule } from '../define-rule.js';

export const PSRULE = 'https://azure.github.io/PSRule.Rules.Azure/en/rules/';

export const NAME = /^[A-Za-z](?:[A-Za-z0-9-]{0,48}[A-Za-z0-9])?$/;

export function skuName(body: Parameters<typeof getPath>[0]): string | undefined {
  const v = getPath(body, 'sku.name');
  return typeof v === 'string' ? v : undefined;
}

export function descriptors(id: string, psrule: string, ref: string, type: string, what: string) {
  return defineRule({
    id,
    title: `API Management ${what}s have a display name and a description`,
    severity: 'low',
    pillar: 'operational-excellence',
    description: `Developers find and choose ${what}s in the developer portal by their display name and description.`,
    recommendation: `Set \`properties.displayName\` and \`properties.description\` of every \`${type}\`.`,
    helpUri: `${PSRULE}${psrule}/`,
    equivalents: [{ tool: 'psrule', id: psrule, ref }],
    appliesTo: [type],
    check(resource, ctx) {
      for (const property of ['displayName', 'description']) {
        const v = getPath(resource.body, `properties.${property}`);
        if (isUnknown(v)) continue;
        if (!hasValue(v)) ctx.report({ path: 'properties', message: `${what[0]!.toUpperCase()}${what.slice(1)} '${leafName(resource)}' has no ${property}.` });
      }
    },
  });
}
