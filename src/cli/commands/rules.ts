import type { RuleMeta } from '../../findings/finding.js';
import { loadBuiltInPolicies } from '../../policy/catalog.js';
import { describePolicy } from '../../policy/describe.js';
import { NATIVE_RULES } from '../../rules/index.js';
import { EXIT } from '../exit-code.js';

/** `tollgate rules`: one line per rule, native rules and built-in policies alike. */
export function runRulesList(): number {
  const { rules } = loadBuiltInPolicies({});
  const all = [...NATIVE_RULES, ...rules];
  const idWidth = Math.max(...all.map((r) => r.meta.id.length));
  const lines = all.map((r) => {
    const how = r.meta.kind === 'policy' ? `policy, effect ${r.meta.effect ?? '?'}${r.enabled ? '' : ' (not run)'}` : `native, ${r.meta.severity}${r.enabled ? '' : ', off by default'}`;
    return `${r.meta.id.padEnd(idWidth)}  ${r.meta.level.padEnd(7)}  ${r.meta.title}  [${how}]`;
  });
  process.stdout.write(`${lines.join('\n')}\n\n${all.length} rules. Details: tollgate rules show <id>\n`);
  return EXIT.ok;
}

/** `tollgate rules show <id>`: by rule id, policy guid, policy display name, or another tool's id. */
export function runRulesShow(query: string): number {
  const { rules } = loadBuiltInPolicies({});
  const q = query.toLowerCase();
  const matches = (m: RuleMeta) => m.id.toLowerCase() === q || m.title.toLowerCase() === q || m.equivalents.some((e) => e.id.toLowerCase() === q);
  const policy = rules.find((r) => matches(r.meta));
  if (policy) {
    process.stdout.write(describePolicy(policy.definition, policy) + '\n');
    return EXIT.ok;
  }
  const native = NATIVE_RULES.find((r) => matches(r.meta));
  if (native) {
    process.stdout.write(describeNative(native.meta) + '\n');
    return EXIT.ok;
  }
  process.stderr.write(`tollgate: no rule '${query}' (see tollgate rules)\n`);
  return EXIT.usage;
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
