import type { Diagnostic } from '../load/diagnostic.js';
import type { Value } from '../resources/value.js';
import { initiativeParameters, resolveValue } from './assign.js';
import { builtInDefinition, pickBuiltInVersion } from './builtin-catalog.js';
import { loadBuiltInPolicies, namedEntry, type CatalogOptions, type DefaultCatalog } from './catalog.js';
import type { PolicyDefinition } from './definition.js';
import { PolicyEffectError } from './errors.js';
import { initiativeByName } from './initiative-names.js';
import type { Initiative } from './initiative.js';
import { createPolicyRule, deferredPolicyRule, type PolicyRule } from './policy-rule.js';
import { preparedDefaultPolicies } from './prepared-set.js';

/**
 * The default rule set's policies: Tollgate's API Management pack (catalog/policies/, with its
 * sidecars) and the built-in definitions of the Microsoft cloud security benchmark, the
 * initiative Defender for Cloud assigns to every subscription, at the effects and parameter
 * values the initiative gives them by default. Configuration `rules.default` narrows it to the
 * pack (`apim`) or names other initiatives to add (their definitions at their defaults).
 */
export const DEFAULT_INITIATIVES: readonly string[] = ['mcsb'];

/**
 * Built-in definitions the default set adds to the benchmark, at their own defaults, each with
 * why. MCSB v1 checks data in transit for storage accounts only through secure transfer; its
 * successor MCSB v2 (e3ec7e09, in preview) and CIS Azure Foundations add the minimum TLS version
 * (control DP-3), which a template sets and Azure enforces per request.
 */
export const DEFAULT_ADDITIONS: readonly { name: string; why: string }[] = [
  { name: 'fe83a0eb-a853-422d-aac2-1bffd182c5d0', why: 'storage accounts: minimum TLS version (MCSB v2 DP-3, CIS Azure Foundations)' },
];

/** `rules.default: apim`: the API Management pack alone, as before the benchmark joined the default. */
export const PACK_ONLY = 'apim';

export interface DefaultSetOptions extends CatalogOptions {
  /** Initiatives (short name, guid, display name) whose definitions join the pack; `apim` = none. Default: DEFAULT_INITIATIVES. */
  sets?: readonly string[];
}

/**
 * The policies of the default rule set: the API Management pack plus the definitions of the chosen
 * initiatives. Without options (no configuration) they come from the catalog prepared at build
 * time when there is one that matches the shipped files (prepared-set.ts), as the same rules.
 */
export function loadDefaultPolicies(options: DefaultSetOptions = {}): DefaultCatalog {
  return (isPlainDefault(options) && preparedDefaultPolicies()) || computeDefaultPolicies(options);
}

/** No effect overrides, no parameter values, the default initiatives: the set a scan without configuration loads. */
function isPlainDefault(options: DefaultSetOptions): boolean {
  const sets = options.sets ?? DEFAULT_INITIATIVES;
  return (
    Object.keys(options.effects ?? {}).length === 0 &&
    Object.keys(options.parameters ?? {}).length === 0 &&
    sets.length === DEFAULT_INITIATIVES.length &&
    sets.every((s, i) => s === DEFAULT_INITIATIVES[i])
  );
}

/** loadDefaultPolicies from the shipped files, never the prepared catalog (which is made from this). */
export function computeDefaultPolicies(options: DefaultSetOptions = {}): DefaultCatalog {
  const pack = loadBuiltInPolicies(options);
  const out: DefaultCatalog = { ...pack, initiatives: [], skipped: [] };
  const sets = (options.sets ?? DEFAULT_INITIATIVES).filter((s) => s.trim().toLowerCase() !== PACK_ONLY);
  if (!sets.length) return out;
  const have = new Set(pack.definitions.map((d) => d.name.toLowerCase()));
  // Effect overrides the pack did not use may name a definition of the initiatives.
  const pending = new Set(pack.unmatchedEffects);
  const effects = Object.entries(options.effects ?? {}).filter(([k]) => pending.has(k));
  for (const set of sets) {
    const found = initiativeByName(set);
    if ('problem' in found) {
      out.diagnostics.push({ severity: 'error', code: 'rule-default', message: `rules.default '${set}' is not a built-in initiative (${found.problem})` });
      continue;
    }
    out.initiatives.push(found.initiative);
    addInitiative(out, found.initiative, have, effects, pending, options.parameters);
    if (found.initiative.name.toLowerCase() === MCSB) addInitiative(out, additions(), have, effects, pending, options.parameters);
  }
  out.unmatchedEffects = pack.unmatchedEffects.filter((k) => pending.has(k));
  return out;
}

