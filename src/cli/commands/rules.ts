import type { RuleMeta } from '../../rules/rule-meta.js';
import { loadBuiltInPolicies } from '../../policy/catalog.js';
import { describePolicy } from '../../policy/describe.js';
import { NATIVE_RULES } from '../../rules/index.js';
import { EXIT } from '../exit-code.js';
import { equivalentRules } from '../../findings/equivalents.js';

/** `tollgate rules`: one line per rule, native rules and built-in policies alike. */
export function runRulesList(): number {
  const { rules } = loadBuiltInPolicies({});
  const all = [...NATIVE_RULES, ...rules];
  const idWidth = Math.max(...all.map((r) => r.meta.id.length));
  const lines = all.map((r) => {
    const how = r.meta.kind === 'policy' ? `policy, effect ${r.meta.effect ?? '?'}${r.enabled ? '' : notRun(r)}` : `native, ${r.meta.severity}${r.enabled ? '' : ', off by default'}`;
    return `${r.meta.id.padEnd(idWidth)}  ${r.meta.level.padEnd(7)}  ${r.meta.title}  [${how}]`;
  });
  process.stdout.write(`${lines.join('\n')}\n\n${all.length} rules. Details: tollgate rules show <id>\n`);
  return EXIT.ok;
}

/** ` (not run)`, with the reason when the definition cannot apply to a template at all. */
export function notRun(rule: object): string {
  const reason = 'notForTemplates' in rule && typeof rule.notForTemplates === 'string' ? rule.notForTemplates : undefined;
  return reason ? ` (not run: not applicable to deployment templates: ${reason})` : ' (not run)';
}

/** `tollgate rules show <id>`: by rule id, policy guid, policy display name, or another tool's id. */
export function runRulesShow(query: string): number {
  const { rules } = loadBuiltInPolicies({});
  const all = [...NATIVE_RULES, ...rules];
  const q = query.toLowerCase();
  // An exact id or title first; another tool's id names the native rule that implements that check
  // before a policy that merely overlaps with it (both list it as an equivalent).
  const found =
    all.find((r) => r.meta.id.toLowerCase() === q || r.meta.title.toLowerCase() === q) ??
    all.find((r) => r.meta.equivalents.some((e) => e.id.toLowerCase() === q || e.ref?.toLowerCase() === q));
  if (!found) {
    process.stderr.write(`tollgate: no rule '${query}' (see tollgate rules)\n`);
    return EXIT.usage;
  }
  const policy = rules.find((r) => r === found);
  const text = policy ? describePolicy(policy.definition, policy) : describeNative(found.meta);
  process.stdout.write(`${text}${describeOverlap(found.meta, all.filter((r) => r !== found).map((r) => r.meta))}\n`);
  return EXIT.ok;
}

/** The rules of the catalog that check the same thing: by default one finding is reported for them. */
function describeOverlap(meta: RuleMeta, others: readonly RuleMeta[]): string {
  const same = others.filter((o) => equivalentRules(meta, o));
  if (!same.length) return '';
  return ['', '', 'Same check as (when they fail on the same property, one finding names both; --rules all reports each)', ...same.map((o) => `  ${o.id}  ${o.title}`)].join('\n');
}

function describeNative(m: RuleMeta): string {
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
    ...(m.helpUri ? ['', `More: ${m.helpUri}`] : []),
  ];
  return lines.join('\n');
}
