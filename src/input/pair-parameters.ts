import path from 'node:path';
import type { Diagnostic } from '../load/diagnostic.js';
import { getPath } from '../resources/value.js';
import type { ClassifiedFile } from './classify.js';

export interface ScanUnit {
  kind: 'template' | 'export';
  document: ClassifiedFile['document'];
  parameterFile?: ClassifiedFile['document'];
}

/**
 * Pairs parameter files with templates: an explicit `--parameters` file first, then the
 * parameter file's `metadata.template`, then the naming convention
 * (`X.parameters.json`, `X.parameters.<env>.json` -> `X.json`). A template with several
 * parameter files becomes one unit per file; a template with none, one unit without.
 */
export function pairParameters(files: ClassifiedFile[], explicitParameters: ClassifiedFile[]): { units: ScanUnit[]; diagnostics: Diagnostic[] } {
  const templates = files.filter((f) => f.kind === 'template');
  const byPath = new Map(templates.map((t) => [t.document.file.absPath, t]));
  const paramsFor = new Map<ClassifiedFile, ClassifiedFile[]>();
  const diagnostics: Diagnostic[] = [];
  const attach = (t: ClassifiedFile, p: ClassifiedFile) => {
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
        message: `cannot tell which template ${p.document.file.path} is for: name it X.parameters.json beside X.json, set metadata.template, or scan one template at a time`,
        file: p.document.file.path,
      });
  }
  const explicitSet = new Set(explicitParameters.map((p) => p.document.file.absPath));
  for (const p of files.filter((f) => f.kind === 'parameters' && !explicitSet.has(f.document.file.absPath))) {
    const target = templateFromMetadata(p, byPath) ?? templateByName(p, byPath);
    if (target) attach(target, p);
    else
      diagnostics.push({
        severity: 'warning',
        code: 'parameters-unpaired',
        message: `no template found for this parameter file (looked for metadata.template and the X.parameters[.env].json -> X.json naming)`,
        file: p.document.file.path,
      });
  }

  const units: ScanUnit[] = [];
  for (const f of files) {
    if (f.kind === 'export') units.push({ kind: 'export', document: f.document });
    if (f.kind !== 'template') continue;
    const params = paramsFor.get(f);
    if (!params?.length) units.push({ kind: 'template', document: f.document });
    else for (const p of params) units.push({ kind: 'template', document: f.document, parameterFile: p.document });
  }
  return { units, diagnostics };
}

function templateFromMetadata(p: ClassifiedFile, byPath: Map<string, ClassifiedFile>): ClassifiedFile | undefined {
  const ref = getPath(p.document.value, ['metadata', 'template']);
  if (typeof ref !== 'string') return undefined;
  return byPath.get(path.resolve(path.dirname(p.document.file.absPath), ref));
}

function templateByName(p: ClassifiedFile, byPath: Map<string, ClassifiedFile>): ClassifiedFile | undefined {
  for (const candidate of templatePathsByName(p.document.file.absPath)) {
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
