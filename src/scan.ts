import { performance } from 'node:perf_hooks';
import type { DeploymentContext } from './arm/expression/context.js';
import { DEFAULT_DEPLOYMENT, evaluateBicepParamValues, expandTemplate, type ExpandOptions } from './arm/template/expand.js';
import { evaluateResources } from './evaluate/engine.js';
import type { ScanResult } from './evaluate/scan-result.js';
import { linkedFileLoader, remoteLinkResolver } from './input/linked-files.js';
import { loadInputs } from './input/load-inputs.js';
import type { ScanUnit } from './input/pair-parameters.js';
import type { LinkGraph } from './input/link-graph.js';
import { internalErrorDiagnostic, type Diagnostic } from './load/diagnostic.js';
import { Sandbox } from './load/sandbox.js';
import { resourcesFromExport } from './resources/from-export.js';
import type { ResourceSet } from './resources/resource.js';
import { packageVersion } from './package-root.js';
import type { Finding, Suppression } from './findings/finding.js';
import type { Value } from './resources/value.js';
import { dedupeAcrossParameterFiles } from './findings/dedupe.js';
import { mergeEquivalentFindings, suppressEquivalents } from './findings/equivalents.js';
import { complianceByControl } from './policy/control-compliance.js';
import type { JsonDocument } from './load/json-document.js';
import type { NotFollowed } from './arm/template/not-followed.js';
import { rulesNotRun } from './evaluate/rules-not-run.js';
import { inShard, type Shard } from './shard.js';
import {
  applySuppressions,
  fileMatches,
  globMatches,
  namesRule,
  scopeMatches,
  suppressionsInComments,
  suppressionsOnResource,
} from './findings/suppressions.js';

export interface ScanOptions {
  /** Files and directories to scan. */
  paths: string[];
  cwd: string;
  /** .gitignore-style patterns to leave out of directory walks. */
  exclude?: string[];
  /** .gitignore-style patterns: only matching files are taken from directory walks. */
  include?: string[];
  /** Named files that are not templates, parameter files or exports are skipped, not errors. */
  skipUnrecognized?: boolean;
  /** Called after each scan unit (for a progress indicator). */
  onProgress?: (done: number, total: number) => void;
  /** Parameter files named explicitly (`--parameters`). */
  parameters?: string[];
  deployment?: Partial<DeploymentContext>;
  /** Azure Policy effect overrides, by definition name (guid) or display name. */
  policyEffects?: Record<string, string>;
  /** Rules to run instead of the built-in set (the CLI loads them first to check its flags). */
  ruleSet?: RuleSet;
  /** Suppressions from the configuration (`kind: 'external'`). */
  suppressions?: Suppression[];
  /** false: suppressions written in the templates (resource metadata, Bicep comments) are not read; the configuration's still apply. */
  inlineSuppressions?: boolean;
  /** Today, for suppression expiry (default: the real date). */
  today?: Date;
  /** Values for parameters that have none, by template glob (gitignore syntax, relative to cwd). */
  parameterDefaults?: { files: string; values: Record<string, unknown> }[];
  /** Environment variables for Bicep's `readEnvironmentVariable()` (`--env`, config `env:`); the real environment is never read. */
  env?: Readonly<Record<string, string>>;
  /** URL prefixes of linked templates and the folders (absolute) they map to: the configuration's `links:`. */
  links?: Record<string, string>;
  /** `--standalone`: templates only used as linked templates are scanned on their own too. */
  standalone?: boolean;
  /** False: named files are scanned as named, not as what they belong to (their template, parameter files, callers). */
  related?: boolean;
  /** A folder of Bicep registry modules (`bicep.moduleCache`): read as a module mirror, inside the sandbox. */
  bicepModuleCache?: string;
  /** `--debug`: internal errors keep their stack (`Diagnostic.stack`). */
  debug?: boolean;
  /** Seconds one scan unit may take to expand (default 30, DEFAULT_UNIT_TIMEOUT_SECONDS; 0: no limit). */
  unitTimeoutSeconds?: number;
  /** `--shard i/n`: scan only the units whose template path hashes to this shard (src/shard.ts). */
  shard?: Shard;
  /** Texts read instead of the files on disk, by absolute path: an editor's unsaved buffers (`tollgate lsp`). */
  overlay?: ReadonlyMap<string, string>;
  /** Who links whom, by work tree, kept between scans by a caller that scans often (`tollgate lsp`); built when missing. */
  linkGraphs?: Map<string, LinkGraph>;
}

