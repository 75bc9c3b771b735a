import { statSync } from 'node:fs';
import path from 'node:path';
import type { Diagnostic } from '../load/diagnostic.js';
import { InputError } from '../load/diagnostic.js';
import type { JsonDocument } from '../load/json-document.js';
import { readPolicyFile } from './arm-deployed.js';
import { packageRoot } from '../package-root.js';
import type { Value } from '../resources/value.js';
import { assignRules, type AssignedRule, type KnownDefinition, type UnavailableReference } from './assign.js';
import { looksLikeAssignment, looksLikeExemption, readAssignment, readExemption, type Assignment, type Exemption } from './assignment.js';
import { addDefinitionDocument, listDefinitions, type Catalog } from './catalog.js';
import { looksLikeInitiative, readInitiative, type Initiative } from './initiative.js';
import type { PolicyRule } from './policy-rule.js';
import type { Suppression } from '../findings/finding.js';
import { pushTo } from '../multimap.js';
import { builtInDefinition, builtInDefinitionVersions, builtInInitiative, pickBuiltInVersion } from './builtin-catalog.js';
import { initiativeByName, shippedInitiativeFile, SHIPPED_INITIATIVES } from './initiative-names.js';

// The short names live with the other ways of naming an initiative; re-exported for the configuration.
export { SHIPPED_INITIATIVES } from './initiative-names.js';

/** What `--policy`, `--initiative`, `--assignment`, `--exemption` (and the configuration's `policy` key) name. */
export interface PolicySpec {
  policies?: string[];
  initiatives?: string[];
  assignments?: string[];
  exemptions?: string[];
}

export interface PolicyInputs {
  definitions: KnownDefinition[];
  initiatives: Initiative[];
  assignments: Assignment[];
  exemptions: Exemption[];
  /** Files that could not be read: named with their position; the others still load. */
  diagnostics: Diagnostic[];
}

/** The policies to run instead of the shipped defaults, and what the assignments say. */
export interface AssignedPolicies {
  rules: PolicyRule[];
  assigned: AssignedRule[];
  /** Definitions assigned initiatives reference that Tollgate does not have. */
  unavailable: UnavailableReference[];
  /** The exemptions, as suppressions of the rules they exempt. */
  exemptions: Suppression[];
  diagnostics: Diagnostic[];
}

