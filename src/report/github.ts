import type { ScanResult } from '../evaluate/scan-result.js';
import type { Diagnostic } from '../load/diagnostic.js';
import { sortDiagnostics, sortFindings } from './order.js';
import { visible } from './visible.js';
import { coverageOf } from './coverage.js';
import { CANNOT_RUN } from '../evaluate/rules-not-run.js';

const COMMAND = { error: 'error', warning: 'warning', note: 'notice', info: 'notice' } as const;

/**
 * `--format github`: GitHub Actions workflow commands (`::error file=…,line=…::message`), which
 * GitHub shows as annotations on the pull request's changed lines. Escaping follows the
 * runner's rules: `%`, CR and LF in messages; also `:` and `,` in properties.
 */
export function formatGithub(result: ScanResult): string {
  const lines: string[] = [];
  for (const f of sortFindings(result.findings)) {
    const props: Record<string, string | number> = { file: f.location?.file ?? f.file };
    if (f.location) {
      props['line'] = f.location.start.line;
      props['col'] = f.location.start.column;
      props['endLine'] = f.location.end.line;
      props['endColumn'] = f.location.end.column;
    }
    props['title'] = `${f.ruleId}: ${f.ruleTitle}`;
    const origins = f.origins.map((o) => `\nvalue set at ${o.location.file}:${o.location.start.line}: ${o.description}`).join('');
    lines.push(command(COMMAND[f.level], props, `${f.message}${origins}`));
  }
  for (const d of sortDiagnostics(result.diagnostics.filter((x) => x.severity !== 'info'))) lines.push(diagnostic(d));
  lines.push(coverageNotice(result));
  return lines.join('\n') + (lines.length ? '\n' : '');
}

/**
 * One notice with the coverage (a run with no annotation must still say what it did not check),
 * listing every definition that cannot run: GitHub shows only a few notices per step, so one.
 */
function coverageNotice(result: ScanResult): string {
  const c = coverageOf(result);
  const r = c.resources;
  const n = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;
  const types = r.notEvaluatedByType.map((g) => `${g.key} ${g.count}`).join(', ');
  const d = c.deploymentsNotFollowed;
  const why = d.byReason.map((g) => `${g.count} ${g.description}`).join('; ');
  const lines = [
    `${n(r.found, 'resource')} found: ${r.evaluated} evaluated by at least one rule, ${r.undecided} only undecided, ${r.notEvaluated} that no rule applies to` +
      `${types ? ` (${types})` : ''}; ${n(c.checks.undecided, 'check')} undecided; ` +
      `${n(c.rulesNotRun.count, 'rule')} not run (${c.rulesNotRun.cannotRun} cannot run); ` +
      `${n(d.count, 'nested deployment')} not followed${why ? ` (${why})` : ''}`,
    ...c.items.rulesNotRun.filter((x) => CANNOT_RUN.has(x.reason)).map((x) => `cannot run: ${x.id} ${x.title}: ${x.detail}`),
  ];
  return command('notice', { title: 'tollgate: coverage' }, lines.join('\n'));
}

function diagnostic(d: Diagnostic): string {
  const props: Record<string, string | number> = { file: d.location?.file ?? d.file ?? '' };
  if (d.location) {
    props['line'] = d.location.start.line;
    props['col'] = d.location.start.column;
  }
  props['title'] = `tollgate: ${d.code}`;
  return command(COMMAND[d.severity], props, d.message);
}

function command(name: string, props: Record<string, string | number>, message: string): string {
  const p = Object.entries(props)
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(',');
  return `::${name} ${p}::${escapeData(message)}`;
}

/**
 * The runner's escaping (`%`, CR, LF), after showing other control and bidi characters as
 * escapes: the runner has no encoding for them, and the log viewer would act on an ESC.
 */
export function escapeData(text: string): string {
  return visible(text, 'crlf').replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
