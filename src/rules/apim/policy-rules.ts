export const PSRULE = 'https://azure.github.io/PSRule.Rules.Azure/en/rules/';

export const CORS_LISTS: [string, string][] = [
  ['allowed-origins', 'origin'],
  ['allowed-methods', 'method'],
  ['allowed-headers', 'header'],
  ['expose-headers', 'header'],
];

export const SECTIONS = ['inbound', 'backend', 'outbound', 'on-error'];
