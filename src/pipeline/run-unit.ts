import type { DeploymentContext } from '../arm/expression/context.js';
import { DEFAULT_DEPLOYMENT, evaluateBicepParamValues, expandTemplate, type ExpandOptions } from '../arm/template/expand.js';
import type { NotFollowed } from '../arm/template/not-followed.js';
import type { RemoteLinkResolver } from '../arm/template/expansion-run.js';
import { evaluateResources } from '../evaluate/engine.js';
import type { RuleSet } from '../evaluate/rule-set.js';
import type { ScannedUnit } from '../evaluate/scan-result.js';
import type { Finding, RuleResult, Suppression } from '../findings/finding.js';
import { fileMatches, suppressionsInComments, suppressionsOnResource } from '../findings/suppressions.js';
import { linkedFileLoader, remoteLinkResolver } from '../input/linked-files.js';
import { loadUnit, type LoadedUnit } from '../input/load-inputs.js';
import { detachStrings } from './detach.js';
import type { ScanUnit } from '../input/pair-parameters.js';
import { internalErrorDiagnostic, type Diagnostic } from '../load/diagnostic.js';
import type { JsonDocument } from '../load/json-document.js';
import { Sandbox } from '../load/sandbox.js';
import { resourcesFromExport } from '../resources/from-export.js';
import type { ResourceSet } from '../resources/resource.js';
import type { Value } from '../resources/value.js';
import type { Rule } from '../rules/rule.js';
import type { ScanOptions } from './scan-options.js';

/** What running one unit needs, built once per scan (and once per worker thread). */
export interface UnitContext {
  cwd: string;
  /** The scan's sandbox; each unit reads through a fork of it. */
  sandbox: Sandbox;
  rules: readonly Rule[];
  ruleOptions?: RuleSet['options'];
  deployment: DeploymentContext;
  resolveRemoteLink?: RemoteLinkResolver;
  parameterDefaults?: ScanOptions['parameterDefaults'];
  limits?: { timeoutMs: number };
  inlineSuppressions: boolean;
  debug?: boolean;
}

export function unitContext(options: ScanOptions, ruleSet: RuleSet): UnitContext {
  return {
    cwd: options.cwd,
    // Every file read goes through one sandbox: the scanned paths' git work tree.
    sandbox: Sandbox.forPaths([...options.paths, ...(options.parameters ?? [])], {
      cwd: options.cwd,
      environment: options.env,
      ...(options.bicepModuleCache !== undefined && { moduleMirror: options.bicepModuleCache }),
      ...(options.overlay && { overlay: options.overlay }),
    }),
    rules: ruleSet.rules,
    ruleOptions: ruleSet.options,
    deployment: { ...DEFAULT_DEPLOYMENT, ...options.deployment },
    resolveRemoteLink: remoteLinkResolver(options.links),
    parameterDefaults: options.parameterDefaults,
    limits: options.unitTimeoutSeconds === undefined ? undefined : { timeoutMs: options.unitTimeoutSeconds * 1000 },
    inlineSuppressions: options.inlineSuppressions !== false,
    debug: options.debug,
  };
}

/**
 * A suppression a finding may be accepted by, by reference: `comments` names the file whose
 * Bicep comments hold it (the scan keeps one copy of each file's comment suppressions however many
 * units read the file), `own` indexes the unit's own suppressions (resource metadata).
 */
export type SuppressionRef = { comments: string; index: number } | { own: number };

/**
 * Everything one unit adds to the scan, as plain data: it crosses from a worker thread by
 * structured clone and is stored in the result cache as JSON, so it holds no documents, resources
 * or functions. The scan merges outcomes in the units' order, whichever thread ran them.
 */
export interface UnitOutcome {
  /** Absent when the unit failed (its error is among `diagnostics`). */
  unit?: ScannedUnit;
  results: RuleResult[];
  findings: { finding: Finding; suppressions: SuppressionRef[] }[];
  /** Suppressions written on the unit's resources (metadata). */
  own: Suppression[];
  /** Suppressions in the comments of each Bicep file the unit's resources are declared in, by absolute path. */
  comments: { file: string; suppressions: Suppression[] }[];
  /** In the order they arose; `once`: reported once per scan however many units meet it. */
  diagnostics: { diagnostic: Diagnostic; once: boolean }[];
  /** Absolute paths (as linked and real) of the files the unit read as linked templates or modules. */
  linked: string[];
  /** The UTC day, when a rule read the live clock: the outcome holds for that day only (the result cache's entry too). */
  clock?: string;
}

/**
 * Expands and evaluates one unit, from reading its files to its findings with their candidate
 * suppressions. Everything the unit built (documents, resources) is garbage once this returns.
 * `onRead` sees every file the unit reads (the result cache's dependencies).
 */
