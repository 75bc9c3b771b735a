import type { RuleMeta } from '../rules/rule-meta.js';
import type { Rule } from '../rules/rule.js';
import type { UnavailableReference } from '../policy/assign.js';

/** Why a rule or definition of the scan did not run: the groups the coverage counts. */
export type NotRunReason =
  /** A policy parameter has neither a default nor a value (configuration or assignment). */
  | 'needs-parameters'
  /** A Resource Provider mode, denyAction or manual: nothing in a template to evaluate. */
  | 'not-for-templates'
  /** An assigned initiative references a definition (or version) Tollgate does not have. */
  | 'unavailable'
  /** The effect in force is Disabled (the definition's default, or an override). */
  | 'effect-disabled'
  /** `rules.<id>.enabled: false` in the configuration. */
  | 'turned-off'
  /** Left out by `--rule` / `--skip-rule`. */
  | 'not-selected'
  /** Ships off (deprecated upstream, or opt-in); `rules.<id>.enabled: true` or `--rules all` runs it. */
  | 'off-by-default'
  /** A shipped definition the assigned policies replaced (`--initiative`, `--assignment`, `--policy`). */
  | 'not-assigned';

/** The reasons that mean "cannot run as things are"; the others are choices (the user's or Azure's defaults). */
export const CANNOT_RUN: ReadonlySet<NotRunReason> = new Set(['needs-parameters', 'not-for-templates', 'unavailable']);

export const NOT_RUN_REASONS: Readonly<Record<NotRunReason, string>> = {
  'needs-parameters': 'needs parameters that have no default (give them under rules.<id>.parameters or in an assignment)',
  'not-for-templates': 'not applicable to deployment templates (Resource Provider mode, denyAction or manual)',
  unavailable: 'assigned, but Tollgate does not have the definition or the version asked for',
  'effect-disabled': 'effect Disabled',
  'turned-off': 'turned off in the configuration',
  'not-selected': 'left out by --rule or --skip-rule',
  'off-by-default': 'off by default (rules.<id>.enabled: true or --rules all runs it)',
  'not-assigned': 'shipped default replaced by the assigned policies',
};

export interface RuleNotRun {
  id: string;
  title: string;
  kind: RuleMeta['kind'];
  reason: NotRunReason;
  /** The particular reason: the parameters missing, the mode, the version asked for. */
  detail: string;
  /** For an assigned policy: the assignment (and the reference in its initiative). */
  assignment?: string;
  referenceId?: string;
}

/** What a policy rule tells about itself beyond `Rule` (read without importing the policy engine's types). */
interface PolicyFacts {
  unsetParameters?: readonly string[];
  notForTemplates?: string;
}

export interface NotRunInputs {
  rules: readonly Rule[];
  /** Ids of rules the configuration turned off. */
  turnedOff?: ReadonlySet<string>;
  /** Ids of rules `--rule` / `--skip-rule` left out. */
  deselected?: ReadonlySet<string>;
  /** Shipped rules the assigned policies replaced. */
  replaced?: readonly RuleMeta[];
  /** References of assigned initiatives that cannot be evaluated offline. */
  unavailable?: readonly UnavailableReference[];
}

/** Every rule of the scan that did not run, with why, in a stable order (reason, then id). */
export function rulesNotRun(inputs: NotRunInputs): RuleNotRun[] {
  const out: RuleNotRun[] = [];
  for (const rule of inputs.rules) {
    if (rule.enabled) continue;
    const { reason, detail } = inputs.deselected?.has(rule.meta.id)
      ? { reason: 'not-selected' as const, detail: NOT_RUN_REASONS['not-selected'] }
      : whyNotRun(rule, inputs.turnedOff);
    out.push({ ...identity(rule.meta), reason, detail });
  }
  for (const meta of inputs.replaced ?? []) out.push({ ...identity(meta), reason: 'not-assigned', detail: NOT_RUN_REASONS['not-assigned'] });
  for (const u of inputs.unavailable ?? []) {
    const notForTemplates = u.reason.startsWith('not applicable to deployment templates');
    out.push({
      id: u.definitionId.split('/').pop() ?? u.definitionId,
      title: u.referenceId,
      kind: 'policy',
      reason: notForTemplates ? 'not-for-templates' : 'unavailable',
      detail: u.reason,
      assignment: u.assignment,
      referenceId: u.referenceId,
    });
  }
  const order = Object.keys(NOT_RUN_REASONS);
  return out.sort((a, b) => order.indexOf(a.reason) - order.indexOf(b.reason) || byCodeUnits(sortKey(a), sortKey(b)));
}

function identity(meta: RuleMeta): Pick<RuleNotRun, 'id' | 'title' | 'kind' | 'assignment' | 'referenceId'> {
  return {
    id: meta.id,
    title: meta.title,
    kind: meta.kind,
    ...(meta.assignment && { assignment: meta.assignment }),
    ...(meta.referenceId && { referenceId: meta.referenceId }),
  };
}

function whyNotRun(rule: Rule, turnedOff: ReadonlySet<string> | undefined): { reason: NotRunReason; detail: string } {
  const facts = rule as Rule & PolicyFacts;
  if (facts.notForTemplates) return { reason: 'not-for-templates', detail: facts.notForTemplates };
  const unset = facts.unsetParameters ?? [];
  if (unset.length) {
    const names = unset.map((p) => `'${p}'`).join(', ');
    const where = rule.meta.assignment
      ? `assignment ${rule.meta.assignment} does not give ${unset.length > 1 ? 'them' : 'it'}`
      : `give ${unset.length > 1 ? 'them' : 'it'} under rules.${rule.meta.id}.parameters or with an assignment`;
    return { reason: 'needs-parameters', detail: `needs parameter${unset.length > 1 ? 's' : ''} ${names} (no default): ${where}` };
  }
  if (turnedOff?.has(rule.meta.id)) return { reason: 'turned-off', detail: NOT_RUN_REASONS['turned-off'] };
  if (rule.meta.effect?.toLowerCase() === 'disabled') return { reason: 'effect-disabled', detail: NOT_RUN_REASONS['effect-disabled'] };
  return { reason: 'off-by-default', detail: NOT_RUN_REASONS['off-by-default'] };
}

// Code-unit order, not localeCompare: the same scan lists the same order on every machine.
function sortKey(r: RuleNotRun): string {
  return [r.id, r.assignment ?? '', r.referenceId ?? ''].join('\u0000');
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
