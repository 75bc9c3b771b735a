import type { Counts, InitiativeCompliance } from '../policy/control-compliance.js';
import { shortControlId } from '../policy/compliance.js';
import { NOT_FOR_TEMPLATES, UNAVAILABLE_DEFINITION } from '../policy/assign.js';
import pc from 'picocolors';
import type { ScanResult } from '../evaluate/scan-result.js';
import type { Finding, Level, RuleResult } from '../findings/finding.js';
import type { Diagnostic } from '../load/diagnostic.js';
import { formatLocation } from '../load/format-location.js';
import { sortDiagnostics, sortFindings, sortResults } from './order.js';
import { summarize, type Summary } from './summary.js';
import { pushTo } from '../multimap.js';
import { visibleStrings } from './visible.js';
import { CANNOT_RUN, type RuleNotRun } from '../evaluate/rules-not-run.js';
import { coverageOf, type Coverage, type Group, type UnitResource } from './coverage.js';

export interface PrettyOptions {
  /** Decided by the caller (terminal, `--no-color`, `NO_COLOR`); the reporter never looks at the environment. */
  color: boolean;
  /** Also list the rule results that are not failures (pass, skip, unknown, error). */
  verbose?: boolean;
  /** Also list suppressed findings, with the reason they are accepted. */
  showSuppressed?: boolean;
  /** Only error-level findings and input errors, then the summary; nothing at all for a clean run. */
  quiet?: boolean;
}

type Colors = ReturnType<typeof pc.createColors>;

/**
 * The terminal report: findings grouped by scanned file and ordered by line, then input
 * problems, then one summary line. Deterministic apart from the duration in the summary.
 * Control and bidi characters from the input are printed as escapes (`\x1b`, `\r`, `\u202e`).
 */
export function formatPretty(scanned: ScanResult, options: PrettyOptions): string {
  // Names, paths and messages come from the scanned files: a raw ESC or CR there would act on the terminal.
  const result = visibleStrings(scanned);
  const c = pc.createColors(options.color);
  const summary = summarize(result);
  if (options.quiet) return quietReport(result, summary, c);
  const blocks: string[] = [];
  for (const [file, findings] of groupByFile(sortFindings(result.findings))) blocks.push(fileBlock(file, findings, c));
  if (options.showSuppressed && result.suppressed?.length) blocks.push(suppressedBlock(result.suppressed, c));
  if (options.verbose) {
    const checks = checksBlock(result.results, c);
    if (checks) blocks.push(checks);
  }
  for (const initiative of result.compliance ?? []) blocks.push(complianceBlock(initiative, options.verbose ?? false, c));
  const diagnostics = diagnosticsBlock(result.diagnostics, options.verbose ?? false, c);
  if (diagnostics) blocks.push(diagnostics);
  const coverage = coverageOf(result);
  if (coverage.resources.found > 0 || coverage.rulesNotRun.cannotRun > 0) blocks.push(coverageBlock(coverage, result, options.verbose ?? false, c));
  blocks.push(closing(summary, c, result.paths, coverage));
  return blocks.join('\n\n') + '\n';
}

function quietReport(result: ScanResult, summary: Summary, c: Colors): string {
  const errors = result.findings.filter((f) => f.level === 'error');
  const inputErrors = result.diagnostics.filter((d) => d.severity === 'error');
  if (!errors.length && !inputErrors.length) return '';
  const blocks: string[] = [];
  for (const [file, findings] of groupByFile(sortFindings(errors))) blocks.push(fileBlock(file, findings, c));
  const diagnostics = diagnosticsBlock(inputErrors, false, c);
  if (diagnostics) blocks.push(diagnostics);
  blocks.push(closing(summary, c, result.paths));
  return blocks.join('\n\n') + '\n';
}

