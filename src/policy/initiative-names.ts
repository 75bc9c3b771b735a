import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../package-root.js';
import type { Value } from '../resources/value.js';
import { builtInInitiative, builtInInitiativeRecords } from './builtin-catalog.js';
import { readInitiative, type Initiative } from './initiative.js';

/**
 * Short names for the initiatives people ask for most. The first four are Tollgate's from the
 * start (files in catalog/initiatives/); the others name built-in initiatives of the catalog by
 * guid. A framework with several versions gets a name for the newest and one per version.
 */
export const SHIPPED_INITIATIVES: Readonly<Record<string, { file: string; title: string }>> = {
  mcsb: { file: 'AzureSecurityCenter.json', title: 'Microsoft cloud security benchmark' },
  'nz-ism': { file: 'NewZealand_ISM.json', title: 'New Zealand ISM Restricted' },
  'nl-bio': { file: 'NL_BIO_Cloud_Theme_V2.json', title: 'NL BIO Cloud Theme V2' },
  'alz-apim': { file: 'ALZ_Enforce-Guardrails-APIM.alz_policy_set_definition.json', title: 'ALZ: Enforce recommended guardrails for API Management' },
};

/** Short name -> built-in initiative name (guid). Spellings are compared without case, spaces or punctuation. */
export const INITIATIVE_SHORT_NAMES: Readonly<Record<string, string>> = {
  'mcsb-v2': 'e3ec7e09-768c-4b64-882c-fcada3772047',
  cis: '470a962c-86a0-433b-803a-3c176b5ce79c',
  'cis-3.0.0': '470a962c-86a0-433b-803a-3c176b5ce79c',
  'cis-2.1.0': 'fe7782e4-6ff3-4e39-8d8a-64b6f7b82c85',
  'cis-2.0.0': '06f19060-9e68-4070-92ca-f15cc126059e',
  'cis-1.4.0': 'c3f5c4d9-9a1d-4a99-85c0-7f93e384d5c5',
  'cis-1.3.0': '612b5213-9160-4969-8578-1518bd2a000c',
  'cis-1.1.0': '1a5bb27d-173f-493e-9568-eb56638dde4d',
  'nist-sp-800-53': '179d1daa-458f-4e47-8086-2a68d0d6c38f',
  'nist-sp-800-53-r5': '179d1daa-458f-4e47-8086-2a68d0d6c38f',
  'nist-sp-800-53-r5.1.1': '60205a79-6280-4e20-a147-e2011e09dc78',
  'nist-sp-800-53-r4': 'cf25b9c1-bd23-4eb6-bd2c-f4f3ac644a5f',
  'nist-800-53': '179d1daa-458f-4e47-8086-2a68d0d6c38f',
  'nist-sp-800-171': '38916c43-6876-4971-a4b1-806aa7e55ccc',
  'nist-sp-800-171-r3': '38916c43-6876-4971-a4b1-806aa7e55ccc',
  'nist-sp-800-171-r2': '03055927-78bd-4236-86c0-f36125a10dc9',
  'nist-800-171': '38916c43-6876-4971-a4b1-806aa7e55ccc',
  'nist-csf': '184a0e05-7b06-4a68-bbbe-13b8353bc613',
  'iso-27001': '5e4ff661-23bf-42fa-8e3a-309a55091cc7',
  'iso-27001-2022': '5e4ff661-23bf-42fa-8e3a-309a55091cc7',
  'iso-27001-2013': '89c6cddc-1c73-4ac1-b19c-54d1a15a42f2',
  'pci-dss': 'a06d5deb-24aa-4991-9d58-fa7563154e31',
  'pci-dss-4.0.1': 'a06d5deb-24aa-4991-9d58-fa7563154e31',
  'pci-dss-4': 'c676748e-3af9-4e22-bc28-50feed564afb',
  'pci-dss-3.2.1': '496eeda9-8f2f-4d5e-8dfd-204f0a92ed41',
  nzism: '4476df0a-18ab-4bfe-b6ad-cccae1cf320f',
  'nzism-3.7': '4476df0a-18ab-4bfe-b6ad-cccae1cf320f',
  'nl-bio-v1': '6ce73208-883e-490f-a2ac-44aac3b3687f',
  'soc-2': '4054785f-702b-4a98-9215-009cbd58b141',
  hipaa: 'a169a624-5599-4385-a696-c8d643089fab',
  'fedramp-high': 'd5264498-16f4-418a-b659-fa7ef418175f',
  'fedramp-moderate': 'e95f5a9f-57ad-4d03-bb0b-b1d16db93693',
  'cmmc-2-l2': '4e50fd13-098b-3206-61d6-d1d78205cb45',
  'ism-protected': '27272c0b-c225-4cc3-b8b0-f2534b093077',
  swift: '7499005e-df5a-45d9-810f-041cf346678c',
  'uk-official': '3937f550-eedd-4639-9c5e-294358be442e',
  'canada-pbmm': '4c4a5f27-de81-430b-b4e5-9cbd50595a87',
  'spain-ens': '175daf90-21e1-4fec-b745-7b4c909aa94c',
};

