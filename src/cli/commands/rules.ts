import path from 'node:path';
import type { RuleMeta } from '../../rules/rule-meta.js';
import { ConfigError, findConfig, loadConfig, type TollgateConfig } from '../../config/config.js';
import { checkRuleOptions } from '../../config/plugins.js';
import { loadRuleSet } from '../../evaluate/rule-set.js';
import { loadDefaultPolicies } from '../../policy/default-set.js';
import { appliesToType, builtInCatalog, type CatalogEntry } from '../../policy/builtin-rules.js';
import { closestNames } from '../../did-you-mean.js';
import { initiativeByName } from '../../policy/initiative-names.js';
import type { PolicyRule } from '../../policy/policy-rule.js';
import type { Rule } from '../../rules/rule.js';
import { describePolicy } from '../../policy/describe.js';
import { NATIVE_RULES } from '../../rules/index.js';
import { isDefinedRule } from '../../rules/define-rule.js';
import { EXIT } from '../exit-code.js';
import { equivalentRules } from '../../findings/equivalents.js';

export interface RulesListFlags {
  /** Every built-in definition, not only the default rule set. */
  all?: boolean;
  /** Only the definitions this initiative references (short name, guid, display name). */
  initiative?: string;
  /** Only rules of these categories (Azure Policy metadata.category; native rules: API Management). */
  category?: string[];
  /** Only rules that name this resource type, or a type under this namespace or parent type. */
  type?: string[];
  format?: 'text' | 'json';
  /** `-c FILE`: the configuration to read; `false` (`--no-config`): none; undefined: look for one from the current folder. */
  config?: string | false;
}

type Listed = { rule: Rule; category: string; problem?: undefined } | { rule?: undefined; id: string; title: string; category: string; problem: string };

/**
 * `tollgate rules`: one line per rule. By default the rule set a scan runs (native rules, the
 * API Management pack, the Microsoft cloud security benchmark); `--all` the whole built-in
 * catalog; `--initiative` one initiative's definitions; `--category` and `--type` filter either.
 */
export function runRulesList(flags: RulesListFlags = {}): number {
  let listed: Listed[];
  let configFile: string | undefined;
  if (flags.initiative !== undefined) {
    const found = initiativeByName(flags.initiative);
    if ('problem' in found) {
      process.stderr.write(`tollgate: --initiative '${flags.initiative}': not a built-in initiative (${found.problem})\n`);
      return EXIT.usage;
    }
    const names = new Set(found.initiative.references.map((r) => r.definitionName.toLowerCase()));
    listed = catalogListing().filter((l) => names.has((l.rule?.meta.id ?? (l.problem !== undefined ? l.id : '')).toLowerCase()));
  } else if (flags.all) {
    listed = [...NATIVE_RULES.map((rule) => ({ rule, category: NATIVE_CATEGORY })), ...catalogListing()];
  } else {
    const configured = configuredRules(flags.config);
    if (typeof configured === 'number') return configured;
    listed = configured.listed;
    configFile = configured.file;
  }
  const categories = (flags.category ?? []).map((c) => c.toLowerCase());
  if (categories.length) listed = listed.filter((l) => categories.includes(l.category.toLowerCase()));
  const types = flags.type ?? [];
  if (types.length) listed = listed.filter((l) => l.rule !== undefined && types.some((t) => appliesToType(l.rule!.meta.appliesTo, t)));
  if (flags.format === 'json') {
    const rows = listed.map((l) =>
      l.rule
        ? {
            id: l.rule.meta.id,
            title: l.rule.meta.title,
            kind: l.rule.meta.kind,
            category: l.category,
            level: l.rule.meta.level,
            ...(l.rule.meta.effect ? { effect: l.rule.meta.effect } : {}),
            runs: l.rule.enabled,
            ...(notRunReason(l.rule) ? { notRun: notRunReason(l.rule) } : {}),
            appliesTo: l.rule.meta.appliesTo,
          }
        : { id: l.id, title: l.title, kind: 'policy', category: l.category, runs: false, notRun: l.problem },
    );
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return EXIT.ok;
  }
  const idWidth = Math.max(0, ...listed.map((l) => (l.rule?.meta.id ?? (l.problem !== undefined ? l.id : '')).length));
  const lines = listed.map((l) => {
    if (!l.rule) return `${l.id.padEnd(idWidth)}  ${'-'.padEnd(7)}  ${l.title}  [policy, cannot be loaded: ${l.problem}]`;
    const r = l.rule;
    const how =
      r.meta.kind === 'policy'
        ? `policy, effect ${r.meta.effect ?? '?'}${r.enabled ? '' : notRun(r)}`
        : `native, ${r.meta.severity}${r.enabled ? '' : ', off by default'}`;
    return `${r.meta.id.padEnd(idWidth)}  ${r.meta.level.padEnd(7)}  ${r.meta.title}  [${how}]`;
  });
  const scope =
    flags.initiative !== undefined
      ? `of initiative ${flags.initiative}`
      : flags.all
        ? 'in the catalog'
        : `in the ${configFile === undefined ? 'default rule set' : `rule set of ${configFile}`} (tollgate rules --all: the whole built-in catalog)`;
  process.stdout.write(`${lines.length ? `${lines.join('\n')}\n\n` : ''}${listed.length} rules ${scope}. Details: tollgate rules show <id>\n`);
  return EXIT.ok;
}

