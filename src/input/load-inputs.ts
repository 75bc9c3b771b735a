import path from 'node:path';
import { internalErrorDiagnostic, type Diagnostic } from '../load/diagnostic.js';
import { Sandbox } from '../load/sandbox.js';
import { isBicepPath, localModulePaths, type BicepDocument, type ParamsEvaluator } from '../bicep/load-bicep.js';
import type { RemoteLinkResolver } from '../arm/template/expansion-run.js';
import { referencesOf } from './references.js';
import type { LinkGraph } from './link-graph.js';
import { relatedFiles } from './related-files.js';
import { classify, type Classification, type ClassifiedFile } from './classify.js';
import { discover, displayPath, type Candidate } from './discover.js';
import { pairParameters, type ScanUnit } from './pair-parameters.js';

export interface InputOptions {
  paths: string[];
  cwd: string;
  exclude?: string[];
  include?: string[];
  /**
   * Treat files named on the command line like files found in a folder: those that are not
   * templates, parameter files or exports are skipped, not errors (for pre-commit hooks, which
   * pass every changed .json file).
   */
  skipUnrecognized?: boolean;
  /** Parameter files named with --parameters. */
  parameters?: string[];
  /** What may be read; by default the sandbox of `paths` and `parameters`. */
  sandbox?: Sandbox;
  /** `--debug`: internal errors keep their stack. */
  debug?: boolean;
  /** Maps absolute link URLs to files of the repository (the configuration's `links:`). */
  resolveRemoteLink?: RemoteLinkResolver;
  /**
   * `--standalone`: every template is also scanned on its own, with its defaults, even one that
   * is only used as a linked template or module; a named one is not replaced by its callers.
   */
  standalone?: boolean;
  /**
   * Named files stand for what they belong to (src/input/related-files.ts); false scans them as
   * named (the API's callers that compare one file with another). Default true.
   */
  related?: boolean;
  /** Evaluates the computed values of `.bicepparam` files: the expand stage's `evaluateBicepParamValues`. */
  evaluateBicepParams?: ParamsEvaluator;
  /** Link graphs kept between scans, by work tree (src/input/related-files.ts builds the missing ones). */
  linkGraphs?: Map<string, LinkGraph>;
  /** Tests only: replaces the per-file reader, to make one file fail as a bug would. */
  classify?: typeof classify;
}

export interface Inputs {
  units: ScanUnit[];
  /** Display paths of every file analysed: templates, parameter files, exports. */
  files: string[];
  skipped: { path: string; reason: string }[];
  diagnostics: Diagnostic[];
  /**
   * Templates without a parameter file that scanned templates link (src/input/references.ts):
   * scanned through their callers, with the values passed; the scan takes them on their own
   * only if no caller read them (the reference seen was not followed).
   */
  linkedOnly: { unit: ScanUnit; linkedFrom: string[] }[];
}

