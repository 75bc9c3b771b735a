import { closestNames } from '../did-you-mean.js';
import type { Rule } from './rule.js';

/** What a rule id on the command line names: the rules, or why none (with the closest names), to follow the query in a message. */
export type RuleQuery = { rules: Rule[] } | { problem: string };

/** Shortest id prefix taken for a whole id: a guid's first block (8) is the usual short form; 4 already narrows 3,600 guids to a few. */
const MIN_PREFIX = 4;

/**
 * The rules `query` names, compared without case: a rule id or policy guid, a display name, or
 * another tool's id (`Azure.APIM.HTTPBackend`, which may name several rules: the native rule and
 * the policies that check the same); else the one rule whose id starts with it (`db4a9d17`).
 * Several ids sharing the prefix, or nothing close, is a problem that lists the candidates.
 */
export function queryRules(query: string, rules: readonly Rule[]): RuleQuery {
  const q = query.trim().toLowerCase();
  const exact = rules.filter(
    (r) =>
      r.meta.id.toLowerCase() === q ||
      r.meta.title.toLowerCase() === q ||
      r.meta.equivalents.some((e) => e.id.toLowerCase() === q || e.ref?.toLowerCase() === q),
  );
  if (exact.length) return { rules: exact };
  const prefixed = q.length >= MIN_PREFIX ? rules.filter((r) => r.meta.id.toLowerCase().startsWith(q)) : [];
  if (prefixed.length === 1) return { rules: prefixed };
  if (prefixed.length > 1) {
    const shown = prefixed.slice(0, 5).map((r) => r.meta.id);
    return { problem: `is the start of ${prefixed.length} rule ids (${shown.join(', ')}${prefixed.length > 5 ? ', …' : ''}): give more of it` };
  }
  const close = suggestRules(query, rules);
  return { problem: `names no rule${close ? `; did you mean ${close}?` : ''}` };
}

/** The closest rule ids (a title with its id), as `a, b or c`; '' when nothing is close. */
export function suggestRules(query: string, rules: readonly Rule[]): string {
  const close = closestNames(query, [...rules.map((r) => r.meta.id), ...rules.map((r) => r.meta.title)]);
  if (!close.length) return '';
  // A title is shown with its id: the id is what to type.
  const shown = close.map((name) => {
    const rule = rules.find((r) => r.meta.id === name) ?? rules.find((r) => r.meta.title === name);
    return rule && rule.meta.id !== name ? `${rule.meta.id} (${name})` : name;
  });
  return shown.length > 1 ? `${shown.slice(0, -1).join(', ')} or ${shown[shown.length - 1]}` : shown[0]!;
}

/** A policy's reasons not to run at all, read without importing the policy engine's types. */
interface CannotRun {
  unsetParameters?: readonly string[];
  notForTemplates?: string;
}

/**
 * `--rule` / `--skip-rule`: with `only`, just the rules named there run (one that is off by
 * default, or turned off in the configuration, is turned on: it was asked for by name, unless it
 * cannot run: a policy needing parameters, not for templates, or with effect Disabled); the rules
 * named in `skip` do not run. Rules are wrapped, never mutated. `deselected`: the ids of rules that
 * would have run and do not, for the coverage. A query naming no rule is an error.
 */
export function selectRules(
  rules: readonly Rule[],
  only: readonly string[],
  skip: readonly string[],
): { rules: Rule[]; deselected: string[]; errors: string[] } {
  const errors: string[] = [];
  const resolve = (flag: string, queries: readonly string[]): Set<Rule> => {
    const out = new Set<Rule>();
    for (const q of queries) {
      const found = queryRules(q, rules);
      if ('problem' in found) errors.push(`${flag} '${q}' ${found.problem} (see: tollgate rules)`);
      else for (const r of found.rules) out.add(r);
    }
    return out;
  };
  const selected = resolve('--rule', only);
  const skipped = resolve('--skip-rule', skip);
  const deselected: string[] = [];
  const out = rules.map((r) => {
    const wanted = (!only.length || selected.has(r)) && !skipped.has(r);
    if (!wanted) {
      if (!r.enabled) return r;
      deselected.push(r.meta.id);
      return Object.assign(Object.create(r) as Rule, { enabled: false });
    }
    const facts = r as Rule & CannotRun;
    const canRun = !facts.notForTemplates && !facts.unsetParameters?.length && r.meta.effect?.toLowerCase() !== 'disabled';
    if (!r.enabled && selected.has(r) && canRun) return Object.assign(Object.create(r) as Rule, { enabled: true });
    return r;
  });
  return { rules: out, deselected, errors };
}
