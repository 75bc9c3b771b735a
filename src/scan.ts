import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { evaluateBicepParamValues } from './arm/template/expand.js';
import { findCandidates, loadInputs, type InputOptions } from './input/load-inputs.js';
import { isDirectory, isFile } from './load/file-kind.js';
import type { ScanUnit } from './input/pair-parameters.js';
import { INTERNAL_ERROR, type Diagnostic } from './load/diagnostic.js';
import type { Sandbox } from './load/sandbox.js';
import { packageVersion } from './package-root.js';
import type { Finding, Suppression } from './findings/finding.js';
import { dedupeAcrossParameterFiles } from './findings/dedupe.js';
import { mergeEquivalentFindings, suppressEquivalents } from './findings/equivalents.js';
import { complianceByControl } from './policy/control-compliance.js';
import { rulesNotRun } from './evaluate/rules-not-run.js';
import { inShard } from './shard.js';
import { applySuppressions, fileMatches, globMatches, namesRule, scopeMatches } from './findings/suppressions.js';
import { unitContext, type UnitOutcome } from './pipeline/run-unit.js';
import { ResultCache, runRecorded, sha256 } from './pipeline/result-cache.js';
import { ScanRecords, type ScanKey } from './pipeline/scan-record.js';
import { heapBound } from './pipeline/heap-bound.js';
import type { RunOutcome, UnitRunner } from './pipeline/worker-pool.js';
export type { RunOutcome, UnitRunner };

import type { ScanOptions, ScanOutput } from './pipeline/scan-options.js';
export type { ScanOptions, ScanOutput };

import { loadRuleSet, type RuleSet } from './evaluate/rule-set.js';
// The CLI, the rule tester and the tests read the rule set from here, with the scan.
export { loadRuleSet, type RuleSet };

/** The whole pipeline in this thread: discover -> load -> expand -> resources -> evaluate. Reporting is the caller's. */
export function scan(options: ScanOptions): ScanOutput {
  const run = pipeline(options);
  for (let step = run.next(); ;) {
    if (step.done) return step.value;
    step = run.next(step.value.units.map(step.value.runHere));
  }
}

/** `scan` with the units run by `runner` when it is worth it; the result is the same, byte for byte. */
export async function scanWith(options: ScanOptions, runner: UnitRunner | undefined): Promise<ScanOutput> {
  const run = pipeline(runner ? { ...options, onCandidates: (files) => runner.prestart(files) } : options);
  let useRunner: boolean | undefined;
  try {
    for (let step = run.next(); ;) {
      if (step.done) return step.value;
      const { units, runHere, runLocal, cached, store, caching } = step.value;
      useRunner ??= runner !== undefined && runner.worthIt(units);
      // Cached units are not sent to the workers.
      const outcomes: (UnitOutcome | undefined)[] = useRunner ? units.map(cached) : [];
      let ran: RunOutcome[] | undefined;
      if (useRunner && runner) {
        const missing = units.filter((_, i) => outcomes[i] === undefined);
        let done = units.length - missing.length;
        ran = await runner.run(missing, {
          dependencies: caching,
          onDone: () => options.onProgress?.(++done, units.length),
          here: runLocal,
          // Workers that cannot start (no threads, a broken install) leave the scan to this thread.
          onNoWorkers: (err) => {
            useRunner = false;
            process.stderr.write(`tollgate: scan workers did not start (${err.message}); scanning in one thread\n`);
          },
        });
      }
      if (!ran) {
        // In this thread (no runner, or not worth it for these units).
        step = run.next(units.map(runHere));
        continue;
      }
      let next = 0;
      step = run.next(
        outcomes.map((o, i) => {
          if (o) return o;
          const r = ran![next++]!;
          store(units[i]!, r);
          return r.outcome;
        }),
      );
    }
  } finally {
    await runner?.close();
  }
}

interface Batch {
  units: ScanUnit[];
  /** Runs one unit in this thread (through the cache, when there is one). */
  runHere: (unit: ScanUnit) => UnitOutcome;
  /** Runs one unit in this thread beside the workers: its outcome as a worker gives it (what it read, when caching), for `store`. */
  runLocal: (unit: ScanUnit) => RunOutcome;
  /** The cached outcome of a unit, if any. */
  cached: (unit: ScanUnit) => UnitOutcome | undefined;
  /** Keeps in the cache the outcome a runner computed. */
  store: (unit: ScanUnit, ran: RunOutcome) => void;
  /** Whether there is a result cache (a runner then records what each unit reads). */
  caching: boolean;
}

