import type { Diagnostic } from '../load/diagnostic.js';
import type { DefaultSetSkip } from '../policy/catalog.js';
import { loadDefaultPolicies } from '../policy/default-set.js';
import type { PolicyRule } from '../policy/policy-rule.js';
import { assignPolicies, type AssignedPolicies, type PolicyInputs } from '../policy/policy-inputs.js';
import { NATIVE_RULES } from '../rules/index.js';
import type { Rule } from '../rules/rule.js';
import type { RuleMeta } from '../rules/rule-meta.js';
import { applyRuleOverrides, keyNamesRule, type RuleOverride } from '../rules/rule-settings.js';
import { selectRules } from '../rules/rule-query.js';

// The rules a scan runs: chosen and configured before any file is read, so that the CLI can
// check its flags and the configuration first, and so that scan.ts only runs the stages.

export interface RuleSet {
  rules: readonly Rule[];
  /** Rule options from the configuration, by rule id. */
  options?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Problems loading the rules (a shipped definition that does not compile). */
  diagnostics: Diagnostic[];
  /** Effect overrides that name no definition or that the definition does not allow. */
  effectErrors: string[];
  /**
   * `--rules all`: every rule runs (those off by default too) and findings of equivalent rules
   * on the same property are not merged, so each tool's view is reported.
   */
  all?: boolean;
  /**
   * Rules that exist but do not run in this scan: the shipped definitions that assigned policies
   * replaced, or (policy test) every rule but the one tested. A suppression naming one of them
   * is not reported as unused: nothing it could match was evaluated.
   */
  notRun?: readonly RuleMeta[];
  /** Ids of rules the configuration turned off (`rules.<id>.enabled: false`): the coverage says why they did not run. */
  turnedOff?: readonly string[];
  /** Ids of rules that would have run but `--rule` / `--skip-rule` left out. */
  deselected?: readonly string[];
  /** Policy assignments in force (`--initiative`, `--assignment`, `--policy`): for compliance per control and exemptions. */
  assigned?: Pick<AssignedPolicies, 'assigned' | 'unavailable' | 'exemptions'>;
  /**
   * Definitions the default set's initiatives reference that are not among `rules` (a version
   * Tollgate lacks, a definition that does not compile), with why. Those in `rules` that do not
   * run say why themselves (`enabled` false with `notForTemplates` or `unsetParameters`).
   */
  defaultSkipped?: readonly DefaultSetSkip[];
}

/**
 * The native rules and the built-in Azure Policy definitions, with effect overrides and the
 * configuration's rule settings (enabled, level, severity, options, parameters) applied. With
 * policy inputs (`--policy`, `--initiative`, `--assignment`, `--exemption`), the assigned
 * policies run instead of the shipped defaults; native rules run either way.
 */
export function loadRuleSet(
  policyEffects: Record<string, string> = {},
  settings: Readonly<Record<string, RuleOverride>> = {},
  /**
   * `plugins`: rules loaded from the configuration's `plugins:`, run like the native ones.
   * `defaults`: configuration `rules.default` (initiatives whose definitions join the API Management pack; `apim` = none; default: mcsb).
   */
  selection: {
    all?: boolean;
    policies?: PolicyInputs;
    plugins?: readonly Rule[];
    defaults?: readonly string[];
    /** `--rule`: only these rules run (ids, guids, display names, guid prefixes). */
    only?: readonly string[];
    /** `--skip-rule`: these rules do not run. */
    skip?: readonly string[];
  } = {},
): RuleSet {
  const parameters = Object.fromEntries(Object.entries(settings).flatMap(([k, s]) => (s.parameters ? [[k, s.parameters]] : [])));
  const catalog = loadDefaultPolicies({ effects: policyEffects, parameters, ...(selection.defaults ? { sets: selection.defaults } : {}) });
  let assigned: AssignedPolicies | undefined;
  let replaced: Rule[] = [];
  if (selection.policies) {
    assigned = assignPolicies(selection.policies, catalog.rules);
    replaced = catalog.rules;
    catalog.rules = assigned.rules;
    catalog.diagnostics.push(...selection.policies.diagnostics, ...assigned.diagnostics);
  }
  const effectErrors = [
    ...catalog.unmatchedEffects.map((k) => `effect for '${k}': no built-in policy definition has that id or display name`),
    ...catalog.rejectedEffects.map((r) => `effect for '${r.key}': ${r.reason}`),
  ];
  const configured = applyRuleOverrides([...catalog.rules, ...NATIVE_RULES, ...(selection.plugins ?? [])], settings, replaced);
  catalog.diagnostics.push(
    ...configured.warnings.map((w) => ({ severity: 'warning' as const, code: 'rule-setting', message: w.message, configKey: ['rules', w.key] })),
  );
  const disabledByUser = (r: Rule) => Object.entries(settings).some(([key, s]) => s.enabled === false && keyNamesRule(key, r));
  // Turned on in the configuration without the parameters it needs: it could only fail on every
  // resource, so it stays off and the reports list it with what it needs.
  const needsParameters = (r: Rule) => r.enabled && Boolean((r as Partial<PolicyRule>).unsetParameters?.length);
  let rules = configured.rules.map((r) => (needsParameters(r) ? Object.assign(Object.create(r) as Rule, { enabled: false }) : r));
  if (selection.all) {
    // Off by default (e.g. deprecated upstream) is turned on; off in the configuration stays off.
    rules = rules.map((r) => {
      if (r.enabled || disabledByUser(r)) return r;
      // A definition needing a parameter nobody gave cannot be evaluated: turning it on would
      // fail on every resource. It stays off, with a note saying what it needs.
      const unset = (r as Partial<PolicyRule>).unsetParameters ?? [];
      if (unset.length) {
        const names = unset.map((p) => `'${p}'`).join(', ');
        catalog.diagnostics.push({
          severity: 'info',
          code: 'rule-not-run',
          message: `policy ${r.meta.id} (${r.meta.title}) not run: needs parameter${unset.length > 1 ? 's' : ''} ${names}, which ${unset.length > 1 ? 'have' : 'has'} no default (give ${unset.length > 1 ? 'them' : 'it'} under rules.${r.meta.id}.parameters in the configuration, or with an assignment)`,
        });
        return r;
      }
      return Object.assign(Object.create(r) as Rule, { enabled: true });
    });
  }
  const turnedOff = rules.filter((r) => !r.enabled && disabledByUser(r)).map((r) => r.meta.id);
  // After --rules all and the configuration: a rule asked for by name runs, one left out does not.
  const picked = selection.only?.length || selection.skip?.length ? selectRules(rules, selection.only ?? [], selection.skip ?? []) : undefined;
  if (picked) rules = picked.rules;
  return {
    rules,
    options: configured.options,
    diagnostics: catalog.diagnostics,
    effectErrors: [...effectErrors, ...configured.errors, ...(picked?.errors ?? [])],
    all: selection.all,
    turnedOff: turnedOff.filter((id) => !rules.some((r) => r.enabled && r.meta.id === id)),
    ...(picked?.deselected.length ? { deselected: picked.deselected } : {}),
    ...(replaced.length ? { notRun: replaced.map((r) => r.meta) } : {}),
    ...(assigned ? { assigned } : {}),
    ...(!selection.policies && catalog.skipped.length ? { defaultSkipped: catalog.skipped } : {}),
  };
}
