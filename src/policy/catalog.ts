import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Diagnostic } from '../load/diagnostic.js';
import { InputError } from '../load/diagnostic.js';
import { readPolicyFile } from './arm-deployed.js';
import { childNode, parseJsonValueFirst, propertyKeyNode, type JsonDocument, type JsonNode } from '../load/json-document.js';
import type { SourceLocation } from '../load/source-file.js';
import { SourceFile } from '../load/source-file.js';
import { packageRoot } from '../package-root.js';
import { getProperty, parsePath } from '../resources/value.js';
import { readPolicyDefinition, type PolicyDefinition } from './definition.js';
import type { Initiative } from './initiative.js';
import { PolicyCompileError, PolicyEffectError } from './errors.js';
import { createPolicyRule, deferredPolicyRule, type PolicyRule, type PolicyRuleOptions, type PolicySidecar } from './policy-rule.js';

export interface CatalogOptions {
  /** Effect overrides keyed by definition name (guid) or display name, case-insensitive. */
  effects?: Record<string, string>;
  /** Parameter values keyed like `effects` (configuration `rules.<id>.parameters`). */
  parameters?: Record<string, Record<string, unknown>>;
}

export interface Catalog {
  rules: PolicyRule[];
  /** The definitions behind `rules`, in the same order. */
  definitions: PolicyDefinition[];
  /** Shipped files that could not be read or compiled; the other definitions still load. */
  diagnostics: Diagnostic[];
  /** Keys of `effects` that named no shipped definition, so the caller can call it bad usage. */
  unmatchedEffects: string[];
  /** Overrides the definition does not allow; that definition keeps its default effect. */
  rejectedEffects: { key: string; reason: string }[];
  /**
   * How each rule was made, in the order of `rules`, when it was by deferredPolicyRule (undefined
   * otherwise): what a prepared catalog (prepared-set.ts) needs to make the same rules again.
   */
  made?: (RuleRecipe | undefined)[];
}

/** A definition an initiative of the default set references that does not run, and why. */
export interface DefaultSetSkip {
  initiative: string;
  referenceId: string;
  definitionId: string;
  reason: string;
}

/** The default rule set's catalog (default-set.ts). */
export interface DefaultCatalog extends Catalog {
  /** The initiatives whose definitions joined the pack, as resolved. */
  initiatives: Initiative[];
  /** References of those initiatives Tollgate cannot run (definition or version missing, parameters unresolvable, does not compile). */
  skipped: DefaultSetSkip[];
}

/** A rule made by `deferredPolicyRule(definition, options)`. */
export interface RuleRecipe {
  definition: PolicyDefinition;
  options: PolicyRuleOptions;
}

const SIDECAR = '.tollgate.json';
const SEVERITIES = new Set(['critical', 'high', 'medium', 'low', 'informational']);

/**
 * The built-in definitions shipped in catalog/policies/ (sidecars excluded), in path order. Each
 * compiles when it first meets a resource of its types (deferredPolicyRule): a scan that meets
 * none of them, a warm re-scan from the result cache, skips compiling them (~10 ms at start-up).
 * That every one compiles is a test's (test/policy/catalog.test.ts), not each scan's.
 */
export function loadBuiltInPolicies(options: CatalogOptions = {}): Catalog {
  return loadPolicies(path.join(packageRoot(), 'catalog', 'policies'), packageRoot(), options, { deferCompile: true });
}

/**
 * Loads every definition under `dir`; paths in diagnostics are shown relative to `displayRoot`.
 * Each compiles now, so that one that does not is a diagnostic of the load, unless `deferCompile`.
 */
export function loadPolicies(dir: string, displayRoot: string, options: CatalogOptions = {}, { deferCompile = false } = {}): Catalog {
  const out: Catalog = { rules: [], definitions: [], diagnostics: [], unmatchedEffects: [], rejectedEffects: [], made: [] };
  const effects = Object.entries(options.effects ?? {});
  const used = new Set<string>();
  for (const abs of listDefinitions(dir)) {
    const shown = path.relative(displayRoot, abs).split(path.sep).join('/');
    addDefinitionFile(out, abs, shown, effects, used, (d) => namedEntry(options.parameters, d)?.[1], deferCompile);
  }
  out.unmatchedEffects = effects.map(([k]) => k).filter((k) => !used.has(k));
  return out;
}

/**
 * Reads and compiles one definition file into `out`; a file that cannot be read or compiled
 * becomes a diagnostic at its position, and the rest of the catalog still loads.
 */
export function addDefinitionFile(out: Catalog, abs: string, shown: string, ...options: DefinitionOptions): void {
  let doc: JsonDocument;
  try {
    const read = readPolicyFile(abs, shown);
    doc = read.doc;
    if (read.note) out.diagnostics.push(read.note);
  } catch (err) {
    out.diagnostics.push(
      err instanceof InputError
        ? err.diagnostic
        : { severity: 'error', code: 'policy-definition', message: `not a policy definition: ${(err as Error).message}`, file: shown },
    );
    return;
  }
  addDefinitionDocument(out, doc, abs, shown, ...options);
}

/**
 * Effect overrides by definition id or name (marked in `used` when applied), the parameter values
 * of a definition, and whether it compiles when it first meets a resource (see deferredPolicyRule).
 */