/** Compliance per control of one assigned initiative: the controls Tollgate could evaluate, then what it could not. */
function complianceBlock(ic: InitiativeCompliance, verbose: boolean, c: Colors): string {
  const r = ic.resources;
  const total = r['non-compliant'] + r.compliant + r.exempt + r.unknown + r.error;
  const head = `${c.bold(`Compliance: ${ic.displayName}`)} (assignment ${ic.assignment}): ${
    ic.percent === undefined
      ? 'no resource in scope'
      : `${ic.percent}% of ${total} resource${total === 1 ? '' : 's'} compliant (${r['non-compliant']} non-compliant, ${r.compliant} compliant, ${r.exempt} exempt, ${r.unknown} unknown${r.error ? `, ${r.error} error` : ''})`
  }`;
  const evaluated = ic.controls.filter((k) => k.state !== 'not-available-offline');
  const offline = ic.controls.filter((k) => k.state === 'not-available-offline');
  // State padded to one column, coloured by what it means, then the resource counts.
  const stateAndCounts = (state: string, n: Counts) =>
    `${state === 'non-compliant' ? c.red(state) : state === 'compliant' ? c.green(state) : c.yellow(state)}${' '.repeat(Math.max(1, 16 - state.length))}${n['non-compliant']} non-compliant, ${n.compliant} compliant, ${n.exempt} exempt, ${n.unknown} unknown`;
  const rows = evaluated.map((k) => {
    const extra = k.unavailable.length ? c.dim(` +${k.unavailable.length} not available offline`) : '';
    return `  ${k.shortId.padEnd(14)} ${stateAndCounts(k.state, k.resources)}  ${c.dim(`${k.policies.length} polic${k.policies.length === 1 ? 'y' : 'ies'}`)}${extra}`;
  });
  const lines = [head, ...rows, ...ic.ungrouped.map((p) => `  ${(p.referenceId ?? p.ruleId).padEnd(30)} ${stateAndCounts(p.state, p.resources)}`)];
  lines.push(
    `  ${ic.evaluated} polic${ic.evaluated === 1 ? 'y' : 'ies'} evaluated; ${ic.unavailable.length} not available offline (${offlineWhy(ic.unavailable)})${offline.length ? `, so ${offline.length} control${offline.length === 1 ? ' is' : 's are'} not evaluated` : ''}${
      ic.unavailable.length && !verbose ? ' — --verbose or --format json lists them' : ''
    }`,
  );
  if (verbose)
    for (const u of ic.unavailable)
      lines.push(
        c.dim(
          `    not available offline: ${u.referenceId} (${u.definitionId})${u.groups.length ? ` in ${u.groups.map(shortControlId).join(', ')}` : ''}: ${u.reason}`,
        ),
      );
  return lines.join('\n');
}

/** Why references are not evaluated: Tollgate lacks the definition, or the version asked for. */
function offlineWhy(unavailable: readonly { reason: string }[]): string {
  const missing = unavailable.filter((u) => u.reason === UNAVAILABLE_DEFINITION).length;
  const notForTemplates = unavailable.filter((u) => u.reason.startsWith(NOT_FOR_TEMPLATES)).length;
  const version = unavailable.length - missing - notForTemplates;
  const parts = [
    ...(missing ? [`${missing === unavailable.length ? '' : `${missing}: `}Tollgate does not have the definition`] : []),
    ...(notForTemplates
      ? [
          `${notForTemplates === unavailable.length ? '' : `${notForTemplates}: `}not applicable to deployment templates (Resource Provider mode, denyAction or manual)`,
        ]
      : []),
    ...(version ? [`${version}: not the version asked for`] : []),
  ];
  return parts.join('; ');
}

