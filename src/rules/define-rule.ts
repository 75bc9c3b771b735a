import type { Level, Severity } from '../findings/finding.js';
import type { RuleMeta } from './rule-meta.js';
import type { Resource } from '../resources/resource.js';
import type { CheckContext, Rule } from './rule.js';

export interface NativeRuleSpec extends Omit<RuleMeta, 'kind' | 'level'> {
  /** Defaults from the severity: critical and high are errors, medium and low warnings. */
  level?: Level;
  /** False for a rule that ships off (turn it on with `rules.<id>.enabled: true`). */
  enabled?: boolean;
  check(resource: Resource, ctx: CheckContext): void;
}

export function levelForSeverity(severity: Severity): Level {
  return severity === 'critical' || severity === 'high' ? 'error' : severity === 'informational' ? 'note' : 'warning';
}

/** A native rule: metadata as data, a check as a pure function of the resource. */
export function defineRule(spec: NativeRuleSpec): Rule {
  const { check, level, enabled, ...meta } = spec;
  return {
    meta: { ...meta, kind: 'native', level: level ?? levelForSeverity(meta.severity) },
    enabled: enabled ?? true,
    check,
  };
}