/** discover + load: the scan units for a set of paths, with everything that was skipped or broken. */
export function loadInputs(options: InputOptions): Inputs {
  const sandbox = options.sandbox ?? Sandbox.forPaths([...options.paths, ...(options.parameters ?? [])], { cwd: options.cwd });
  // A named file stands for what it belongs to: its template, parameter files, or the deployments reaching it.
  const related =
    options.related === false
      ? { paths: options.paths, diagnostics: [] }
      : relatedFiles(options.paths, {
          cwd: options.cwd,
          sandbox,
          exclude: options.exclude,
          resolveRemoteLink: options.resolveRemoteLink,
          explicitParameters: (options.parameters ?? []).length > 0,
          standalone: options.standalone,
          ...(options.linkGraphs && { graphs: options.linkGraphs }),
        });
  const found = discover(related.paths, { cwd: options.cwd, exclude: options.exclude, include: options.include });
  const diagnostics = [...related.diagnostics, ...found.diagnostics];
  const skipped: Inputs['skipped'] = [];
  const explicitParams = new Set((options.parameters ?? []).map((p) => path.resolve(options.cwd, p)));
  // A --parameters file is explicit even when the walk also found it: if it is broken, say so.
  const candidates: Candidate[] = found.candidates.map((c) =>
    explicitParams.has(c.absPath) ? { ...c, explicit: true } : options.skipUnrecognized ? { ...c, explicit: false } : c,
  );
  for (const absPath of explicitParams) if (!candidates.some((c) => c.absPath === absPath)) candidates.push({ absPath, explicit: true });

  const files: ClassifiedFile[] = [];
  const parameterFiles: ClassifiedFile[] = [];
  for (const candidate of candidates) {
    let c: Classification;
    try {
      c = (options.classify ?? classify)(candidate, options.cwd, sandbox, options.evaluateBicepParams);
    } catch (err) {
      // A bug while reading one file is that file's error; the other files are still scanned.
      diagnostics.push(internalErrorDiagnostic(err, displayPath(candidate.absPath, options.cwd), options.debug));
      continue;
    }
    if (!c.ok) {
      if (c.skipped) skipped.push({ path: c.path, reason: c.reason });
      else diagnostics.push(c.diagnostic);
    } else if (!explicitParams.has(candidate.absPath)) {
      files.push(c.file);
      if (c.file.diagnostics) diagnostics.push(...c.file.diagnostics);
    } else if (c.file.kind === 'parameters') {
      parameterFiles.push(c.file);
      if (c.file.diagnostics) diagnostics.push(...c.file.diagnostics);
    } else {
      diagnostics.push({
        severity: 'error',
        code: 'not-parameters',
        message: 'given with --parameters but it is not a parameter file (no deploymentParameters.json $schema)',
        file: c.file.document.file.path,
      });
    }
  }
  // A Bicep file another scanned Bicep file uses as a module is scanned through its caller (with
  // the parameters it passes), not again on its own, unless it was named on the command line.
  const modules = new Set(files.flatMap((f) => ('program' in f.document ? localModulePaths(f.document as BicepDocument) : [])));
  const explicitFiles = new Set(candidates.filter((c) => c.explicit).map((c) => c.absPath));
  const entryPoints = files.filter((f) => !modules.has(f.document.file.absPath) || explicitFiles.has(f.document.file.absPath));
  const paired = pairParameters(entryPoints, parameterFiles);
  const linkedFrom = options.standalone ? new Map<string, string[]>() : linkedTemplates(files, sandbox, options.resolveRemoteLink);
  const linkedOnly: Inputs['linkedOnly'] = [];
  const units: ScanUnit[] = [];
  for (const unit of paired.units) {
    const callers = unit.kind === 'template' && !unit.parameterFile ? linkedFrom.get(unit.document.file.absPath) : undefined;
    if (callers) linkedOnly.push({ unit, linkedFrom: callers });
    else units.push(unit);
  }
  return {
    units,
    linkedOnly,
    files: [...files, ...parameterFiles].map((f) => f.document.file.path),
    skipped,
    diagnostics: [...diagnostics, ...paired.diagnostics],
  };
}

/**
 * JSON templates among the files that another of the files references as a linked template (a
 * Bicep module of JSON included), with the display paths of the files referencing them. Bicep
 * modules are left to the rule above, which reads them from the parsed file.
 */
function linkedTemplates(files: ClassifiedFile[], sandbox: Sandbox, resolveRemoteLink: RemoteLinkResolver | undefined): Map<string, string[]> {
  const templates = new Map(files.filter((f) => f.kind === 'template' && !isBicepPath(f.document.file.absPath)).map((f) => [f.document.file.absPath, f]));
  const out = new Map<string, string[]>();
  if (!templates.size) return out;
  for (const f of files) {
    if (f.kind !== 'template') continue;
    const file = f.document.file;
    const root = sandbox.rootOf(file.absPath)?.path;
    for (const target of referencesOf(file.absPath, file.text, { resolveRemoteLink, root })) {
      if (!templates.has(target) || target === file.absPath) continue;
      const list = out.get(target) ?? [];
      if (!list.includes(file.path)) list.push(file.path);
      out.set(target, list);
    }
  }
  return out;
}