const NATIVE_CATEGORY = 'API Management';

/**
 * The rules a scan with the same configuration runs, as scan builds them (`rules.default`, and
 * each rule's effect, parameters, enabled and level): native rules first, then the policies.
 * An exit code when the configuration cannot be read or names what does not exist.
 */
function configuredRules(explicit: string | false | undefined): { listed: Listed[]; file?: string } | number {
  const cwd = process.cwd();
  let config: TollgateConfig = {};
  const file = explicit === false ? undefined : typeof explicit === 'string' ? path.resolve(cwd, explicit) : findConfig(cwd);
  if (file !== undefined) {
    try {
      config = loadConfig(file, path.relative(cwd, file) || file);
      checkRuleOptions(config, NATIVE_RULES);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      process.stderr.write(`tollgate: ${err.message}\n`);
      return EXIT.usage;
    }
  }
  const effects = Object.create(null) as Record<string, string>;
  for (const [id, settings] of Object.entries(config.rules ?? {})) if (settings.effect) effects[id] = settings.effect;
  const ruleSet = loadRuleSet(effects, config.rules ?? {}, config.defaultRules ? { defaults: config.defaultRules } : {});
  if (ruleSet.effectErrors.length) {
    for (const e of ruleSet.effectErrors) process.stderr.write(`tollgate: ${e}\n`);
    return EXIT.usage;
  }
  for (const d of ruleSet.diagnostics) if (d.configKey?.[0] === 'rules') process.stderr.write(`tollgate: ${d.severity}: ${d.message}\n`);
  const isPolicy = (r: Rule) => r.meta.kind === 'policy';
  const listed = [
    ...ruleSet.rules.filter((r) => !isPolicy(r)).map((rule) => ({ rule, category: NATIVE_CATEGORY })),
    ...ruleSet.rules.filter(isPolicy).map((rule) => ({ rule, category: (rule as Partial<PolicyRule>).definition?.category ?? '' })),
  ];
  return { listed, ...(file !== undefined ? { file: path.relative(cwd, file) || file } : {}) };
}

/** Every built-in definition as a listing row. */
function catalogListing(): Listed[] {
  return builtInCatalog().map((e) =>
    e.rule
      ? { rule: e.rule as Rule, category: e.definition?.category ?? '' }
      : { id: e.record.name, title: e.definition?.displayName ?? e.record.path, category: e.definition?.category ?? '', problem: e.problem ?? 'unknown' },
  );
}

/** Why a rule does not run, for the JSON listing; undefined when it runs. */
function notRunReason(rule: Rule): string | undefined {
  if (rule.enabled) return undefined;
  const p = rule as Partial<PolicyRule>;
  if (p.notForTemplates) return `not applicable to deployment templates: ${p.notForTemplates}`;
  if (p.unsetParameters?.length) return `needs parameters: ${p.unsetParameters.join(', ')}`;
  return rule.meta.kind === 'policy' ? `effect ${rule.meta.effect ?? 'Disabled'}` : 'off by default';
}

/** ` (not run)`, with the reason when the definition cannot apply to a template at all. */
export function notRun(rule: object): string {
  const reason = 'notForTemplates' in rule && typeof rule.notForTemplates === 'string' ? rule.notForTemplates : undefined;
  return reason ? ` (not run: not applicable to deployment templates: ${reason})` : ' (not run)';
}

