import { leafName } from '../../resources/resource.js';
import { getPath, hasValue, isUnknown } from '../../resources/value.js';
import { defineRule } from '../define-rule.js';
import { NAMED_VALUES } from '../apim/types.js';

/** Named values come from Key Vault (`properties.keyVault.secretIdentifier`); `secret: true` alone keeps the value in API Management. */
export default defineRule({
  id: 'APIM-EncryptValues',
  title: 'API Management named values come from Key Vault',
  severity: 'high',
  pillar: 'security',
  description:
    'A named value written in the template (even marked secret) is stored in API Management and in the deployment history; a Key Vault reference keeps the secret in Key Vault, rotated there.',
  recommendation:
    'Set `properties.keyVault.secretIdentifier` of every `Microsoft.ApiManagement/service/namedValues` to a Key Vault secret URI, and give the service a managed identity that can read it.',
  helpUri: 'https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.APIM.EncryptValues/',
  equivalents: [{ tool: 'psrule', id: 'Azure.APIM.EncryptValues', ref: 'AZR-000045' }],
  appliesTo: [NAMED_VALUES],
  check(resource, ctx) {
    const id = getPath(resource.body, 'properties.keyVault.secretIdentifier');
    if (isUnknown(id)) return;
    if (hasValue(id)) return;
    const secret = getPath(resource.body, 'properties.secret');
    ctx.report({
      path: 'properties',
      message: `Named value '${leafName(resource)}' is ${secret === true ? 'marked secret but ' : ''}stored in API Management: reference a Key Vault secret with properties.keyVault.secretIdentifier.`,
    });
  },
});
