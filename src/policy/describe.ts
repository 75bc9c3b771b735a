import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../package-root.js';
import { controlsFor, shortControlId } from './compliance.js';
import { compileCondition, type FieldUse } from './condition.js';
import { effectParameter, type PolicyDefinition } from './definition.js';
import type { PolicyRule } from './policy-rule.js';

const LABEL = 16;

/**
 * What `tollgate rules show <id>` prints for an Azure Policy definition: identity, effects,
 * the aliases it reads and where they live in a resource, how to fix a finding, the
 * framework controls that cite it, and checks in other tools. Plain, deterministic text.
 * Pass the loaded rule to include the effect in force and Tollgate's sidecar notes.
 */
export function describePolicy(definition: PolicyDefinition, rule?: PolicyRule): string {
  const param = effectParameter(definition);
  const defaultEffect = param ? String(param.defaultValue ?? '(none)') : String(definition.effect);
  const allowed = param?.allowedValues?.map(String).join(', ') ?? defaultEffect;
  const row = (label: string, value: string) => `${label.padEnd(LABEL)}${value}`;

  const lines = [
    definition.displayName,
    '',
    row('Id', definition.name),
    row('Kind', `Azure Policy definition${definition.policyType ? ` (${definition.policyType})` : ''}`),
    row('Version', definition.version ?? '(none)'),
    row('Category', definition.category ?? '(none)'),
    row('Mode', definition.mode),
    row('Default effect', defaultEffect),
    row('Allowed effects', allowed),
  ];
  if (rule) {
    lines.push(
      row('Effect in force', `${rule.effect}${rule.enabled ? '' : ' (not run)'} -> level ${rule.meta.level}`),
      ...(rule.notForTemplates ? [row('Not run', `not applicable to deployment templates: ${rule.notForTemplates}`)] : []),
      row('Severity', rule.meta.severity),
      row('Applies to', rule.meta.appliesTo.map((t) => (t === '*' ? '* (every resource type)' : t)).join(', ')),
    );
  }
  lines.push('', 'Description', `  ${definition.description || '(none)'}`, '', 'Aliases', ...aliasLines(definition));
  lines.push('', 'Remediation', `  ${rule?.sidecar.remediation ?? definition.description}`);
  lines.push('', 'Compliance controls', ...controlLines(definition.name));
  const citing = initiativesCiting(definition.name);
  if (citing.length)
    lines.push(
      '',
      `Referenced by ${citing.length} built-in initiative${citing.length === 1 ? '' : 's'} in Azure`,
      ...citing.map((i) => `  ${i.displayName} (${i.groups.length ? i.groups.map(shortControlId).join(', ') : 'no control'})`),
    );

  const equivalents = rule?.sidecar.equivalents ?? [];
  const none = rule?.sidecar.noEquivalent ?? [];
  if (equivalents.length || none.length) {
    lines.push('', 'Equivalents');
    for (const e of equivalents) lines.push(`  ${e.tool} ${e.id}${e.ref ? ` (${e.ref})` : ''}`, ...(e.note ? [`    ${e.note}`] : []));
    for (const n of none) lines.push(`  ${n.tool}: none`, `    ${n.note}`);
  }
  if (rule?.meta.helpUri) lines.push('', `More: ${rule.meta.helpUri}`);
  return lines.join('\n');
}

function aliasLines(definition: PolicyDefinition): string[] {
  let fields: FieldUse[];
  try {
    fields = compileCondition(definition.if).fields();
  } catch (err) {
    return [`  (the rule cannot be compiled: ${(err as Error).message})`];
  }
  const seen = new Set<string>();
  const out: string[] = [];
  for (const f of fields) {
    const key = f.field.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    if (f.alias) out.push(`  ${f.alias.name}`, `    -> ${f.alias.defaultPath}`);
    else if (f.unknownAlias) out.push(`  ${f.field}`, `    -> (not in Tollgate's alias table: the definition is not applicable)`);
  }
  return out.length ? out : ['  (none)'];
}

function controlLines(definitionName: string): string[] {
  const controls = controlsFor(definitionName);
  if (!controls.length) return ['  (none in the shipped initiatives)'];
  return controls.map((c) => `  ${c.initiative}: ${c.shortId} (${c.control})${c.category ? ` - ${c.category}` : ''}`);
}

interface MapEntry {
  displayName: string;
  /** [definition name, reference id, group names, parameters] per reference. */
  hits: [string, string, string[], unknown][];
}

/** Every built-in initiative in Azure that references the definition (catalog/apim-policy-to-initiative-map.json). */
function initiativesCiting(definitionName: string): { displayName: string; groups: string[] }[] {
  let map: MapEntry[];
  try {
    map = JSON.parse(readFileSync(path.join(packageRoot(), 'catalog', 'apim-policy-to-initiative-map.json'), 'utf8')) as MapEntry[];
  } catch {
    return [];
  }
  const name = definitionName.toLowerCase();
  return map
    .flatMap((i) => {
      const hits = i.hits.filter((h) => h[0].toLowerCase() === name);
      return hits.length ? [{ displayName: i.displayName, groups: [...new Set(hits.flatMap((h) => h[2]))] }] : [];
    })
    .sort((a, b) => a.displayName.localeCompare(b.displayName));
}