function suppressedBlock(findings: Finding[], c: Colors): string {
  const lines = sortFindings(findings).map((f) => {
    const s = f.suppression!;
    const until = s.expires ? ` until ${s.expires}` : '';
    const where = s.exemption ? ` (policy exemption ${s.exemption.name})` : s.location ? ` (${formatLocation({ location: s.location })})` : ' (configuration)';
    const state = s.exemption ? `exempt (${s.exemption.category})` : 'suppressed';
    return `${formatLocation({ file: f.file, location: f.location })}  ${c.dim(state)}  ${f.message}  ${c.dim(`[${f.ruleId}]`)}\n    accepted${until}: ${s.justification}${where}`;
  });
  return `${c.bold('Suppressed')}\n${lines.join('\n')}`;
}

function groupByFile(findings: Finding[]): Map<string, Finding[]> {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    pushTo(groups, f.file, f);
  }
  return groups;
}

function fileBlock(file: string, findings: Finding[], c: Colors): string {
  const positions = findings.map((f) => position(f, file));
  const posWidth = Math.max(...positions.map((p) => p.length));
  const levelWidth = Math.max(...findings.map((f) => f.level.length));
  // Detail lines start under the message, so the eye can run down the message column.
  const indent = ' '.repeat(2 + posWidth + 2 + levelWidth + 2);
  const lines = [c.bold(c.underline(file))];
  findings.forEach((f, i) => {
    // A message of several lines (a policy's non-compliance message can have them) stays in its column.
    const message = f.message.replace(/\r?\n/g, `\n${indent}`);
    lines.push(`  ${c.dim(positions[i]!.padEnd(posWidth))}  ${levelColor(f.level, c)(f.level.padEnd(levelWidth))}  ${message}  ${c.dim(f.ruleId)}`);
    for (const detail of details(f)) lines.push(indent + c.dim(detail));
  });
  return lines.join('\n');
}

/** `line:col` when the finding is in the file it is grouped under, the full place when it is not. */
function position(f: Finding, file: string): string {
  if (!f.location) return '-';
  const at = `${f.location.start.line}:${f.location.start.column}`;
  return f.location.file === file ? at : `${f.location.file}:${at}`;
}

function details(f: Finding): string[] {
  const resource = `${f.resource.type} '${f.resource.name}'`;
  const withParameters = f.parameterFiles ?? (f.parameterFile ? [f.parameterFile] : []);
  const first = withParameters.length ? `${resource}, with parameters: ${withParameters.join(', ')}` : resource;
  const origins = f.origins.map((o) => `value set at ${o.location.file}:${o.location.start.line}:${o.location.start.column} (${o.description})`);
  return [first, ...origins];
}

function levelColor(level: Level | Diagnostic['severity'], c: Colors): (text: string) => string {
  if (level === 'error') return c.red;
  if (level === 'warning') return c.yellow;
  return c.blue;
}

function checksBlock(results: RuleResult[], c: Colors): string | undefined {
  // Failures are already listed as findings; verbose output adds what passed or could not be decided.
  const others = sortResults(results.filter((r) => r.outcome !== 'fail'));
  if (others.length === 0) return undefined;
  const width = Math.max(...others.map((r) => r.outcome.length));
  const lines = others.map((r) => {
    const unit = r.parameterFile ? `${r.file}, with parameters: ${r.parameterFile}` : r.file;
    const reason = r.reason ? `  ${r.reason}` : '';
    return `  ${r.outcome.padEnd(width)}  ${r.ruleId}  ${r.resource.type} '${r.resource.name}'  ${c.dim(unit)}${reason}`;
  });
  return [c.bold('Checks'), ...lines].join('\n');
}

function diagnosticsBlock(diagnostics: Diagnostic[], verbose: boolean, c: Colors): string | undefined {
  const shown = sortDiagnostics(diagnostics.filter((d) => verbose || d.severity !== 'info'));
  if (shown.length === 0) return undefined;
  return (
    shown
      // Further lines of a message are indented: text quoted from a template cannot pass for a diagnostic of its own.
      .map((d) => `${formatLocation(d)}  ${levelColor(d.severity, c)(d.severity)}  ${d.message.replace(/\n/g, '\n    ')}  ${c.dim(`[${d.code}]`)}`)
      .join('\n')
  );
}

