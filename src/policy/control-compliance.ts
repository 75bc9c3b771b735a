import type { Finding, RuleResult } from '../findings/finding.js';
import type { AssignedRule, UnavailableReference } from './assign.js';
import { shortControlId } from './compliance.js';

/** A resource's compliance with a policy (or a control), in Azure's words. */
export type ComplianceState = 'non-compliant' | 'compliant' | 'error' | 'exempt' | 'unknown';

/**
 * Azure's roll-up: a resource judged by several policies takes the state that ranks first
 * (Non-compliant, Compliant, Error, Exempt, Unknown). So one failing policy makes it
 * non-compliant, and one passing policy outranks policies that could not decide.
 */
const RANK: readonly ComplianceState[] = ['non-compliant', 'compliant', 'error', 'exempt', 'unknown'];

export type Counts = Record<ComplianceState, number>;

export interface PolicyCompliance {
  ruleId: string;
  referenceId?: string;
  title: string;
  state: ComplianceState | 'not-applicable';
  resources: Counts;
}

export interface ControlCompliance {
  /** The group name as the initiative writes it. */
  control: string;
  shortId: string;
  title?: string;
  category?: string;
  /** `not-applicable`: no resource in scope; `not-available-offline`: none of its policies is one Tollgate has. */
  state: ComplianceState | 'not-applicable' | 'not-available-offline';
  /** Resources by their rolled-up state across the control's policies. */
  resources: Counts;
  policies: PolicyCompliance[];
  /** Reference ids of this control's policies that Tollgate does not have. */
  unavailable: string[];
}

export interface InitiativeCompliance {
  assignment: string;
  initiative: string;
  displayName: string;
  /** Resources by their rolled-up state across every policy of the initiative. */
  resources: Counts;
  /** Percentage as Azure computes it: (compliant + exempt + unknown) / all counted; undefined with no resources. */
  percent?: number;
  controls: ControlCompliance[];
  /** Policies evaluated (with the assignment's parameters) and those not available offline. */
  evaluated: number;
  unavailable: UnavailableReference[];
  /** References that belong to no group. */
  ungrouped: PolicyCompliance[];
}

const zero = (): Counts => ({ 'non-compliant': 0, compliant: 0, error: 0, exempt: 0, unknown: 0 });

/** Compliance per assigned initiative and per control (group), from a scan's per-rule results. */
export function complianceByControl(
  results: readonly RuleResult[],
  exempted: readonly Finding[],
  assigned: readonly AssignedRule[],
  unavailable: readonly UnavailableReference[],
): InitiativeCompliance[] {
  const exemptKeys = new Set(exempted.filter((f) => f.suppression?.exemption).map((f) => key(f.ruleId, f)));
  // ruleId -> resource key -> state
  const states = new Map<string, Map<string, ComplianceState>>();
  for (const r of results) {
    const state = stateOf(r, exemptKeys);
    if (!state) continue;
    let byResource = states.get(r.ruleId);
    if (!byResource) states.set(r.ruleId, (byResource = new Map()));
    byResource.set(resourceKey(r), state);
  }
  const out: InitiativeCompliance[] = [];
  const byAssignment = new Map<string, AssignedRule[]>();
  for (const a of assigned) {
    if (!a.initiative) continue;
    const list = byAssignment.get(a.assignment.name) ?? [];
    list.push(a);
    byAssignment.set(a.assignment.name, list);
  }
  const assignmentNames = new Set([...byAssignment.keys(), ...unavailable.map((u) => u.assignment)]);
  for (const name of assignmentNames) {
    const rules = byAssignment.get(name) ?? [];
    const missing = unavailable.filter((u) => u.assignment === name);
    const initiative = rules[0]?.initiative;
    const policyOf = (a: AssignedRule): PolicyCompliance => {
      const byResource = states.get(a.rule.meta.id) ?? new Map<string, ComplianceState>();
      const resources = count(byResource.values());
      return {
        ruleId: a.rule.meta.id,
        ...(a.referenceId ? { referenceId: a.referenceId } : {}),
        title: a.rule.meta.title,
        state: worst(byResource.values()) ?? 'not-applicable',
        resources,
      };
    };
    const groupNames = new Map<string, string>();
    for (const a of rules) for (const g of a.groups) groupNames.set(g.toLowerCase(), g);
    for (const u of missing) for (const g of u.groups) groupNames.set(g.toLowerCase(), g);
    const controls: ControlCompliance[] = [...groupNames.entries()].map(([lower, control]) => {
      const members = rules.filter((a) => a.groups.some((g) => g.toLowerCase() === lower));
      const rolled = rollUp(members.map((a) => states.get(a.rule.meta.id)));
      const group = initiative?.groups.get(lower);
      const notHere = missing.filter((u) => u.groups.some((g) => g.toLowerCase() === lower)).map((u) => u.referenceId);
      return {
        control,
        shortId: shortControlId(control),
        ...(group?.displayName ? { title: group.displayName } : {}),
        ...(group?.category ? { category: group.category } : {}),
        state: members.length === 0 ? 'not-available-offline' : (worst(rolled.values()) ?? 'not-applicable'),
        resources: count(rolled.values()),
        policies: members.map(policyOf),
        unavailable: notHere,
      };
    });
    controls.sort((a, b) => a.control.localeCompare(b.control, 'en', { numeric: true }));
    const all = rollUp(rules.map((a) => states.get(a.rule.meta.id)));
    const resources = count(all.values());
    const counted = Object.values(resources).reduce((x, y) => x + y, 0);
    out.push({
      assignment: name,
      initiative: initiative?.name ?? missing[0]?.initiative ?? name,
      displayName: initiative?.displayName ?? name,
      resources,
      ...(counted ? { percent: Math.round((1000 * (resources.compliant + resources.exempt + resources.unknown)) / counted) / 10 } : {}),
      controls,
      evaluated: rules.length,
      unavailable: missing,
      ungrouped: rules.filter((a) => a.groups.length === 0).map(policyOf),
    });
  }
  return out;
}

function stateOf(r: RuleResult, exemptKeys: Set<string>): ComplianceState | undefined {
  switch (r.outcome) {
    case 'pass':
      return 'compliant';
    case 'fail':
      return exemptKeys.has(key(r.ruleId, r)) ? 'exempt' : 'non-compliant';
    case 'unknown':
      return 'unknown';
    case 'error':
      return 'error';
    default:
      return undefined; // not applicable: not counted, as in Azure
  }
}

function rollUp(maps: readonly (Map<string, ComplianceState> | undefined)[]): Map<string, ComplianceState> {
  const out = new Map<string, ComplianceState>();
  for (const m of maps) {
    for (const [resource, state] of m ?? []) {
      const before = out.get(resource);
      if (before === undefined || RANK.indexOf(state) < RANK.indexOf(before)) out.set(resource, state);
    }
  }
  return out;
}

function worst(states: Iterable<ComplianceState>): ComplianceState | undefined {
  let best: ComplianceState | undefined;
  for (const s of states) if (best === undefined || RANK.indexOf(s) < RANK.indexOf(best)) best = s;
  return best;
}

function count(states: Iterable<ComplianceState>): Counts {
  const c = zero();
  for (const s of states) c[s]++;
  return c;
}

function resourceKey(r: Pick<RuleResult, 'file' | 'parameterFile' | 'resource'>): string {
  return [r.file, r.parameterFile ?? '', r.resource.id.toLowerCase()].join('\u0000');
}

function key(ruleId: string, r: Pick<RuleResult, 'file' | 'parameterFile' | 'resource'>): string {
  return `${ruleId}\u0000${resourceKey(r)}`;
}