/** `tollgate rules show <id>`: by rule id, policy guid, policy display name, or another tool's id. */
export function runRulesShow(query: string): number {
  const { rules } = loadDefaultPolicies({});
  const all: Rule[] = [...NATIVE_RULES, ...rules];
  const q = query.toLowerCase();
  // An exact id or title first; another tool's id names the native rule that implements that check
  // before a policy that merely overlaps with it (both list it as an equivalent). Then the rest of
  // the built-in catalog, read only when the default set does not have it.
  const exact = (r: Rule) => r.meta.id.toLowerCase() === q || r.meta.title.toLowerCase() === q;
  let found = all.find(exact) ?? all.find((r) => r.meta.equivalents.some((e) => e.id.toLowerCase() === q || e.ref?.toLowerCase() === q));
  if (!found) {
    const catalog = builtInCatalog();
    let entry = catalog.find((e) => e.record.name.toLowerCase() === q || e.definition?.displayName.toLowerCase() === q);
    if (!entry) {
      // The start of an id (`db4a9d17`, a guid's first block), when only one id starts so.
      const ids = idsStartingWith(q, all, catalog);
      if (ids.length > 1) {
        process.stderr.write(
          `tollgate: '${query}' is the start of ${ids.length} rule ids (${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''}): give more of it\n`,
        );
        return EXIT.usage;
      }
      found = all.find((r) => r.meta.id === ids[0]);
      if (!found && ids[0] !== undefined) entry = catalog.find((e) => e.record.name === ids[0]);
    }
    if (entry && !entry.rule) {
      process.stderr.write(`tollgate: built-in definition ${entry.record.name} (${entry.record.shown}) cannot be loaded: ${entry.problem ?? 'unknown'}\n`);
      return EXIT.inputErrors;
    }
    if (entry?.rule) {
      found = entry.rule;
      rules.push(entry.rule);
    }
  }
  if (!found) {
    process.stderr.write(`tollgate: no rule '${query}'${suggestion(query, all)}; see tollgate rules, tollgate rules --all\n`);
    return EXIT.usage;
  }
  const policy = rules.find((r) => r === found);
  const text = policy ? describePolicy(policy.definition, policy) : describeNative(found.meta, isDefinedRule(found) ? found.definition.fix : undefined);
  process.stdout.write(
    `${text}${describeOverlap(
      found.meta,
      all.filter((r) => r !== found).map((r) => r.meta),
    )}\n`,
  );
  return EXIT.ok;
}

/** Shortest id start taken for a whole id (`db4a9d17`, a guid's first block, is the usual short form). */
const MIN_PREFIX = 4;

/** The ids of the default set and the catalog that start with `q` (case-insensitive), when `q` is long enough to be meant as an id. */
function idsStartingWith(q: string, rules: readonly Rule[], catalog: readonly CatalogEntry[]): string[] {
  if (q.length < MIN_PREFIX) return [];
  return [...new Set([...rules.map((r) => r.meta.id), ...catalog.map((e) => e.record.name)].filter((id) => id.toLowerCase().startsWith(q)))];
}

/** ` (did you mean …?)` over the ids and titles of the default set and the catalog, or ''. */
function suggestion(query: string, rules: readonly Rule[]): string {
  const catalog = builtInCatalog();
  const byName = new Map<string, string>();
  for (const r of rules) byName.set(r.meta.title, r.meta.id);
  for (const e of catalog) if (e.definition) byName.set(e.definition.displayName, e.record.name);
  const ids = [...rules.map((r) => r.meta.id), ...catalog.map((e) => e.record.name)];
  const close = closestNames(query, [...ids, ...byName.keys()]);
  if (!close.length) return '';
  const shown = [...new Set(close.map((name) => (byName.has(name) ? `${byName.get(name)} (${name})` : name)))];
  return ` (did you mean ${shown.length > 1 ? `${shown.slice(0, -1).join(', ')} or ${shown[shown.length - 1]}` : shown[0]}?)`;
}

/** The rules of the catalog that check the same thing: by default one finding is reported for them. */
function describeOverlap(meta: RuleMeta, others: readonly RuleMeta[]): string {
  const same = others.filter((o) => equivalentRules(meta, o));
  if (!same.length) return '';
  return [
    '',
    '',
    'Same check as (when they fail on the same property, one finding names both; --rules all reports each)',
    ...same.map((o) => `  ${o.id}  ${o.title}`),
  ].join('\n');
}

function describeNative(m: RuleMeta, fix: string | undefined): string {
  const lines = [
    `${m.title}`,
    '',
    `Id           ${m.id}`,
    `Kind         native rule`,
    `Severity     ${m.severity} (level ${m.level})`,
    ...(m.pillar ? [`Pillar       ${m.pillar}`] : []),
    `Applies to   ${m.appliesTo.join(', ')}`,
    ...(m.equivalents.length ? [`Equivalents  ${m.equivalents.map((e) => `${e.tool} ${e.id}${e.ref ? ` (${e.ref})` : ''}`).join('; ')}`] : []),
    '',
    'Description',
    `  ${m.description}`,
    '',
    'Recommendation',
    `  ${m.recommendation}`,
    '',
    'Safe fix (tollgate fix)',
    `  ${fix ?? 'none'}`,
    ...(m.helpUri ? ['', `More: ${m.helpUri}`] : []),
  ];
  return lines.join('\n');
}
