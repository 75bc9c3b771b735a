import { leafName } from '../../resources/resource.js';
import { getPath, isUnknown } from '../../resources/value.js';
import { defineRule } from '../define-rule.js';
import { PRODUCTS } from './types.js';

export const PSRULE = 'https://azure.github.io/PSRule.Rules.Azure/en/rules/';

/** A boolean product setting that must be true. */
export function mustBeTrue(id: string, psrule: string, ref: string, property: string, title: string, description: string, recommendation: string) {
  return defineRule({
    id,
    title,
    severity: 'medium',
    pillar: 'security',
    description,
    recommendation,
    helpUri: `${PSRULE}${psrule}/`,
    equivalents: [{ tool: 'psrule', id: psrule, ref }],
    appliesTo: [PRODUCTS],
    check(resource, ctx) {
      const path = `properties.${property}`;
      const v = getPath(resource.body, path);
      if (isUnknown(v)) return ctx.unknown(`${path} is not known before deployment (${v.reason})`);
      if (v !== true) ctx.report({ path: v === undefined ? 'properties' : path, message: `Product '${leafName(resource)}' does not set ${property} to true.` });
    },
  });
}

export const SAMPLES = new Set(['starter', 'unlimited']);
