import { NATIVE_RULE_MODULES } from './registry.generated.js';
import type { Rule } from './rule.js';

/** Every native rule, sorted by id: the modules of src/rules/native/, listed by the generated registry. */
export const NATIVE_RULES: readonly Rule[] = NATIVE_RULE_MODULES.map((m) => m.rule);