export function runUnit(unit: ScanUnit, ctx: UnitContext, onRead?: (absPath: string, content: Buffer | undefined) => void): UnitOutcome {
  const out: UnitOutcome = { results: [], findings: [], own: [], comments: [], diagnostics: [], linked: [] };
  // A fork per unit: the Bicep loader's caches (per sandbox) are released with the unit.
  const sandbox = ctx.sandbox.fork(onRead);
  const loadLinked = linkedFileLoader(sandbox, ctx.cwd);
  try {
    const loaded = loadUnit(unit, ctx.cwd, sandbox, evaluateBicepParamValues);
    const parameterDefaults = defaultsFor(loaded.document.file.path, ctx.parameterDefaults);
    const set = resourcesOf(
      loaded,
      { deployment: ctx.deployment, loadLinked, resolveRemoteLink: ctx.resolveRemoteLink, parameterDefaults, limits: ctx.limits },
      out,
    );
    collect(set, ctx, out);
  } catch (err) {
    // A bug (TypeError, RangeError, …) in expanding or evaluating one unit is that unit's error:
    // what it added is dropped (never rule results without their findings), the diagnostics met on
    // the way are kept, and the other units are still scanned.
    out.unit = undefined;
    out.results = [];
    out.findings = [];
    out.own = [];
    out.comments = [];
    out.diagnostics.push({ diagnostic: internalErrorDiagnostic(err, unit.file.path, ctx.debug), once: true });
  }
  out.linked = [...loadLinked.loaded];
  detachStrings(out);
  return out;
}

function collect(set: ResourceSet & { notFollowed?: NotFollowed[] }, ctx: UnitContext, out: UnitOutcome): void {
  const unit: ScannedUnit = {
    file: set.file,
    parameterFile: set.parameterFile,
    resources: set.resources.length,
    inventory: set.resources.map((r) => ({ type: r.type, name: r.name, id: r.id })),
    ...(set.notFollowed?.length ? { notFollowed: set.notFollowed } : {}),
  };
  const evaluation = evaluateResources(set, ctx.rules, { ruleOptions: ctx.ruleOptions, now: ctx.deployment.now ? new Date(ctx.deployment.now) : undefined });
  out.results.push(...evaluation.results);
  if (evaluation.clockRead) out.clock = evaluation.clockRead.toISOString().slice(0, 10);
  for (const diagnostic of evaluation.diagnostics) out.diagnostics.push({ diagnostic, once: false });
  // Suppressions written on the resources of this unit, found by resource.
  const onResource = new Map<string, SuppressionRef[]>();
  const problems: Diagnostic[] = [];
  const documentOf = new Map<string, JsonDocument>();
  const commentsOf = new Map<JsonDocument, { file: string; all: readonly Suppression[] }>();
  const refOf = (s: Suppression, document: JsonDocument): SuppressionRef => {
    const comments = commentsOf.get(document);
    const index = comments ? comments.all.indexOf(s) : -1;
    if (comments && index >= 0) return { comments: comments.file, index };
    out.own.push(s);
    return { own: out.own.length - 1 };
  };
  for (const resource of set.resources) {
    const document = resource.source.document;
    documentOf.set(resourceKey(resource), document);
    // An audit (--no-inline-suppressions) does not read them: their findings are reported as any other.
    if (!ctx.inlineSuppressions) continue;
    const found = suppressionsOnResource(resource, problems);
    // Bicep: comments above the resource (or above the line of the finding, below).
    const comments = suppressionsInComments(document, problems);
    if (!commentsOf.has(document)) {
      const file = document.file.absPath;
      commentsOf.set(document, { file, all: comments.all });
      if (!out.comments.some((c) => c.file === file)) out.comments.push({ file, suppressions: [...comments.all] });
    }
    found.push(...comments.file, ...(comments.nextLine.get(resource.source.location.start.line) ?? []));
    if (!found.length) continue;
    const refs = onResource.get(resourceKey(resource)) ?? [];
    for (const s of found) refs.push(refOf(s, document));
    onResource.set(resourceKey(resource), refs);
  }
  for (const diagnostic of problems) out.diagnostics.push({ diagnostic, once: true });
  for (const finding of evaluation.findings) {
    const document = documentOf.get(resourceKey(finding.resource));
    const atLine =
      document && finding.location && ctx.inlineSuppressions
        ? (suppressionsInComments(document, problems).nextLine.get(finding.location.start.line) ?? []).map((s) => refOf(s, document))
        : [];
    out.findings.push({ finding, suppressions: [...(onResource.get(resourceKey(finding.resource)) ?? []), ...atLine] });
  }
  out.unit = unit;
}

function resourcesOf(unit: LoadedUnit, options: ExpandOptions, out: UnitOutcome): ResourceSet & { notFollowed?: NotFollowed[] } {
  const file = unit.document.file.path;
  const parameterFile = unit.parameterFile?.file.path;
  if (unit.kind === 'export') return { file, resources: resourcesFromExport(unit.document) };
  const expansion = expandTemplate(unit.document, unit.parameterFile, options);
  // The same template with several parameter files would repeat its own problems: report once.
  for (const diagnostic of expansion.diagnostics) out.diagnostics.push({ diagnostic, once: true });
  return { file, parameterFile, resources: expansion.resources, notFollowed: expansion.notFollowed };
}

/** The configured parameter values whose glob matches the template; later entries win. */
function defaultsFor(file: string, entries: ScanOptions['parameterDefaults']): Record<string, Value> | undefined {
  const matching = (entries ?? []).filter((e) => e.files === '*' || fileMatches(e.files, file));
  return matching.length ? Object.assign({}, ...matching.map((e) => e.values)) : undefined;
}

function resourceKey(r: { type: string; name: string }): string {
  return `${r.type.toLowerCase()}\u0000${r.name.toLowerCase()}`;
}