import { loadRuleSet, type RuleSet } from './evaluate/rule-set.js';
// The CLI, the rule tester and the tests read the rule set from here, with the scan.
export { loadRuleSet, type RuleSet };

export interface ScanOutput extends ScanResult {
  /** Files met while walking directories that were not templates, parameter files or exports. */
  skipped: { path: string; reason: string }[];
}

/** The whole pipeline: discover -> load -> expand -> resources -> evaluate. Reporting is the caller's. */
export function scan(options: ScanOptions): ScanOutput {
  const started = performance.now();
  const diagnostics: Diagnostic[] = [];
  const deployment = { ...DEFAULT_DEPLOYMENT, ...options.deployment };

  const ruleSet = options.ruleSet ?? loadRuleSet(options.policyEffects);
  const rules = ruleSet.rules;
  diagnostics.push(...ruleSet.diagnostics);

  // Every file read from here on goes through one sandbox: the scanned paths' git work tree.
  const sandbox = Sandbox.forPaths([...options.paths, ...(options.parameters ?? [])], {
    cwd: options.cwd,
    environment: options.env,
    ...(options.bicepModuleCache !== undefined && { moduleMirror: options.bicepModuleCache }),
    ...(options.overlay && { overlay: options.overlay }),
  });

  // discover + load
  const resolveRemoteLink = remoteLinkResolver(options.links);
  const inputs = loadInputs({ ...options, sandbox, resolveRemoteLink, evaluateBicepParams: evaluateBicepParamValues });
  diagnostics.push(...inputs.diagnostics);
  // A shard keeps the units of its templates (all parameter files of a template stay together, so
  // findings merged across them are merged the same). Every file is still read and parsed: the
  // diagnostics of the input are the same in every shard, and `tollgate merge` reports them once.
  const units = inputs.units.filter((u) => inShard(u.document.file.path, options.shard));
  // A template only linked goes with its first caller (through callers that are only linked too, up to a
  // scanned one): that is the shard that can tell whether a caller read it.
  const linkedOnly = inputs.linkedOnly.filter((l) => inShard(firstCaller(l.unit.document.file.path, inputs.linkedOnly), options.shard));

  // expand -> resources -> evaluate, one unit at a time: one bad unit never stops the others
  const result: ScanOutput = {
    tool: { name: 'tollgate', version: packageVersion() },
    cwd: options.cwd,
    paths: options.paths,
    files: inputs.files,
    units: [],
    rules: rules.map((r) => r.meta),
    notRun: rulesNotRun({
      rules,
      turnedOff: new Set(ruleSet.turnedOff),
      deselected: new Set(ruleSet.deselected),
      replaced: ruleSet.notRun,
      unavailable: ruleSet.assigned?.unavailable,
    }),
    results: [],
    findings: [],
    diagnostics,
    durationMs: 0,
    skipped: inputs.skipped,
    ...(options.shard && { shard: options.shard }),
  };
  const seenDiagnostics = new Set<string>();
  const loadLinked = linkedFileLoader(sandbox, options.cwd);
  const limits = options.unitTimeoutSeconds === undefined ? undefined : { timeoutMs: options.unitTimeoutSeconds * 1000 };
  const external = [...(options.suppressions ?? []), ...(ruleSet.assigned?.exemptions ?? [])];
  const allSuppressions: Suppression[] = [...external];
  const candidates = new WeakMap<Finding, Suppression[]>();
  const countedComments = new WeakSet<object>();
  // One unit: what it adds is kept aside in `added` and taken only once the unit is complete, so
  // a bug met half-way never leaves rule results without their findings, or findings without
  // the suppressions written next to them.
  type Added = { unit?: ScanOutput['units'][number]; results: ScanOutput['results']; findings: Finding[]; suppressions: Suppression[]; comments: object[] };
  const scanUnit = (unit: ScanUnit, added: Added): void => {
    const parameterDefaults = defaultsFor(unit.document.file.path, options.parameterDefaults);
    const set = resourcesOf(unit, { deployment, loadLinked, resolveRemoteLink, parameterDefaults, limits }, diagnostics, seenDiagnostics);
    added.unit = {
      file: set.file,
      parameterFile: set.parameterFile,
      resources: set.resources.length,
      inventory: set.resources.map((r) => ({ type: r.type, name: r.name, id: r.id })),
      ...(set.notFollowed?.length ? { notFollowed: set.notFollowed } : {}),
    };
    const evaluation = evaluateResources(set, rules, { ruleOptions: ruleSet.options, now: deployment.now ? new Date(deployment.now) : undefined });
    added.results.push(...evaluation.results);
    diagnostics.push(...evaluation.diagnostics);
    // Suppressions written on the resources of this unit, found by resource.
    const onResource = new Map<string, Suppression[]>();
    const problems: Diagnostic[] = [];
    const documentOf = new Map<string, JsonDocument>();
    for (const resource of set.resources) {
      documentOf.set(resourceKey(resource), resource.source.document);
      // An audit (--no-inline-suppressions) does not read them: their findings are reported as any other.
      if (options.inlineSuppressions === false) continue;
      const found = suppressionsOnResource(resource, problems);
      // Bicep: comments above the resource (or above the line of the finding, below).
      const comments = suppressionsInComments(resource.source.document, problems);
      if (!countedComments.has(comments) && !added.comments.includes(comments)) {
        added.comments.push(comments);
        added.suppressions.push(...comments.all);
      }
      found.push(...comments.file, ...(comments.nextLine.get(resource.source.location.start.line) ?? []));
      if (!found.length) continue;
      onResource.set(resourceKey(resource), found);
      added.suppressions.push(...found.filter((f) => !comments.all.includes(f)));
    }
    for (const d of problems) pushOnce(d, diagnostics, seenDiagnostics);
    for (const finding of evaluation.findings) {
      const document = documentOf.get(resourceKey(finding.resource));
      const atLine =
        document && finding.location && options.inlineSuppressions !== false
          ? (suppressionsInComments(document, problems).nextLine.get(finding.location.start.line) ?? [])
          : [];
      const forResource = [...(onResource.get(resourceKey(finding.resource)) ?? []), ...atLine];
      const fromConfig = external.filter(
        (s) =>
          globMatches(s.resourceType, finding.resource.type) &&
          globMatches(s.resourceName, finding.resource.name) &&
          fileMatches(s.file, finding.file) &&
          scopeMatches(s.scope, finding.resource.id),
      );
      candidates.set(finding, [...forResource, ...fromConfig]);
      added.findings.push(finding);
    }
  };
  const runUnit = (unit: ScanUnit): void => {
    const added: Added = { results: [], findings: [], suppressions: [], comments: [] };
    try {
      scanUnit(unit, added);
    } catch (err) {
      // A bug (TypeError, RangeError, …) in expanding or evaluating one unit is that unit's
      // error: the other units are still scanned and the exit code says the result is incomplete.
      pushOnce(internalErrorDiagnostic(err, unit.document.file.path, options.debug), diagnostics, seenDiagnostics);
      return;
    }
    if (added.unit) result.units.push(added.unit);
    result.results.push(...added.results);
    result.findings.push(...added.findings);
    allSuppressions.push(...added.suppressions);
    for (const c of added.comments) countedComments.add(c);
  };
  for (const [index, unit] of units.entries()) {
    options.onProgress?.(index, units.length);
    runUnit(unit);
  }
  // Templates only linked are scanned through their callers; one that no caller read (the link
  // seen in the text was not followed) is scanned on its own after all: nothing goes unchecked.
  // Callers first: a held-back template scanned this way may read others held back.
  for (let pending = linkedOnly; ;) {
    pending = pending.filter((l) => !loadLinked.loaded.has(l.unit.document.file.absPath));
    if (!pending.length) break;
    const held = new Set(pending.map((l) => l.unit.document.file.path));
    const callers = pending.filter((l) => !l.linkedFrom.some((f) => held.has(f)));
    const next = callers.length ? callers : pending.slice(0, 1);
    for (const { unit, linkedFrom } of next) {
      diagnostics.push({
        severity: 'info',
        code: 'scanned-standalone',
        message: `linked from ${linkedFrom.join(', ')}, which did not read it: scanned on its own, with its defaults`,
        file: unit.document.file.path,
      });
      runUnit(unit);
    }
    pending = pending.filter((l) => !next.includes(l));
  }
  const rulesById = new Map(rules.map((r) => [r.meta.id, r.meta]));
  // Unused means "its rule ran and found nothing": a suppression naming a rule that exists but
  // did not run here (off, replaced by assigned policies, not the one policy tested) proves
  // nothing. One naming no rule at all (a typo) is still reported.
  const inForce = rules.filter((r) => r.enabled).map((r) => r.meta);
  const known = [...rules.map((r) => r.meta), ...(ruleSet.notRun ?? [])];
  const couldMatch = (s: Suppression) => s.exemption !== undefined || inForce.some((m) => namesRule(s, m)) || !known.some((m) => namesRule(s, m));
  const applied = applySuppressions(
    result.findings,
    rulesById,
    (f) => candidates.get(f) ?? [],
    allSuppressions.filter(couldMatch),
    options.today ?? new Date(),
  );
  // Before merging: a suppressed finding takes its equivalent twins with it (--rules all too:
  // each rule is reported, but the accepted defect is one).
  const accepted = suppressEquivalents(applied.findings, applied.suppressed, rulesById);
  result.findings = dedupeAcrossParameterFiles(ruleSet.all ? accepted.findings : mergeEquivalentFindings(accepted.findings, rulesById));
  result.suppressed = dedupeAcrossParameterFiles(accepted.suppressed);
  if (ruleSet.assigned) result.compliance = complianceByControl(result.results, applied.suppressed, ruleSet.assigned.assigned, ruleSet.assigned.unavailable);
  for (const d of applied.diagnostics) pushOnce(d, diagnostics, seenDiagnostics);
  result.durationMs = Math.round(performance.now() - started);
  return result;
}