function closing(s: Summary, c: Colors, paths?: string[], coverage?: Coverage): string {
  const line = summaryLine(s);
  // Never a silent green run: say where nothing was found.
  const where = paths?.length ? ` under ${paths.join(', ')}` : '';
  if (s.resources === 0) return `${c.yellow(`No ARM templates, Bicep files or exported resources found${where}.`)}\n${line}`;
  if (s.findings === 0 && s.inputErrors === 0) {
    // "No problems" covers only what a rule decided; what was not checked is said beside it.
    if (s.resourcesEvaluated === 0) {
      return `${c.yellow(`No rule decided about any of the ${count(s.resources, 'resource')} found: nothing was checked (see Coverage).`)}\n${line}`;
    }
    const of =
      s.resourcesEvaluated === s.resources ? count(s.resources, 'resource') : `the ${s.resourcesEvaluated} of ${s.resources} resources a rule decided about`;
    const cannotRun = coverage?.rulesNotRun.cannotRun ?? 0;
    const cannot = cannotRun ? c.yellow(` ${count(cannotRun, 'definition')} could not run (see Coverage).`) : '';
    return `${c.green(`No problems found in ${of}.`)}${cannot}\n${line}`;
  }
  const tone = s.errors > 0 || s.inputErrors > 0 ? c.red : s.warnings > 0 ? c.yellow : c.blue;
  return tone(c.bold(line));
}

