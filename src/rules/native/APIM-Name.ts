import { defineRule } from '../define-rule.js';
import { SERVICE } from '../apim/types.js';
import { NAME, PSRULE } from '../apim/service-shape.js';

/** Service names: 1 to 50 characters, a letter first, letters, digits and hyphens, no hyphen last. */
export default defineRule({
  id: 'APIM-Name',
  title: 'API Management service names meet the naming rules',
  severity: 'low',
  pillar: 'operational-excellence',
  description: 'A name Azure does not accept fails the deployment late; API Management names are also part of the gateway host name (`<name>.azure-api.net`).',
  recommendation: 'Use 1 to 50 characters: start with a letter, use letters, digits and hyphens, end with a letter or digit.',
  helpUri: `${PSRULE}Azure.APIM.Name/`,
  equivalents: [{ tool: 'psrule', id: 'Azure.APIM.Name', ref: 'AZR-000056' }],
  appliesTo: [SERVICE],
  check(resource, ctx) {
    const name = resource.name;
    if (name.includes('<unknown>')) return ctx.unknown('the service name is not known before deployment');
    if (!NAME.test(name))
      ctx.report({
        path: 'name',
        message: `The service name '${name}' does not meet the naming rules (1-50 characters, a letter first, letters, digits and hyphens, a letter or digit last).`,
      });
  },
});
