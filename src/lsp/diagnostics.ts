import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, type Diagnostic as LspDiagnostic, type Range } from 'vscode-languageserver/node';
import type { Finding } from '../findings/finding.js';
import type { Diagnostic } from '../load/diagnostic.js';
import type { SourceRange } from '../load/source-file.js';
import type { RuleMeta } from '../rules/rule-meta.js';
import type { ScanOutput } from '../scan.js';

/** One published diagnostic and what it came from (hover and code actions read the finding). */
export interface Entry {
  diagnostic: LspDiagnostic;
  finding?: Finding;
  rule?: RuleMeta;
  /** The scan's working directory: display paths in the finding are relative to it. */
  cwd: string;
}

/** What one scan found, by absolute file path, and which files and templates it stands for. */
export interface ScanRecord {
  /** Templates (absolute) of the units scanned: a later scan of one of them replaces this record. */
  templates: Set<string>;
  /** Files read as scanned files (absolute): templates, parameter files, the file edited. */
  files: Set<string>;
  byFile: Map<string, Entry[]>;
}

export const SOURCE = 'tollgate';

/** 1-based line/column (Tollgate, SARIF) -> 0-based (LSP); both count UTF-16 code units. */
export function lspRange(r: SourceRange): Range {
  return {
    start: { line: Math.max(0, r.start.line - 1), character: Math.max(0, r.start.column - 1) },
    end: { line: Math.max(0, r.end.line - 1), character: Math.max(0, r.end.column - 1) },
  };
}

export function fileUri(absPath: string): string {
  return pathToFileURL(absPath).href;
}

const LEVEL: Record<Finding['level'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  note: DiagnosticSeverity.Information,
};

const SEVERITY: Record<Diagnostic['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

const START: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** A scan's findings and input diagnostics as LSP diagnostics, in the file each one points at. */
export function recordOf(result: ScanOutput, trigger: string): ScanRecord {
  const cwd = result.cwd;
  const abs = (shown: string) => path.resolve(cwd, shown);
  const rules = new Map(result.rules.map((r) => [r.id, r]));
  const byFile = new Map<string, Entry[]>();
  const add = (file: string, entry: Entry) => {
    const list = byFile.get(file) ?? [];
    list.push(entry);
    byFile.set(file, list);
  };
  for (const finding of result.findings) {
    const rule = rules.get(finding.ruleId);
    // A built-in rule's page in docs/rules/; a policy's or plugin's own helpUri.
    const href = rule && (rule.docsUrl ?? rule.helpUri);
    const file = abs(finding.location?.file ?? finding.file);
    const diagnostic: LspDiagnostic = {
      range: finding.location ? lspRange(finding.location) : START,
      severity: LEVEL[finding.level],
      code: finding.ruleId,
      source: SOURCE,
      message: finding.message,
      ...(href && { codeDescription: { href } }),
      ...(finding.origins.length && {
        relatedInformation: finding.origins.map((o) => ({
          location: { uri: fileUri(abs(o.location.file)), range: lspRange(o.location) },
          message: `value set at: ${o.description}`,
        })),
      }),
    };
    add(file, { diagnostic, finding, ...(rule && { rule }), cwd });
  }
  for (const d of result.diagnostics) {
    const shown = d.location?.file ?? d.file;
    // Notes about the scan itself ("scanned through its template") say nothing about a line of the file.
    if (shown === undefined || (d.severity === 'info' && !d.location)) continue;
    add(abs(shown), {
      diagnostic: { range: d.location ? lspRange(d.location) : START, severity: SEVERITY[d.severity], code: d.code, source: SOURCE, message: d.message },
      cwd,
    });
  }
  const templates = new Set(result.units.map((u) => abs(u.file)));
  const files = new Set([trigger, ...result.files.map(abs)]);
  return { templates, files, byFile };
}

/**
 * The diagnostics of every scan so far, so that a file gets the union of what each scan that reads
 * it found (a module used by two deployments), and a new scan of the same templates replaces the old.
 */
export class DiagnosticStore {
  private records: ScanRecord[] = [];
  /** Extra entries by file that no scan produces (a configuration file that cannot be read). */
  private readonly extra = new Map<string, Entry[]>();

  /** Replaces the records the new one covers; the files whose diagnostics may have changed. */
  replace(record: ScanRecord): Set<string> {
    const touched = new Set(record.byFile.keys());
    const overlaps = (old: ScanRecord) => [...old.templates].some((t) => record.templates.has(t)) || [...old.files].some((f) => record.files.has(f));
    this.records = this.records.filter((old) => {
      if (!overlaps(old)) return true;
      for (const f of old.byFile.keys()) touched.add(f);
      return false;
    });
    this.records.push(record);
    // A file scanned and found clean still gets an (empty) publication.
    for (const f of record.files) touched.add(f);
    return touched;
  }

  setExtra(file: string, entries: Entry[]): void {
    if (entries.length) this.extra.set(file, entries);
    else this.extra.delete(file);
  }

  /** Every entry for a file, without duplicates (two scans may find the same defect in a shared file). */
  entries(file: string): Entry[] {
    const out: Entry[] = [];
    const seen = new Set<string>();
    for (const list of [...this.records.map((r) => r.byFile.get(file) ?? []), this.extra.get(file) ?? []]) {
      for (const e of list) {
        const r = e.diagnostic.range;
        const key = [e.diagnostic.code, e.diagnostic.message, r.start.line, r.start.character, r.end.line, r.end.character].join('\u0000');
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(e);
      }
    }
    return out;
  }
}