/** Lower case, letters and digits only: `NIST SP 800-53` and `nist-sp-800-53` are one name. */
export function normalizeName(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** What an `--initiative` value (or `rules.default`) names, when it is not a file. */
export type InitiativeMatch =
  { kind: 'shipped'; shortName: string; file: string } | { kind: 'builtin'; name: string } | { kind: 'ambiguous'; candidates: string[] } | { kind: 'none' };

/**
 * Resolves a name: a shipped short name, another short name, the guid, the resource id
 * (`/providers/Microsoft.Authorization/policySetDefinitions/<guid>`), the upstream file name, or
 * the display name, ignoring case, spaces and punctuation. A display name that only starts with
 * the words given matches when just one initiative (or one not deprecated) starts that way.
 */
export function matchInitiative(query: string): InitiativeMatch {
  const lower = query.trim().toLowerCase();
  if (Object.hasOwn(SHIPPED_INITIATIVES, lower)) return { kind: 'shipped', shortName: lower, file: SHIPPED_INITIATIVES[lower]!.file };
  const wanted = normalizeName(query);
  if (!wanted) return { kind: 'none' };
  for (const [short, entry] of Object.entries(SHIPPED_INITIATIVES))
    if (normalizeName(short) === wanted) return { kind: 'shipped', shortName: short, file: entry.file };
  for (const [short, name] of Object.entries(INITIATIVE_SHORT_NAMES)) if (normalizeName(short) === wanted) return { kind: 'builtin', name };
  const guid = lower.split('/').pop()!;
  if (builtInInitiativeRecords().some((r) => r.name.toLowerCase() === guid))
    return { kind: 'builtin', name: builtInInitiativeRecords().find((r) => r.name.toLowerCase() === guid)!.name };
  const exact: string[] = [];
  const prefix: string[] = [];
  for (const record of builtInInitiativeRecords()) {
    const initiative = safeInitiative(record.name);
    const stem = normalizeName(path.basename(record.path, '.json'));
    const title = initiative ? normalizeName(initiative.displayName) : '';
    if (stem === wanted || title === wanted) exact.push(record.name);
    else if (title.startsWith(wanted) || title.replace(/^(preview|deprecated)/, '').startsWith(wanted)) prefix.push(record.name);
  }
  const pick = (list: string[]): InitiativeMatch | undefined => {
    if (list.length === 1) return { kind: 'builtin', name: list[0]! };
    const current = list.filter((n) => !/^\[deprecated\]/i.test(safeInitiative(n)?.displayName ?? ''));
    if (current.length === 1) return { kind: 'builtin', name: current[0]! };
    return list.length ? { kind: 'ambiguous', candidates: list.map((n) => `${safeInitiative(n)?.displayName ?? n} (${n})`) } : undefined;
  };
  return pick(exact) ?? pick(prefix) ?? { kind: 'none' };
}

function safeInitiative(name: string): Initiative | undefined {
  try {
    return builtInInitiative(name);
  } catch {
    return undefined;
  }
}

const shippedFiles = new Map<string, Initiative>();

/** A file of catalog/initiatives/, read once. */
export function shippedInitiativeFile(file: string): Initiative {
  let found = shippedFiles.get(file);
  if (!found) {
    found = readInitiative(JSON.parse(readFileSync(path.join(packageRoot(), 'catalog', 'initiatives', file), 'utf8')) as Value, `catalog/initiatives/${file}`);
    shippedFiles.set(file, found);
  }
  return found;
}

/** The initiative a name resolves to, or why none does (for an error message, in parentheses after what was given). */
export function initiativeByName(query: string): { initiative: Initiative; shown: string } | { problem: string } {
  const match = matchInitiative(query);
  switch (match.kind) {
    case 'shipped':
      return { initiative: shippedInitiativeFile(match.file), shown: `${match.shortName} (${match.file})` };
    case 'builtin': {
      const initiative = builtInInitiative(match.name)!;
      return { initiative, shown: `${initiative.displayName} (${match.name})` };
    }
    case 'ambiguous':
      return {
        problem: `'${query}' names several built-in initiatives: ${match.candidates.slice(0, 8).join('; ')}${match.candidates.length > 8 ? '; …' : ''}; give one's guid or full name`,
      };
    case 'none':
      return {
        problem: `a file, or one of: ${[...Object.keys(SHIPPED_INITIATIVES), ...Object.keys(INITIATIVE_SHORT_NAMES)].join(', ')}; or a built-in initiative's guid or display name`,
      };
  }
}