function resourcesOf(unit: ScanUnit, options: ExpandOptions, diagnostics: Diagnostic[], seen: Set<string>): ResourceSet & { notFollowed?: NotFollowed[] } {
  const file = unit.document.file.path;
  const parameterFile = unit.parameterFile?.file.path;
  if (unit.kind === 'export') return { file, resources: resourcesFromExport(unit.document) };
  const expansion = expandTemplate(unit.document, unit.parameterFile, options);
  // The same template with several parameter files would repeat its own problems: report once.
  for (const d of expansion.diagnostics) pushOnce(d, diagnostics, seen);
  return { file, parameterFile, resources: expansion.resources, notFollowed: expansion.notFollowed };
}

/** The scanned template a linked-only template is reached from first (by path), or itself when there is none. */
function firstCaller(file: string, linkedOnly: readonly { unit: ScanUnit; linkedFrom: string[] }[]): string {
  const callersOf = new Map(linkedOnly.map((l) => [l.unit.document.file.path, l.linkedFrom]));
  const seen = new Set<string>();
  let at = file;
  for (let callers = callersOf.get(at); callers?.length && !seen.has(at); callers = callersOf.get(at)) {
    seen.add(at);
    at = [...callers].sort()[0]!;
  }
  return at;
}

/** The configured parameter values whose glob matches the template; later entries win. */
function defaultsFor(file: string, entries: ScanOptions['parameterDefaults']): Record<string, Value> | undefined {
  const matching = (entries ?? []).filter((e) => e.files === '*' || fileMatches(e.files, file));
  return matching.length ? Object.assign({}, ...matching.map((e) => e.values)) : undefined;
}

function pushOnce(d: Diagnostic, diagnostics: Diagnostic[], seen: Set<string>): void {
  const key = diagnosticKey(d);
  if (seen.has(key)) return;
  seen.add(key);
  diagnostics.push(d);
}

function resourceKey(r: { type: string; name: string }): string {
  return `${r.type.toLowerCase()}\u0000${r.name.toLowerCase()}`;
}

function diagnosticKey(d: Diagnostic): string {
  return [d.code, d.message, d.file, d.location?.start.line, d.location?.start.column].join('\u0000');
}
