// The package's entry point (`import … from 'tollgate'`): what plugin authors build rules with.
// The command line is `dist/cli/main.js`; tests of rules import `tollgate/testing`.
export {
  defineRule,
  formatMessage,
  levelForSeverity,
  ruleDocsUrl,
  type DefinedRule,
  type OptionsSchema,
  type ReportById,
  type RuleContext,
  type RuleDefinition,
  type RuleSpec,
} from './rules/define-rule.js';
export type { CheckContext, Rule } from './rules/rule.js';
export type { Equivalent, RuleMeta } from './rules/rule-meta.js';
export type { Resource } from './resources/resource.js';
export { getPath, getProperty, isUnknown, hasValue, type Value } from './resources/value.js';
export type { Finding, Fix, Level, Severity, TextEdit } from './findings/finding.js';
export type { FixIntent, FixValue } from './findings/fix-intent.js';