/** `2 files, 4 resources, 2 rules: 1 error, 2 warnings, 0 notes, 1 input error (12 ms)` */
export function summaryLine(s: Summary): string {
  const evaluated = s.resources > 0 ? ` (${s.resourcesEvaluated} evaluated)` : '';
  const scope = `${count(s.files, 'file')}, ${count(s.resources, 'resource')}${evaluated}, ${count(s.rules, 'rule')}`;
  const levels = `${count(s.errors, 'error')}, ${count(s.warnings, 'warning')}, ${count(s.notes, 'note')}`;
  const input = s.inputErrors > 0 ? `, ${count(s.inputErrors, 'input error')}` : '';
  // Undecided checks are not failures, but a reader must not take them for passes.
  const unknown = s.unknown > 0 ? `, ${count(s.unknown, 'check')} undecided (unknown values; --verbose lists them)` : '';
  const suppressed = s.suppressed > 0 ? `, ${s.suppressed} suppressed (--show-suppressed lists them)` : '';
  const baseline = s.baseline ? `, ${s.baseline.known} in the baseline, ${s.baseline.fixed} fixed since` : '';
  return `${scope}: ${levels}${input}${unknown}${suppressed}${baseline} (${s.durationMs} ms)`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Groups shown per heading without --verbose; the rest are counted. */
const GROUPS_SHOWN = 10;
/** Items listed under a group without --verbose (only definitions that cannot run are listed then). */
const ITEMS_SHOWN = 20;

/**
 * What the scan looked at and what it did not: resources no rule evaluated (by type), checks
 * left undecided (by reason), rules not run (by reason; those that cannot run are listed by
 * name), nested deployments not followed (by reason). `--verbose` lists every item.
 */
function coverageBlock(cov: Coverage, result: ScanResult, verbose: boolean, c: Colors): string {
  const r = cov.resources;
  const lines = [c.bold('Coverage')];
  const split = `${r.evaluated} evaluated by at least one rule, ${r.undecided} only undecided, ${r.notEvaluated} that no rule applies to`;
  lines.push(`  ${count(r.found, 'resource')} found: ${split}`);
  const more = (n: number) => c.dim(`    … ${n} more (--verbose lists them)`);
  const grouped = <K extends string>(list: Group<K>[], items: (g: Group<K>) => string[], listItems: (g: Group<K>) => boolean) => {
    const shown = verbose ? list : list.slice(0, GROUPS_SHOWN);
    for (const g of shown) {
      lines.push(`    ${String(g.count).padStart(4)}  ${g.description}`);
      if (!listItems(g)) continue;
      const all = items(g);
      for (const item of verbose ? all : all.slice(0, ITEMS_SHOWN)) lines.push(c.dim(`            ${item}`));
      if (!verbose && all.length > ITEMS_SHOWN) lines.push(more(all.length - ITEMS_SHOWN));
    }
    if (shown.length < list.length) lines.push(more(list.length - shown.length));
  };
  const unit = (file: string, parameterFile?: string) => (parameterFile ? `${file}, with parameters: ${parameterFile}` : file);
  const resource = (x: UnitResource) => `${x.type} '${x.name}'  ${unit(x.file, x.parameterFile)}`;
  if (r.notEvaluated) {
    lines.push('  no rule applies to:');
    const byType = groupBy(cov.items.resourcesNotEvaluated, (x) => x.type.toLowerCase());
    grouped(
      r.notEvaluatedByType,
      (g) => (byType.get(g.key.toLowerCase()) ?? []).map(resource),
      () => verbose,
    );
  }
  if (r.undecided) {
    lines.push(`  ${count(r.undecided, 'resource')} that every applicable rule left undecided${verbose ? ':' : ''}`);
    if (verbose) for (const x of cov.items.resourcesUndecided) lines.push(c.dim(`            ${resource(x)}`));
  }
  const k = cov.checks;
  if (k.undecided) {
    lines.push(`  ${count(k.undecided, 'check')} undecided (a value is unknown before deployment):`);
    const byReason = groupBy(sortResults(result.results.filter((x) => x.outcome === 'unknown')), (x) => x.reason ?? 'no reason given');
    const check = (x: RuleResult) => `${x.ruleId}  ${x.resource.type} '${x.resource.name}'  ${unit(x.file, x.parameterFile)}`;
    grouped(
      k.undecidedByReason,
      (g) => (byReason.get(g.key) ?? []).map(check),
      () => verbose,
    );
  }
  if (k.errors) lines.push(`  ${count(k.errors, 'check')} failed to run (the rule raised an error; listed with the input problems)`);
  const n = cov.rulesNotRun;
  if (n.count) {
    const cannot = n.cannotRun ? `, ${n.cannotRun} of them because ${n.cannotRun === 1 ? 'it cannot' : 'they cannot'}` : '';
    lines.push(`  ${count(n.count, 'rule')} not run${cannot}:`);
    const byReason = groupBy(cov.items.rulesNotRun, (x) => x.reason);
    const reference = (x: RuleNotRun) => (x.referenceId && x.referenceId !== x.title ? `, ${x.referenceId}` : '');
    const assigned = (x: RuleNotRun) => (x.assignment ? ` (assignment ${x.assignment}${reference(x)})` : '');
    grouped(
      n.byReason,
      (g) => (byReason.get(g.key) ?? []).map((x) => `${x.id}${assigned(x)}  ${x.title}${x.detail === g.description ? '' : `: ${x.detail}`}`),
      // Those that cannot run are listed by name even without --verbose: each needs the user to act.
      (g) => verbose || CANNOT_RUN.has(g.key),
    );
  }
  const d = cov.deploymentsNotFollowed;
  if (d.count) {
    lines.push(`  ${count(d.count, 'nested deployment')} not followed (${d.count === 1 ? 'its' : 'their'} resources are not checked):`);
    const byKind = groupBy(cov.items.deploymentsNotFollowed, (x) => x.kind);
    grouped(
      d.byReason,
      (g) => (byKind.get(g.key) ?? []).map((x) => `${formatLocation(x)}  deployment '${x.deployment}': ${x.detail}`),
      () => verbose,
    );
  }
  // Strings from the input are already visible (`visibleStrings` made the copy the coverage was computed from).
  return lines.join('\n');
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) pushTo(out, key(item), item);
  return out;
}
