import { resolveAlias } from './aliases.js';
import { controlsFor } from './compliance.js';
import { compileCondition } from './condition.js';
import type { PolicyDefinition } from './definition.js';
import type { PolicyRule } from './policy-rule.js';

/** What `tollgate rules show` prints for an Azure Policy definition: everything a reviewer asks. */
export function describePolicy(definition: PolicyDefinition, rule?: PolicyRule): string {
  const effectParam = /^\[\s*parameters\(\s*'([^']+)'\s*\)\s*\]$/i.exec(String(definition.effect))?.[1];
  const param = effectParam ? definition.parameters.find((p) => p.name.toLowerCase() === effectParam.toLowerCase()) : undefined;
  const defaultEffect = param ? String(param.defaultValue ?? '(none)') : String(definition.effect);
  const allowed = param?.allowedValues?.map(String).join(', ') ?? defaultEffect;
  const fields = [...new Set(compileCondition(definition.if).fields())];
  const aliases = fields.map((f) => ({ field: f, alias: resolveAlias(f) })).filter((x) => x.alias);
  const controls = controlsFor(definition.name);
  const lines = [
    definition.displayName,
    '',
    `Id              ${definition.name}`,
    `Kind            Azure Policy definition${definition.policyType ? ` (${definition.policyType})` : ''}`,
    `Version         ${definition.version ?? '(none)'}`,
    `Category        ${definition.category ?? '(none)'}`,
    `Mode            ${definition.mode}`,
    `Default effect  ${defaultEffect}`,
    `Allowed effects ${allowed}`,
    ...(rule ? [`Effect in force ${rule.effect}${rule.enabled ? '' : ' (not run)'} -> level ${rule.meta.level}`, `Severity        ${rule.meta.severity}`] : []),
    ...(rule?.meta.appliesTo.length ? [`Applies to      ${rule.meta.appliesTo.join(', ')}`] : []),
    '',
    'Description',
    `  ${definition.description}`,
    '',
    'Aliases',
    ...(aliases.length ? aliases.map((a) => `  ${a.alias!.name}\n    -> ${a.alias!.defaultPath}`) : ['  (none)']),
    '',
    'Remediation',
    `  ${rule?.meta.recommendation ?? definition.description}`,
    '',
    'Compliance controls',
    ...(controls.length ? controls.map((c) => `  ${c.initiative}: ${c.shortId} (${c.control})${c.category ? ` - ${c.category}` : ''}`) : ['  (none in the shipped initiatives)']),
  ];
  const others = rule?.meta.equivalents.filter((e) => e.tool !== 'azure-policy') ?? [];
  if (others.length) lines.push('', 'Equivalents', ...others.map((e) => `  ${e.tool} ${e.id}`));
  if (rule?.meta.helpUri) lines.push('', `More: ${rule.meta.helpUri}`);
  return lines.join('\n');
}