/** Reads the policy files named; each file's kind is told by its shape, so a folder may mix them. */
export function loadPolicyInputs(spec: PolicySpec, cwd: string): PolicyInputs {
  const out: PolicyInputs = { definitions: [], initiatives: [], assignments: [], exemptions: [], diagnostics: [] };
  const definitionFiles: Catalog = { rules: [], definitions: [], diagnostics: out.diagnostics, unmatchedEffects: [], rejectedEffects: [] };
  const read = (given: string, expected: 'policy' | 'initiative' | 'assignment' | 'exemption') => {
    const shipped = expected === 'initiative' && Object.hasOwn(SHIPPED_INITIATIVES, given.toLowerCase()) ? SHIPPED_INITIATIVES[given.toLowerCase()] : undefined;
    const abs = shipped ? path.join(packageRoot(), 'catalog', 'initiatives', shipped.file) : path.resolve(cwd, given);
    let files: string[];
    try {
      files = statSync(abs).isDirectory() ? listDefinitions(abs) : [abs];
    } catch {
      // Not a file: a built-in initiative by short name, guid, id or display name.
      const named = expected === 'initiative' ? initiativeByName(given) : undefined;
      if (named && 'initiative' in named) {
        out.initiatives.push(named.initiative);
        return;
      }
      const hint = named && 'problem' in named ? ` (${named.problem})` : '';
      out.diagnostics.push({
        severity: 'error',
        code: 'policy-file',
        message: `cannot read --${expected} '${given}': no such file or folder${hint}`,
        file: given,
      });
      return;
    }
    for (const file of files) {
      const shown = shipped ? `${given} (${shipped.file})` : path.relative(cwd, file).split(path.sep).join('/') || file;
      let doc: JsonDocument;
      let json: Value;
      try {
        const read = readPolicyFile(file, shown);
        doc = read.doc;
        json = doc.value as Value;
        if (read.note) out.diagnostics.push(read.note);
      } catch (err) {
        out.diagnostics.push(
          err instanceof InputError ? err.diagnostic : { severity: 'error', code: 'policy-file', message: (err as Error).message, file: shown },
        );
        continue;
      }
      try {
        if (looksLikeInitiative(json)) out.initiatives.push(readInitiative(json, shown));
        else if (looksLikeExemption(json)) out.exemptions.push(readExemption(json, shown));
        else if (looksLikeAssignment(json)) out.assignments.push(readAssignment(json, shown));
        else {
          const before = definitionFiles.rules.length;
          addDefinitionDocument(definitionFiles, doc, file, shown);
          const rule = definitionFiles.rules[before];
          if (rule) out.definitions.push({ definition: rule.definition, sidecar: rule.sidecar, source: shown });
        }
      } catch (err) {
        out.diagnostics.push({ severity: 'error', code: 'policy-file', message: `${shown}: ${(err as Error).message}`, file: shown });
      }
    }
  };
  for (const p of spec.policies ?? []) read(p, 'policy');
  const initiativesBefore = out.initiatives.length;
  for (const p of spec.initiatives ?? []) read(p, 'initiative');
  // `--initiative X` assigns X as it is, with its default parameter values.
  for (const initiative of out.initiatives.slice(initiativesBefore)) out.assignments.push(implicitAssignment(initiative.name, initiative.displayName, true));
  for (const p of spec.assignments ?? []) read(p, 'assignment');
  for (const p of spec.exemptions ?? []) read(p, 'exemption');
  return out;
}

/**
 * Builds the rules the assignments run. Definitions loaded with --policy and not assigned run
 * as if assigned with their defaults. Targets are looked up among the files given, then the
 * shipped catalog and initiatives.
 */