type DefinitionOptions = [
  effects?: [string, string][],
  used?: Set<string>,
  parametersFor?: (definition: PolicyDefinition) => Record<string, unknown> | undefined,
  deferCompile?: boolean,
];

/** As addDefinitionFile, for a file already read and parsed (`abs` locates its sidecar). */
export function addDefinitionDocument(
  out: Catalog,
  doc: JsonDocument,
  abs: string,
  shown: string,
  ...[effects = [], used = new Set<string>(), parametersFor = () => undefined, deferCompile = false]: DefinitionOptions
): void {
  let definition: PolicyDefinition;
  try {
    definition = readPolicyDefinition(doc.value, shown);
  } catch (err) {
    out.diagnostics.push({ severity: 'error', code: 'policy-definition', message: `not a policy definition: ${(err as Error).message}`, file: shown });
    return;
  }
  const sidecar = readSidecar(abs, shown, out.diagnostics);
  const override = effects.find(([k]) => k.toLowerCase() === definition.name.toLowerCase() || k.toLowerCase() === definition.displayName.toLowerCase());
  if (override) used.add(override[0]);
  const parameters = parametersFor(definition);
  try {
    let rule: PolicyRule;
    let recipe: RuleRecipe | undefined;
    try {
      const options: PolicyRuleOptions = {
        ...(override && { effect: override[1] }),
        ...(sidecar && { sidecar }),
        source: shown,
        ...(parameters ? { parameters } : {}),
      };
      rule = (deferCompile ? deferredPolicyRule : createPolicyRule)(definition, options);
      if (deferCompile) recipe = { definition, options };
    } catch (err) {
      if (!(override && err instanceof PolicyEffectError)) throw err;
      out.rejectedEffects.push({ key: override[0], reason: `${definition.name}: ${err.message}` });
      rule = createPolicyRule(definition, { sidecar, source: shown, ...(parameters ? { parameters } : {}) });
    }
    out.rules.push(rule);
    out.made?.push(recipe);
    out.definitions.push(definition);
    // Loaded and listed, but it will never report on a template: say so once, as a warning.
    if (rule.notForTemplates) {
      out.diagnostics.push({
        severity: 'warning',
        code: 'policy-not-applicable',
        message: `policy definition ${definition.name} is not applicable to deployment templates: ${rule.notForTemplates}`,
        file: shown,
      });
    }
  } catch (err) {
    const at = err instanceof PolicyCompileError ? err.at : undefined;
    out.diagnostics.push({
      severity: 'error',
      code: 'policy-definition',
      message: `cannot compile policy definition ${definition.name}: ${(err as Error).message}`,
      file: shown,
      ...located(doc, at),
    });
  }
}

/** The entry of a settings map that names the definition by name (guid) or display name, ignoring case. */
export function namedEntry<T>(map: Record<string, T> | undefined, definition: PolicyDefinition): [string, T] | undefined {
  const names = [definition.name.toLowerCase(), definition.displayName.toLowerCase()];
  return Object.entries(map ?? {}).find(([k]) => names.includes(k.toLowerCase()));
}

function located(doc: JsonDocument, at: string | undefined): { location?: SourceLocation } {
  const location = locate(doc, at);
  return location ? { location } : {};
}

/**
 * Where `at` (e.g. `policyRule.if.allOf[1]`, relative to the definition's properties) is
 * written, or the nearest ancestor that is.
 */
function locate(doc: JsonDocument, at: string | undefined): SourceLocation | undefined {
  if (!at) return undefined;
  const envelope = getProperty(doc.value, 'properties') !== undefined;
  let node: JsonNode | undefined = envelope ? childNode(doc.root, 'properties') : doc.root;
  let found = node;
  for (const seg of parsePath(at)) {
    node = childNode(node, seg);
    if (!node) break;
    found = node;
  }
  if (!found) return undefined;
  const target = propertyKeyNode(found) ?? found;
  return doc.file.locationOf(target.offset, target.length);
}

/** Tollgate's notes beside the definition; none is fine, a broken one is reported and the definition loads without it. */
function readSidecar(definitionPath: string, shownDefinition: string, diagnostics: Diagnostic[]): PolicySidecar | undefined {
  const abs = definitionPath.replace(/\.json$/i, SIDECAR);
  const shown = shownDefinition.replace(/\.json$/i, SIDECAR);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const value = parseJsonValueFirst(new SourceFile(abs, shown, text)).value as PolicySidecar;
    if (value.severity !== undefined && !SEVERITIES.has(value.severity)) throw new Error(`unknown severity '${String(value.severity)}'`);
    return value;
  } catch (err) {
    // The definition still runs, with default severity and wording: worth a warning, not a failed run.
    const location = err instanceof InputError ? err.diagnostic.location : undefined;
    diagnostics.push({
      severity: 'warning',
      code: 'policy-sidecar',
      message: `ignoring unreadable sidecar: ${(err as Error).message}`,
      file: shown,
      ...(location ? { location } : {}),
    });
    return undefined;
  }
}

/** The `.json` files under `dir` (sidecars excluded), in path order. */
export function listDefinitions(dir: string): string[] {
  const out: string[] = [];
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const abs = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listDefinitions(abs));
    else if (entry.name.toLowerCase().endsWith('.json') && !entry.name.toLowerCase().endsWith(SIDECAR)) out.push(abs);
  }
  return out;
}