const MCSB = '1f3afdf9-d0c9-4c3d-847f-89da613e70a8';

/** DEFAULT_ADDITIONS as the references of an initiative without parameters: each definition at its own defaults, latest version. */
function additions(): Initiative {
  return {
    name: 'tollgate-default-additions',
    displayName: 'Tollgate: additions to the Microsoft cloud security benchmark',
    description: DEFAULT_ADDITIONS.map((a) => a.why).join('; '),
    parameters: [],
    groups: new Map(),
    references: DEFAULT_ADDITIONS.map((a) => ({
      referenceId: a.name,
      definitionId: `/providers/Microsoft.Authorization/policyDefinitions/${a.name}`,
      definitionName: a.name,
      parameters: {},
      groupNames: [],
    })),
  };
}

/** Each reference of `initiative` not already in the set, as Azure assigns it with the initiative's default parameter values. */
function addInitiative(
  out: DefaultCatalog,
  initiative: Initiative,
  have: Set<string>,
  effects: [string, string][],
  pending: Set<string>,
  parameters: CatalogOptions['parameters'],
): void {
  const problems: string[] = [];
  const setValues = initiativeParameters(initiative.parameters, {}, problems);
  const skip = (ref: Initiative['references'][number], reason: string) =>
    out.skipped.push({ initiative: initiative.name, referenceId: ref.referenceId, definitionId: ref.definitionId, reason });
  for (const ref of initiative.references) {
    const key = ref.definitionName.toLowerCase();
    if (have.has(key)) continue;
    let definition: PolicyDefinition | undefined;
    try {
      definition = builtInDefinition(ref.definitionName);
    } catch (err) {
      skip(ref, `the shipped definition cannot be read: ${(err as Error).message}`);
      continue;
    }
    if (!definition) {
      skip(ref, 'Tollgate does not have the definition (not a public-cloud built-in)');
      continue;
    }
    const { picked, problem } = pickBuiltInVersion(definition, ref.definitionVersion);
    if (!picked) {
      skip(ref, problem ?? 'no such version');
      continue;
    }
    const values: Record<string, Value> = {};
    try {
      for (const [name, raw] of Object.entries(ref.parameters)) values[name] = resolveValue(raw, setValues);
    } catch (err) {
      skip(ref, `a parameter cannot be resolved: ${(err as Error).message}`);
      continue;
    }
    const given = namedEntry(parameters, definition)?.[1];
    const override = effects.find(([k]) => k.toLowerCase() === definition.name.toLowerCase() || k.toLowerCase() === definition.displayName.toLowerCase());
    if (override) pending.delete(override[0]);
    const ruleParameters = { ...values, ...(given as Record<string, Value> | undefined) };
    const rule = buildRule(picked, ruleParameters, override, out);
    if (typeof rule === 'string') {
      skip(ref, rule);
      continue;
    }
    have.add(key);
    out.rules.push(rule);
    out.made?.push(override ? undefined : { definition: picked, options: { parameters: ruleParameters, source: picked.file } });
    out.definitions.push(picked);
  }
  for (const p of problems)
    out.diagnostics.push({ severity: 'warning', code: 'rule-default', message: `initiative ${initiative.displayName}: ${p}` } satisfies Diagnostic);
}

function buildRule(
  definition: PolicyDefinition,
  parameters: Record<string, Value>,
  override: [string, string] | undefined,
  out: DefaultCatalog,
): PolicyRule | string {
  const source = definition.file;
  try {
    try {
      // Without an override the rule compiles when it first meets a resource of its types.
      return override ? createPolicyRule(definition, { parameters, source, effect: override[1] }) : deferredPolicyRule(definition, { parameters, source });
    } catch (err) {
      if (!(override && err instanceof PolicyEffectError)) throw err;
      out.rejectedEffects.push({ key: override[0], reason: `${definition.name}: ${err.message}` });
      return createPolicyRule(definition, { parameters, source });
    }
  } catch (err) {
    return `cannot compile: ${(err as Error).message}`;
  }
}
