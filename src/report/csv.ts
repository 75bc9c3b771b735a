import type { ScanResult } from '../evaluate/scan-result.js';
import { sortFindings } from './order.js';
import { visible } from './visible.js';

const HEADER = [
  'level',
  'severity',
  'rule',
  'rule title',
  'resource type',
  'resource name',
  'file',
  'line',
  'column',
  'parameter files',
  'message',
  'value set at',
];

/**
 * `--format csv`: one row per finding (RFC 4180). Fields that a spreadsheet would run as a
 * formula (starting with `=`, `+`, `-`, `@`, tab or CR: OWASP's list) are prefixed with `'`.
 */
export function formatCsv(result: ScanResult): string {
  const rows = [HEADER];
  for (const f of sortFindings(result.findings)) {
    rows.push([
      f.level,
      f.severity,
      f.ruleId,
      f.ruleTitle,
      f.resource.type,
      f.resource.name,
      f.location?.file ?? f.file,
      f.location ? String(f.location.start.line) : '',
      f.location ? String(f.location.start.column) : '',
      (f.parameterFiles ?? (f.parameterFile ? [f.parameterFile] : [])).join('; '),
      f.message,
      f.origins.map((o) => `${o.location.file}:${o.location.start.line}:${o.location.start.column} ${o.description}`).join('; '),
    ]);
  }
  return rows.map((r) => r.map(field).join(',')).join('\r\n') + '\r\n';
}

function field(text: string): string {
  // Control and bidi characters shown as escapes, as in the other reports (`cat report.csv` must
  // not act on an ESC); CR and LF stay, quoted as RFC 4180 allows: a cell keeps its lines.
  const value = visible(text, 'crlf');
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
