import type { ScanResult } from '../evaluate/scan-result.js';
import type { Finding } from '../findings/finding.js';
import type { Diagnostic } from '../load/diagnostic.js';
import { formatLocation } from '../load/format-location.js';
import { sortDiagnostics, sortFindings } from './order.js';
import { summarize } from './summary.js';
import { visible, wellFormed } from './visible.js';
import { coverageOf, type Coverage } from './coverage.js';
import { CANNOT_RUN } from '../evaluate/rules-not-run.js';

const TOP = 20;
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'informational'] as const;
const RANK: Record<string, number> = { error: 0, warning: 1, note: 2 };

/**
 * `--format markdown`: a pull-request comment. The verdict, counts by severity and level, the
 * most severe findings (at most 20) with `file#Lline` links, input errors, and the full list
 * folded away when there are more.
 */
export function formatMarkdown(result: ScanResult): string {
  const out = headLines(result);
  const findings = bySeriousness(result.findings);
  if (findings.length) {
    out.push('');
    out.push(`#### ${findings.length > TOP ? `Top ${TOP} of ${findings.length} findings` : 'Findings'}`);
    out.push('');
    out.push(...table(findings.slice(0, TOP)));
    if (findings.length > TOP) {
      out.push('');
      out.push(`${findings.length - TOP} more.`);
      out.push('');
      out.push('<details><summary>All findings</summary>');
      out.push('');
      out.push(...table(findings));
      out.push('');
      out.push('</details>');
    }
  }
  const inputs = sortDiagnostics(result.diagnostics.filter((d) => d.severity === 'error'));
  if (inputs.length) {
    out.push('');
    out.push('#### Input errors');
    out.push('');
    for (const d of inputs) out.push(inputErrorLine(d));
  }
  out.push('', ...coverageSection(coverageOf(result)));
  return out.join('\n') + '\n';
}

/** The verdict, the counts by level and the counts by severity: the top of every Markdown report. */
export function headLines(result: ScanResult): string[] {
  const s = summarize(result);
  const failed = s.errors > 0 || s.inputErrors > 0;
  const out: string[] = [];
  out.push(`### Tollgate: ${failed ? '❌ fails' : '✅ passes'}`);
  out.push('');
  const n = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;
  out.push(
    `${n(s.files, 'file')}, ${n(s.resources, 'resource')}, ${n(s.rules, 'rule')}: **${n(s.errors, 'error')}**, ${n(s.warnings, 'warning')}, ${n(s.notes, 'note')}` +
      `${s.inputErrors ? `, **${n(s.inputErrors, 'input error')}**` : ''}${s.suppressed ? `, ${s.suppressed} suppressed` : ''}${s.unknown ? `, ${n(s.unknown, 'check')} undecided (unknown values)` : ''}` +
      `${s.baseline ? `, ${s.baseline.known} in the baseline, ${s.baseline.fixed} fixed since` : ''}.`,
  );
  out.push('');
  const bySeverity = SEVERITIES.map((v) => result.findings.filter((f) => f.severity === v).length);
  out.push(`| ${SEVERITIES.join(' | ')} |`);
  out.push(`|${SEVERITIES.map(() => '---:').join('|')}|`);
  out.push(`| ${bySeverity.join(' | ')} |`);
  return out;
}

/**
 * What was not evaluated: one line of counts, every definition that cannot run (the user must
 * act), then the groups and items folded away.
 */
export function coverageSection(c: Coverage): string[] {
  return [...coverageSummary(c), ...coverageDetails(c)];
}

/** The coverage heading, its line of counts, and the definitions that cannot run. */
export function coverageSummary(c: Coverage): string[] {
  const n = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;
  const r = c.resources;
  const out = [
    '#### Coverage',
    '',
    `${n(r.found, 'resource')} found: ${r.evaluated} evaluated by at least one rule, ${r.undecided} only undecided, ` +
      `**${r.notEvaluated} that no rule applies to**. ` +
      `${n(c.checks.undecided, 'check')} undecided; ${n(c.rulesNotRun.count, 'rule')} not run (${c.rulesNotRun.cannotRun} cannot run); ` +
      `${n(c.deploymentsNotFollowed.count, 'nested deployment')} not followed.`,
  ];
  const cannot = c.items.rulesNotRun.filter((x) => CANNOT_RUN.has(x.reason));
  if (cannot.length) {
    out.push('', '**Definitions that cannot run:**', '');
    for (const x of cannot) out.push(`- ${code(x.id)} ${cell(x.title)}: ${cell(x.detail)}${x.assignment ? ` (assignment ${code(x.assignment)})` : ''}`);
  }
  return out;
}

