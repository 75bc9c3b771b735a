import { NATIVE_RULE_MODULES } from './registry.generated.js';
import type { Rule } from './rule.js';
import { ruleDocsUrl } from './define-rule.js';

/**
 * Every native rule, sorted by id: the modules of src/rules/native/, listed by the generated
 * registry. Each carries its page in docs/rules/ (`docsUrl`), which reports link to; plugins,
 * made with the same defineRule, link to their own `helpUri`.
 */
export const NATIVE_RULES: readonly Rule[] = NATIVE_RULE_MODULES.map((m) => {
  m.rule.meta.docsUrl = ruleDocsUrl(m.rule.meta.id);
  return m.rule;
});
