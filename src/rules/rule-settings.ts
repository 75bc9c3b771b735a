import type { Level, Severity } from '../findings/finding.js';
import type { Rule } from './rule.js';
import { suggestRules } from './rule-query.js';

/** What the configuration may change about a rule (its effect is applied when policies load). */
export interface RuleOverride {
  enabled?: boolean;
  level?: Level;
  severity?: Severity;
  options?: Record<string, unknown>;
  /** Azure Policy definitions: values for the definition's parameters (over their defaults). */
  parameters?: Record<string, unknown>;
}

/** Does a configuration key name this rule: its id, an equivalent id, or a policy's display name? */
export function keyNamesRule(key: string, rule: Rule): boolean {
  const k = key.toLowerCase();
  return rule.meta.id.toLowerCase() === k || rule.meta.title.toLowerCase() === k || rule.meta.equivalents.some((e) => e.id.toLowerCase() === k);
}

/** A setting that does nothing: `key` is its key under `rules:` in the configuration. */
export interface SettingWarning {
  key: string;
  message: string;
}

/**
 * Applies per-rule settings from the configuration. A setting that names no rule is an error
 * (a typo must not silently leave a rule on). Rules are wrapped, never mutated: the same
 * built-in rule objects serve every scan.
 */
export function applyRuleOverrides(
  rules: readonly Rule[],
  overrides: Readonly<Record<string, RuleOverride & { effect?: string }>>,
  /** Rules that exist but do not run in this scan (shipped policies an assignment replaced): naming one is a warning, not a typo. */
  notRunning: readonly Rule[] = [],
): { rules: Rule[]; options: Record<string, Record<string, unknown>>; errors: string[]; warnings: SettingWarning[] } {
  const errors: string[] = [];
  const warnings: SettingWarning[] = [];
  // Keyed by rule id, which a policy file names: no prototype, so `__proto__` is an id like any other.
  const options = Object.create(null) as Record<string, Record<string, unknown>>;
  let out = [...rules];
  for (const [key, setting] of Object.entries(overrides)) {
    const { enabled, level, severity } = setting;
    const named = out.filter((r) => keyNamesRule(key, r));
    if (!named.length) {
      const idle = notRunning.find((r) => keyNamesRule(key, r));
      if (idle)
        warnings.push({ key, message: `rules.${key}: policy ${idle.meta.id} is not among the assigned policies of this scan: the setting has no effect` });
      else {
        const close = suggestRules(key, rules);
        errors.push(`rules.${key}: no rule has that id, equivalent id or display name${close ? `; did you mean ${close}?` : ''} (see \`tollgate rules\`)`);
      }
      continue;
    }
    for (const rule of named) {
      if (setting.options) options[rule.meta.id] = { ...options[rule.meta.id], ...setting.options };
      if (enabled === undefined && level === undefined && severity === undefined) continue;
      const wrapped: Rule = Object.assign(Object.create(rule) as Rule, {
        enabled: enabled ?? rule.enabled,
        meta: { ...rule.meta, ...(level && { level }), ...(severity && { severity }) },
      });
      out = out.map((r) => (r === rule ? wrapped : r));
    }
  }
  return { rules: out, options, errors, warnings };
}
