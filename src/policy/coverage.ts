import { getProperty, type Value } from '../resources/value.js';
import { initiativeParameters, resolveValue } from './assign.js';
import { builtInDefinition, pickBuiltInVersion } from './builtin-catalog.js';
import { builtInCatalog } from './builtin-rules.js';
import { isExistenceEffect } from './effects.js';
import type { Initiative } from './initiative.js';
import { deferredPolicyRule, type PolicyRule } from './policy-rule.js';
import { loadDefaultPolicies } from './default-set.js';

/**
 * How far a definition can be decided before deployment, from a template:
 * - `fully`: from what the template declares (a value the template itself only knows at
 *   deployment, such as a `reference()`, still leaves that one resource undecided);
 * - `runtime`: only with data Azure holds at deployment (a related resource that may exist
 *   outside the deployment, the caller's identity, the assignment's id), so often undecided;
 * - `not-applicable`: never on a template's resources (Resource Provider modes, denyAction, manual);
 * - `not-evaluable`: Tollgate cannot evaluate it (an alias missing from its table, a definition
 *   or version it cannot load or compile).
 */
export type Decidability = 'fully' | 'runtime' | 'not-applicable' | 'not-evaluable';

export const DECIDABILITY_LABELS: Readonly<Record<Decidability, string>> = {
  fully: 'decidable before deployment',
  runtime: 'only with runtime data',
  'not-applicable': 'not applicable to templates',
  'not-evaluable': 'not evaluable by Tollgate',
};

export interface CoverageRow {
  id: string;
  title: string;
  category: string;
  /** The effect classified (the default, or what the initiative sets). */
  effect: string;
  decidability: Decidability;
  /** Why, for every class but `fully`. */
  reason?: string;
  /** The reason in a few words, for tables. */
  short?: string;
  /** Parameters with no default and no value: the definition runs only once they are given. */
  needs?: string[];
  /** For an initiative: the reference. */
  referenceId?: string;
}

export interface Coverage {
  rows: CoverageRow[];
  counts: Record<Decidability, number>;
}

/** Functions whose value Azure knows only when a request arrives. */
const RUNTIME_FUNCTIONS = /requestContext\(\)\.identity|policy\(\)\.assignmentId/i;

/** The decidability of one rule (compiling it, so its aliases are known). */
export function classify(rule: PolicyRule): Pick<CoverageRow, 'decidability' | 'reason' | 'short'> {
  if (rule.notForTemplates) {
    const mode = /^mode (\S+)/.exec(rule.notForTemplates)?.[1];
    return { decidability: 'not-applicable', reason: rule.notForTemplates, short: mode ? `mode ${mode}` : `effect ${rule.effect}` };
  }
  let compiled: PolicyRule['compiled'];
  try {
    compiled = rule.compiled;
  } catch (err) {
    return { decidability: 'not-evaluable', reason: `cannot compile: ${(err as Error).message}`, short: 'does not compile' };
  }
  const fields = [...compiled.condition.fields(), ...(compiled.then.existenceCondition?.fields() ?? [])];
  const missing = [...new Set(fields.filter((f) => f.unknownAlias).map((f) => f.field))];
  if (missing.length)
    return {
      decidability: 'not-evaluable',
      reason: `alias${missing.length > 1 ? 'es' : ''} not in Tollgate's table: ${missing.join(', ')}`,
      short: 'unknown alias',
    };
  const written = JSON.stringify(rule.definition.if);
  const runtime = RUNTIME_FUNCTIONS.exec(written);
  if (runtime) return { decidability: 'runtime', reason: `reads ${runtime[0]}, known only when the request arrives`, short: runtime[0] };
  if (isExistenceEffect(rule.effect)) {
    const details = getProperty(rule.definition.then, 'details');
    const type = getProperty(details, 'type');
    return {
      decidability: 'runtime',
      reason: `${rule.effect}: decided when the deployment declares the related ${typeof type === 'string' ? type : 'resource'}; otherwise it may exist in Azure (undecided)`,
      short: `related ${typeof type === 'string' ? type : 'resource'}`,
    };
  }
  return { decidability: 'fully' };
}

function countRows(rows: CoverageRow[]): Coverage {
  const counts: Record<Decidability, number> = { fully: 0, runtime: 0, 'not-applicable': 0, 'not-evaluable': 0 };
  for (const r of rows) counts[r.decidability]++;
  return { rows, counts };
}

function rowOf(rule: PolicyRule, referenceId?: string): CoverageRow {
  return {
    id: rule.meta.id,
    title: rule.meta.title,
    category: rule.definition.category ?? '',
    effect: rule.effect,
    ...classify(rule),
    ...(rule.unsetParameters.length ? { needs: [...rule.unsetParameters] } : {}),
    ...(referenceId ? { referenceId } : {}),
  };
}

/** Every built-in definition at its default effect, in upstream path order. */
export function catalogCoverage(): Coverage {
  return countRows(
    builtInCatalog().map((e) =>
      e.rule
        ? rowOf(e.rule)
        : {
            id: e.record.name,
            title: e.definition?.displayName ?? e.record.path,
            category: e.definition?.category ?? '',
            effect: '',
            decidability: 'not-evaluable' as const,
            reason: `cannot load: ${e.problem ?? 'unknown'}`,
          },
    ),
  );
}

/** Each reference of an initiative, at the effect and parameter values the initiative gives it by default. */
export function initiativeCoverage(initiative: Initiative): Coverage {
  const setValues = initiativeParameters(initiative.parameters, {}, []);
  const rows = initiative.references.map((ref): CoverageRow => {
    const base = { id: ref.definitionName, title: ref.definitionName, category: '', effect: '', referenceId: ref.referenceId };
    let definition;
    try {
      definition = builtInDefinition(ref.definitionName);
    } catch (err) {
      return { ...base, decidability: 'not-evaluable', reason: `cannot load: ${(err as Error).message}` };
    }
    if (!definition) return { ...base, decidability: 'not-evaluable', reason: 'Tollgate does not have the definition (not a public-cloud built-in)' };
    const named = { ...base, title: definition.displayName, category: definition.category ?? '' };
    const { picked, problem } = pickBuiltInVersion(definition, ref.definitionVersion);
    if (!picked) return { ...named, decidability: 'not-evaluable', reason: problem ?? 'no such version' };
    let rule: PolicyRule;
    try {
      const values: Record<string, Value> = {};
      for (const [name, raw] of Object.entries(ref.parameters)) values[name] = resolveValue(raw, setValues);
      rule = deferredPolicyRule(picked, { parameters: values, source: picked.file });
    } catch (err) {
      return { ...named, decidability: 'not-evaluable', reason: `cannot compile with the initiative's values: ${(err as Error).message}` };
    }
    return rowOf(rule, ref.referenceId);
  });
  return countRows(rows);
}

/** The default rule set's policies (the API Management pack, MCSB and its additions), and the references it cannot run. */
export function defaultSetCoverage(): Coverage {
  const set = loadDefaultPolicies({});
  const rows = set.rules.map((r) => rowOf(r));
  for (const s of set.skipped) {
    const name = s.definitionId.split('/').pop()!;
    let title = name;
    let category = '';
    try {
      const d = builtInDefinition(name);
      if (d) ({ displayName: title, category = '' } = d);
    } catch {
      // the reason says it cannot be read
    }
    rows.push({ id: name, title, category, effect: '', decidability: 'not-evaluable', reason: s.reason, referenceId: s.referenceId });
  }
  return countRows(rows);
}