/**
 * The scan as a sequence of batches of units: the caller runs each batch (here or in workers) and
 * hands back the outcomes in the batch's order; they are merged in that order, so the result does
 * not depend on which thread ran what. Only the outcomes (findings, rule results, small per-unit
 * records) are kept: a unit's documents and resources are released when it is done.
 */
function* pipeline(options: ScanOptions): Generator<Batch, ScanOutput, UnitOutcome[]> {
  const started = performance.now();
  const diagnostics: Diagnostic[] = [];
  const ruleSet = options.ruleSet ?? loadRuleSet(options.policyEffects);
  const rules = ruleSet.rules;
  diagnostics.push(...ruleSet.diagnostics);
  const ctx = unitContext(options, ruleSet);

  const identity = options.cache === undefined ? undefined : cacheIdentity(options, ruleSet, ctx.sandbox);
  const cacheDir = options.cache === undefined ? undefined : path.resolve(options.cwd, options.cache);
  const cache = cacheDir === undefined || identity === undefined ? undefined : new ResultCache(cacheDir, identity);
  // The whole scan's record (scan-record.ts): the folders the walk lists and the existence checks
  // of link resolution are part of it.
  const key = cacheDir !== undefined && identity !== undefined && recordable(options) ? scanKey(options, ruleSet) : undefined;
  const records = cacheDir !== undefined && identity !== undefined && key ? new ScanRecords(cacheDir, identity, key, Date.now()) : undefined;
  const probes = new Map<string, boolean>();
  const probe = (absPath: string) => {
    const exists = isFile(absPath);
    probes.set(absPath, exists);
    return exists;
  };
  const listed: string[] = [];
  let keepRecord = true;

  // discover + load
  const inputOptions: InputOptions = {
    ...options,
    sandbox: ctx.sandbox,
    resolveRemoteLink: ctx.resolveRemoteLink,
    evaluateBicepParams: evaluateBicepParamValues,
    ...(cache && { memo: (candidate, compute) => cache.memo([candidate.absPath, candidate.explicit], compute) }),
    // The cache's own folder, when it is inside a scanned one, holds no template and changes with
    // every scan: walked, it would make every re-scan walk again.
    ...(records && {
      isFile: probe,
      onDirectory: (dir) => {
        if (dir === cacheDir) return false;
        listed.push(dir);
        return true;
      },
    }),
  };
  const unchangedWalk = records?.unchangedWalk();
  const found = unchangedWalk ?? findCandidates(inputOptions, ctx.sandbox);
  const recorded = records?.take(found);
  if (recorded) {
    recorded.durationMs = Math.round(performance.now() - started);
    return recorded;
  }
  const inputs = loadInputs(inputOptions, found);
  diagnostics.push(...inputs.diagnostics);
  // A shard keeps the units of its templates (all parameter files of a template stay together, so
  // findings merged across them are merged the same). Every file is still read and parsed: the
  // diagnostics of the input are the same in every shard, and `tollgate merge` reports them once.
  const units = inputs.units.filter((u) => inShard(u.file.path, options.shard));
  // A template only linked goes with its first caller (through callers that are only linked too, up to a
  // scanned one): that is the shard that can tell whether a caller read it.
  const linkedOnly = inputs.linkedOnly.filter((l) => inShard(firstCaller(l.unit.file.path, inputs.linkedOnly), options.shard));

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
  const runMissing = (unit: ScanUnit): UnitOutcome => {
    const { outcome, dependencies } = runRecorded(unit, ctx, cache !== undefined);
    if (cache && dependencies) cache.set(unit, dependencies, outcome);
    return outcome;
  };
  const between = options.boundHeap ? heapBound() : undefined;
  const runHere = (unit: ScanUnit): UnitOutcome => {
    const outcome = cache?.get(unit) ?? runMissing(unit);
    between?.();
    return outcome;
  };
  const runLocal = (unit: ScanUnit): RunOutcome => {
    const ran = runRecorded(unit, ctx, cache !== undefined);
    between?.();
    return ran;
  };
  const batch = (list: ScanUnit[]): Batch => ({
    units: list,
    runHere,
    runLocal,
    cached: (unit) => cache?.get(unit),
    store: (unit, ran) => {
      if (cache && ran.dependencies) cache.set(unit, ran.dependencies, ran.outcome);
      // A unit a worker could not finish (it died, it ran out of memory) says nothing of what it
      // read: a record of this scan would keep its failure while none of its files changed.
      else if (cache) keepRecord = false;
    },
    caching: cache !== undefined,
  });

  const seenDiagnostics = new Set<string>();
  const loadedLinked = new Set<string>();
  const external = [...(options.suppressions ?? []), ...(ruleSet.assigned?.exemptions ?? [])];
  const allSuppressions: Suppression[] = [...external];
  const candidates = new WeakMap<Finding, Suppression[]>();
  // Comment suppressions per file: one copy however many units read the file.
  const commentSets = new Map<string, Suppression[]>();
  let done = 0;
  const absorb = (outcome: UnitOutcome): void => {
    options.onProgress?.(done++, units.length);
    for (const { diagnostic, once } of outcome.diagnostics) {
      if (once) pushOnce(diagnostic, diagnostics, seenDiagnostics);
      else diagnostics.push(diagnostic);
    }
    for (const l of outcome.linked) loadedLinked.add(l);
    if (!outcome.unit) return;
    result.units.push(outcome.unit);
    result.results.push(...outcome.results);
    for (const c of outcome.comments) {
      if (commentSets.has(c.file)) continue;
      commentSets.set(c.file, c.suppressions);
      allSuppressions.push(...c.suppressions);
    }
    allSuppressions.push(...outcome.own);
    for (const { finding, suppressions } of outcome.findings) {
      const written = suppressions.flatMap((ref) => {
        const s = 'own' in ref ? outcome.own[ref.own] : commentSets.get(ref.comments)?.[ref.index];
        return s ? [s] : [];
      });
      const fromConfig = external.filter(
        (s) =>
          globMatches(s.resourceType, finding.resource.type) &&
          globMatches(s.resourceName, finding.resource.name) &&
          fileMatches(s.file, finding.file) &&
          scopeMatches(s.scope, finding.resource.id),
      );
      candidates.set(finding, [...written, ...fromConfig]);
      result.findings.push(finding);
    }
  };

  // expand -> resources -> evaluate, unit by unit: one bad unit never stops the others
  for (const outcome of yield batch(units)) absorb(outcome);
  // Templates only linked are scanned through their callers; one that no caller read (the link
  // seen in the text was not followed) is scanned on its own after all: nothing goes unchecked.
  // Callers first: a held-back template scanned this way may read others held back.
  for (let pending = linkedOnly; ;) {
    pending = pending.filter((l) => !loadedLinked.has(l.unit.file.absPath));
    if (!pending.length) break;
    const held = new Set(pending.map((l) => l.unit.file.path));
    const callers = pending.filter((l) => !l.linkedFrom.some((f) => held.has(f)));
    const next = callers.length ? callers : pending.slice(0, 1);
    // Each unit's notice, then its outcome, as when they ran one by one.
    const outcomes = yield batch(next.map((l) => l.unit));
    for (const [i, { unit, linkedFrom }] of next.entries()) {
      diagnostics.push({
        severity: 'info',
        code: 'scanned-standalone',
        message: `linked from ${linkedFrom.join(', ')}, which did not read it: scanned on its own, with its defaults`,
        file: unit.file.path,
      });
      absorb(outcomes[i]!);
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
  if (cache) {
    cache.close();
    // An internal error (a bug in one file's reading or one unit, or a worker that died) may not
    // happen again: the next scan tries again rather than take it from a record.
    if (keepRecord && !diagnostics.some((d) => d.code === INTERNAL_ERROR))
      records?.keep(found, unchangedWalk ? 'unchanged' : listed, probes, cache.used, cache.hits + cache.misses, result);
    result.cache = { hits: cache.hits, misses: cache.misses };
  }
  result.durationMs = Math.round(performance.now() - started);
  return result;
}

/**
 * Whether a scan can have a record of its whole output (scan-record.ts): scans of folders. A named
 * file stands for what it belongs to, found by reading other files; an overlay (the editor's
 * unsaved text) or link graphs kept between scans are state the record does not see.
 */
function recordable(options: ScanOptions): boolean {
  return !options.overlay && !options.linkGraphs && !options.parameters?.length && options.paths.every((p) => isDirectory(path.resolve(options.cwd, p)));
}

/**
 * The options a scan's output depends on besides its identity (cacheIdentity), and the day
 * (suppressions expire by the calendar). The identity keys what a unit's outcome depends on; the
 * stages after the units also read what the rule set says beyond its rules: `--rules all`, the
 * rules turned off or left out, the assignments, their exemptions and what they lack.
 */
function scanKey(options: ScanOptions, ruleSet: RuleSet): ScanKey | undefined {
  const today = (options.today ?? new Date()).toISOString().slice(0, 10);
  const assigned = ruleSet.assigned;
  try {
    return {
      scope: {
        rules: sha256(
          JSON.stringify({
            all: ruleSet.all ?? false,
            turnedOff: ruleSet.turnedOff ?? [],
            deselected: ruleSet.deselected ?? [],
            notRun: ruleSet.notRun ?? [],
            defaultSkipped: ruleSet.defaultSkipped ?? [],
            diagnostics: ruleSet.diagnostics,
            effectErrors: ruleSet.effectErrors,
            assigned: assigned
              ? {
                  rules: assigned.assigned.map((a) => [a.rule.meta.id, a.assignment, a.initiative?.name ?? null, a.referenceId ?? null, a.groups]),
                  unavailable: assigned.unavailable,
                  exemptions: assigned.exemptions,
                }
              : null,
          }),
        ),
        paths: options.paths,
        include: options.include ?? null,
        exclude: options.exclude ?? null,
        skipUnrecognized: options.skipUnrecognized ?? false,
        suppressions: options.suppressions ?? null,
        standalone: options.standalone ?? false,
        related: options.related ?? true,
        debug: options.debug ?? false,
        shard: options.shard ?? null,
      },
      today,
    };
  } catch {
    // A rule set this cannot write down (a plugin's cyclic metadata): no record, the units still cached.
    return undefined;
  }
}

/**
 * What cached results depend on besides the files a unit reads: Tollgate's version, the rules
 * (metadata: id, level, effect, types; whether they run) and their options, the scan options that
 * change a unit's outcome, and what the caller adds (the configuration and policy files).
 */
function cacheIdentity(options: ScanOptions, ruleSet: RuleSet, sandbox: Sandbox): string {
  return sha256(
    JSON.stringify({
      version: packageVersion(),
      rules: ruleSet.rules.map((r) => [r.meta, r.enabled]),
      ruleOptions: ruleSet.options ?? null,
      deployment: options.deployment ?? null,
      parameterDefaults: options.parameterDefaults ?? null,
      links: options.links ?? null,
      env: options.env ?? null,
      inlineSuppressions: options.inlineSuppressions !== false,
      unitTimeoutSeconds: options.unitTimeoutSeconds ?? null,
      bicepModuleCache: options.bicepModuleCache ?? null,
      // What may be read (a unit's outcome depends on what the sandbox refuses), not the paths
      // named: a --changed-since scan of the same work tree takes the results of a full one.
      sandbox: sandbox.describe(),
      cwd: options.cwd,
      caller: options.cacheIdentity ?? null,
    }),
  );
}

/** The scanned template a linked-only template is reached from first (by path), or itself when there is none. */
function firstCaller(file: string, linkedOnly: readonly { unit: ScanUnit; linkedFrom: string[] }[]): string {
  const callersOf = new Map(linkedOnly.map((l) => [l.unit.file.path, l.linkedFrom]));
  const seen = new Set<string>();
  let at = file;
  for (let callers = callersOf.get(at); callers?.length && !seen.has(at); callers = callersOf.get(at)) {
    seen.add(at);
    at = [...callers].sort()[0]!;
  }
  return at;
}

function pushOnce(d: Diagnostic, diagnostics: Diagnostic[], seen: Set<string>): void {
  const key = diagnosticKey(d);
  if (seen.has(key)) return;
  seen.add(key);
  diagnostics.push(d);
}

function diagnosticKey(d: Diagnostic): string {
  return [d.code, d.message, d.file, d.location?.start.line, d.location?.start.column].join('\u0000');
}