/** What was not evaluated, by group and item, folded away (empty when everything was). */
export function coverageDetails(c: Coverage): string[] {
  const r = c.resources;
  const out: string[] = [];
  const withParameters = (parameterFile: string | undefined) => (parameterFile ? ` with ${code(parameterFile)}` : '');
  const tables: string[] = [];
  const table = (heading: string, rows: { key: string; description: string; count: number }[], byKey = false) => {
    if (!rows.length) return;
    tables.push('', `| ${heading} | count |`, '|---|---:|', ...rows.map((g) => `| ${byKey ? code(g.key) : cell(g.description)} | ${g.count} |`));
  };
  table('resource type no rule applies to', r.notEvaluatedByType, true);
  table('why checks are undecided', c.checks.undecidedByReason);
  table('why rules did not run', c.rulesNotRun.byReason);
  table('why nested deployments were not followed', c.deploymentsNotFollowed.byReason);
  const items = [
    ...c.items.resourcesNotEvaluated.map((x) => `- not evaluated: ${code(x.type)} ${cell(x.name)} in ${code(x.file)}${withParameters(x.parameterFile)}`),
    ...c.items.rulesNotRun.filter((x) => !CANNOT_RUN.has(x.reason)).map((x) => `- not run: ${code(x.id)} ${cell(x.title)}: ${cell(x.detail)}`),
    ...c.items.deploymentsNotFollowed.map((d) => `- not followed: deployment ${cell(d.deployment)} at ${code(formatLocation(d))}: ${cell(d.detail)}`),
  ];
  if (tables.length || items.length) {
    out.push('', '<details><summary>What was not evaluated</summary>', ...tables, ...(items.length ? ['', ...items] : []), '', '</details>');
  }
  return out;
}

export function bySeriousness(findings: readonly Finding[]): Finding[] {
  return sortFindings(findings).sort((a, b) => (RANK[a.level] ?? 3) - (RANK[b.level] ?? 3) || SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity));
}

export const TABLE_HEAD = ['| | rule | resource | where | message |', '|---|---|---|---|---|'] as const;

function table(findings: Finding[]): string[] {
  return [...TABLE_HEAD, ...findings.map(findingRow)];
}

/** One finding as a row of the findings table, with a `file#Lline` link. */
export function findingRow(f: Finding): string {
  const where = f.location ? `${f.location.file}#L${f.location.start.line}` : f.file;
  const target = linkTarget(f.location?.file ?? f.file) + (f.location ? `#L${f.location.start.line}` : '');
  return `| ${f.level === 'error' ? '🔴' : f.level === 'warning' ? '🟠' : '🔵'} ${f.severity} | ${code(f.ruleId)} | ${cell(f.resource.name)} | [${cell(where)}](${target}) | ${cell(f.message)} |`;
}

/** One input error as a list item: where, what, its code. */
export function inputErrorLine(d: Diagnostic): string {
  return `- ${code(formatLocation(d))} ${cell(d.message)} (${code(d.code)})`;
}

/**
 * A link to a scanned file, relative to where the scan ran: each path segment percent-encoded,
 * so a `#`, `?`, space, `(`, `)` or `|` in a name cannot end or split the link, and a colon is
 * `%3A`: a first folder named `javascript:alert(1)` stays a folder, never a URL scheme. A path
 * starting `//` would be another host: it is made `.//`.
 */
function linkTarget(file: string): string {
  const encoded = wellFormed(file)
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
  return encoded.startsWith('//') ? `.${encoded}` : encoded;
}

/**
 * Text from templates in a cell: on one line, control and bidi characters shown as escapes,
 * and the characters markdown would act on backslash-escaped: `|` (a new cell), backticks,
 * emphasis, `[` and `]` (with them escaped, no `(…)` can become a link or image target), and
 * `<` and `&`, which GitHub would read as an HTML tag (and hide `<tls>`) or an entity. `#`
 * acts only at the start of a line, where a cell never is.
 */
export function cell(text: string): string {
  return visible(text.replace(/\r?\n/g, ' ')).replace(/[\\`*_~[\]<>|&]/g, (c) => `\\${c}`);
}

/** A code span in a table cell: backslashes are literal there, but GFM still splits cells at `|` unless escaped; a backtick would end the span. */
export function code(text: string): string {
  return `\`${visible(text.replace(/\r?\n/g, ' ')).replace(/\|/g, '\\|').replace(/`/g, "'")}\``;
}
