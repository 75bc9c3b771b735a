import path from 'node:path';
import type { Diagnostic } from '../load/diagnostic.js';
import { getPath } from '../resources/value.js';
import type { ClassifiedFile, FileKind } from './classify.js';

/** Where a file is: all a scan unit keeps of it until the unit runs (the text and syntax tree are read again then). */
export interface FileRef {
  absPath: string;
  /** Display path. */
  path: string;
  /** Length of its text, for sizing work (worker threads, caches). */
  size: number;
}

/** A classified file as discovery keeps it: what pairing needs, without its text or syntax tree. */
export interface FileRecord extends FileRef {
  kind: FileKind;
  /** Parameter files: `metadata.template`, when it is a string. */
  metadataTemplate?: string;
}

/**
 * A scan unit as discovery hands it on: paths, not documents, so that discovering a large
 * repository holds no file's content, and a unit can be sent to a worker thread as it is.
 */
export interface ScanUnit {
  kind: 'template' | 'export';
  file: FileRef;
  parameterFile?: FileRef;
}

/** What discovery keeps of a classified file. */
export function recordOf(c: ClassifiedFile): FileRecord {
  const file = c.document.file;
  const template = c.kind === 'parameters' ? getPath(c.document.value, ['metadata', 'template']) : undefined;
  return { kind: c.kind, absPath: file.absPath, path: file.path, size: file.text.length, ...(typeof template === 'string' && { metadataTemplate: template }) };
}

function refOf(r: FileRecord): FileRef {
  return { absPath: r.absPath, path: r.path, size: r.size };
}

/**
 * Pairs parameter files with templates: an explicit `--parameters` file first, then the
 * parameter file's `metadata.template`, then the naming convention
 * (`X.parameters.json`, `X.parameters.<env>.json` -> `X.json`). A template with several
 * parameter files becomes one unit per file; a template with none, one unit without.
 */
export function pairParameters(files: FileRecord[], explicitParameters: FileRecord[]): { units: ScanUnit[]; diagnostics: Diagnostic[] } {
  const templates = files.filter((f) => f.kind === 'template');
  const byPath = new Map(templates.map((t) => [t.absPath, t]));
  const paramsFor = new Map<FileRecord, FileRecord[]>();
  const diagnostics: Diagnostic[] = [];
  const attach = (t: FileRecord, p: FileRecord) => {
    const list = paramsFor.get(t) ?? [];
    if (!list.includes(p)) list.push(p);
    paramsFor.set(t, list);
  };

  for (const p of explicitParameters) {
    const target = templateFromMetadata(p, byPath) ?? templateByName(p, byPath) ?? (templates.length === 1 ? templates[0] : undefined);
    if (target) attach(target, p);
    else
      diagnostics.push({
        severity: 'error',
        code: 'parameters-unpaired',
        message: `cannot tell which template ${p.path} is for: name it X.parameters.json beside X.json, set metadata.template, or scan one template at a time`,
        file: p.path,
      });
  }
  const explicitSet = new Set(explicitParameters.map((p) => p.absPath));
  for (const p of files.filter((f) => f.kind === 'parameters' && !explicitSet.has(f.absPath))) {
    const target = templateFromMetadata(p, byPath) ?? templateByName(p, byPath);
    if (target) attach(target, p);
    else
      diagnostics.push({
        severity: 'warning',
        code: 'parameters-unpaired',
        message: `no template found for this parameter file (looked for metadata.template and the X.parameters[.env].json -> X.json naming)`,
        file: p.path,
      });
  }

  const units: ScanUnit[] = [];
  for (const f of files) {
    if (f.kind === 'export') units.push({ kind: 'export', file: refOf(f) });
    if (f.kind !== 'template') continue;
    const params = paramsFor.get(f);
    if (!params?.length) units.push({ kind: 'template', file: refOf(f) });
    else for (const p of params) units.push({ kind: 'template', file: refOf(f), parameterFile: refOf(p) });
  }
  return { units, diagnostics };
}

function templateFromMetadata(p: FileRecord, byPath: Map<string, FileRecord>): FileRecord | undefined {
  if (p.metadataTemplate === undefined) return undefined;
  return byPath.get(path.resolve(path.dirname(p.absPath), p.metadataTemplate));
}

function templateByName(p: FileRecord, byPath: Map<string, FileRecord>): FileRecord | undefined {
  for (const candidate of templatePathsByName(p.absPath)) {
    const t = byPath.get(candidate);
    if (t) return t;
  }
  return undefined;
}

/**
 * The naming convention `X.parameters.json` / `X.parameters.<env>.json` -> `X.json`: the template
 * paths a parameter file's name points at, in the order they are tried (none for another name).
 */
export function templatePathsByName(parameterFile: string): string[] {
  // `s`: a line break is a legal character of a file or folder name on Linux and macOS.
  const m = /^(.*)\.parameters(?:\.[^.\\/]+)?\.(jsonc?)$/is.exec(parameterFile);
  return m ? [`${m[1]}.json`, `${m[1]}.jsonc`, `${m[1]}.${m[2]}`] : [];
}
