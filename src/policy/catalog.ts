import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Diagnostic } from '../load/diagnostic.js';
import { InputError } from '../load/diagnostic.js';
import { parseJsonDocument } from '../load/json-document.js';
import { SourceFile } from '../load/source-file.js';
import { packageRoot } from '../package-root.js';
import { readPolicyDefinition, type PolicyDefinition } from './definition.js';
import { createPolicyRule, type PolicyRule, type PolicySidecar } from './policy-rule.js';

export interface CatalogOptions {
  /** Effect overrides by definition name (guid) or display name, case-insensitive. */
  effects?: Record<string, string>;
}

export interface Catalog {
  rules: PolicyRule[];
  definitions: PolicyDefinition[];
  diagnostics: Diagnostic[];
  /** Keys of `effects` that named no shipped definition, so the caller can call it bad usage. */
  unmatchedEffects: string[];
  /** Effect overrides that the definition does not allow, with the reason. */
  rejectedEffects: { key: string; reason: string }[];
}

const SIDECAR = '.tollgate.json';

/**
 * The built-in definitions shipped in catalog/policies/. A definition that cannot be read or
 * compiled is a diagnostic naming its file; the rest still load.
 */
export function loadBuiltInPolicies(options: CatalogOptions = {}): Catalog {
  const root = path.join(packageRoot(), 'catalog', 'policies');
  const out: Catalog = { rules: [], definitions: [], diagnostics: [], unmatchedEffects: [], rejectedEffects: [] };
  const effects = Object.entries(options.effects ?? {});
  const used = new Set<string>();
  for (const abs of listJson(root)) {
    const shown = path.relative(packageRoot(), abs).split(path.sep).join('/');
    let definition: PolicyDefinition;
    try {
      const doc = parseJsonDocument(new SourceFile(abs, shown, readFileSync(abs, 'utf8')));
      definition = readPolicyDefinition(doc.value, shown);
    } catch (err) {
      out.diagnostics.push(err instanceof InputError ? err.diagnostic : { severity: 'error', code: 'policy-definition', message: `cannot read policy definition: ${(err as Error).message}`, file: shown });
      continue;
    }
    const override = effects.find(([k]) => k.toLowerCase() === definition.name.toLowerCase() || k.toLowerCase() === definition.displayName.toLowerCase());
    if (override) used.add(override[0]);
    let sidecar: PolicySidecar | undefined;
    try {
      sidecar = readSidecar(abs);
    } catch (err) {
      out.diagnostics.push({ severity: 'warning', code: 'policy-sidecar', message: `ignoring unreadable sidecar: ${(err as Error).message}`, file: shown.replace(/\.json$/i, SIDECAR) });
    }
    try {
      out.rules.push(createPolicyRule(definition, { effect: override?.[1], sidecar }));
      out.definitions.push(definition);
    } catch (err) {
      if (override) {
        out.rejectedEffects.push({ key: override[0], reason: `${definition.name}: ${(err as Error).message}` });
        continue;
      }
      out.diagnostics.push({ severity: 'error', code: 'policy-definition', message: `cannot compile policy definition ${definition.name}: ${(err as Error).message}`, file: shown });
    }
  }
  out.unmatchedEffects = effects.map(([k]) => k).filter((k) => !used.has(k));
  return out;
}

/** Tollgate's notes beside a definition; a definition without one is fine, a broken one is said. */
function readSidecar(definitionPath: string): PolicySidecar | undefined {
  const sidecar = definitionPath.replace(/\.json$/i, SIDECAR);
  if (!existsSync(sidecar)) return undefined;
  return JSON.parse(readFileSync(sidecar, 'utf8')) as PolicySidecar;
}

function listJson(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const abs = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listJson(abs));
    else if (entry.name.endsWith('.json') && !entry.name.endsWith(SIDECAR)) out.push(abs);
  }
  return out;
}