export function assignPolicies(inputs: PolicyInputs, builtIns: readonly PolicyRule[]): AssignedPolicies {
  const out: AssignedPolicies = { rules: [], assigned: [], unavailable: [], exemptions: [], diagnostics: [] };
  // Every loaded version of a definition, by name. Definitions given with --policy replace the
  // shipped one of the same name (all its versions); several files of one name are its versions.
  const given = new Map<string, KnownDefinition[]>();
  for (const d of inputs.definitions) pushTo(given, d.definition.name.toLowerCase(), d);
  const definitions = new Map<string, KnownDefinition[]>(
    builtIns.map((r) => [r.definition.name.toLowerCase(), [{ definition: r.definition, sidecar: r.sidecar, source: r.source }]]),
  );
  for (const [name, list] of given) definitions.set(name, list);
  const lookup = (name: string, pattern?: string): readonly KnownDefinition[] => definitions.get(name.toLowerCase()) ?? builtInKnown(name, pattern);
  const assignments = [...inputs.assignments];
  const assignedNames = new Set(assignments.filter((a) => !a.targetIsInitiative).map((a) => a.targetName.toLowerCase()));
  for (const [name, list] of given) {
    if (!assignedNames.has(name)) assignments.push(implicitAssignment(list[0]!.definition.name, list[0]!.definition.displayName, false));
  }
  for (const assignment of assignments) {
    const initiative =
      inputs.initiatives.find((i) => i.name.toLowerCase() === assignment.targetName.toLowerCase()) ??
      (assignment.targetIsInitiative ? shippedInitiative(assignment.targetName) : undefined);
    const definitions = initiative ? [] : lookup(assignment.targetName, assignment.definitionVersion);
    if (!initiative && !definitions.length) {
      out.diagnostics.push({
        severity: 'error',
        code: 'policy-assignment',
        message: `assignment ${assignment.name} assigns '${assignment.policyDefinitionId}', which is neither a shipped definition or initiative nor one given with --policy/--initiative`,
        ...(assignment.file ? { file: assignment.file } : {}),
      });
      continue;
    }
    const made = assignRules(assignment, initiative ? { initiative } : { definitions }, lookup);
    out.assigned.push(...made.rules);
    out.unavailable.push(...made.unavailable);
    for (const p of made.problems)
      out.diagnostics.push({
        severity: 'warning',
        code: 'policy-assignment',
        message: `assignment ${assignment.name}: ${p}`,
        ...(assignment.file ? { file: assignment.file } : {}),
      });
  }
  // One id per rule: a definition assigned twice (two assignments, or twice in one initiative) is told apart by where.
  const counts = new Map<string, number>();
  for (const a of out.assigned) counts.set(a.rule.meta.id, (counts.get(a.rule.meta.id) ?? 0) + 1);
  out.rules = out.assigned.map((a) => {
    if ((counts.get(a.rule.meta.id) ?? 0) < 2) return a.rule;
    const renamed = Object.assign(Object.create(a.rule) as PolicyRule, {
      meta: { ...a.rule.meta, id: `${a.rule.meta.id}@${a.assignment.name}${a.referenceId ? `/${a.referenceId}` : ''}` },
    });
    a.rule = renamed;
    return renamed;
  });
  for (const e of inputs.exemptions) {
    const covered = out.assigned.filter(
      (a) =>
        a.assignment.name.toLowerCase() === e.assignmentName.toLowerCase() &&
        (e.policyDefinitionReferenceIds.length === 0 || e.policyDefinitionReferenceIds.some((r) => r.toLowerCase() === a.referenceId?.toLowerCase())),
    );
    if (!covered.length) {
      out.diagnostics.push({
        severity: 'warning',
        code: 'policy-exemption',
        message: `exemption ${e.name} exempts from assignment '${e.assignmentName}', which was not loaded (or has none of its reference ids): it exempts nothing`,
        ...(e.file ? { file: e.file } : {}),
      });
      continue;
    }
    for (const a of covered) {
      out.exemptions.push({
        rule: a.rule.meta.id,
        reason: `${e.category}: ${e.displayName}${e.description ? ` (${e.description})` : ''}`,
        kind: 'external',
        ...(e.expiresOn ? { expires: e.expiresOn } : {}),
        ...(e.scope ? { scope: e.scope } : {}),
        exemption: { name: e.name, category: e.category },
      });
    }
  }
  return out;
}

let shipped: Initiative[] | undefined;

/**
 * The shipped initiative with this name (its guid or ALZ name), if any: Tollgate's own files
 * first, then the built-in catalog. The files are large: read once, when first asked.
 */
function shippedInitiative(name: string): Initiative | undefined {
  shipped ??= Object.values(SHIPPED_INITIATIVES).map(({ file }) => shippedInitiativeFile(file));
  return shipped.find((i) => i.name.toLowerCase() === name.toLowerCase()) ?? builtInInitiative(name);
}

function implicitAssignment(target: string, displayName: string, initiative: boolean): Assignment {
  return {
    name: target,
    displayName,
    policyDefinitionId: `/providers/Microsoft.Authorization/${initiative ? 'policySetDefinitions' : 'policyDefinitions'}/${target}`,
    targetName: target,
    targetIsInitiative: initiative,
    parameters: {},
    enforcementMode: 'Default',
    notScopes: [],
    overrides: [],
    resourceSelectors: [],
    nonComplianceMessages: [],
  };
}

/**
 * A definition of the built-in catalog as an assignment looks it up: the version the pin picks, or
 * every version Tollgate has when none matches (the problem then names them); none when the
 * catalog lacks it or cannot read it.
 */
function builtInKnown(name: string, pattern: string | undefined): readonly KnownDefinition[] {
  try {
    const current = builtInDefinition(name);
    if (!current) return [];
    const { picked } = pickBuiltInVersion(current, pattern);
    return (picked ? [picked] : builtInDefinitionVersions(name)).map((definition) => ({ definition, source: definition.file }));
  } catch {
    return [];
  }
}
