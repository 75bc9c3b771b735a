import path from 'node:path';
import { InputError, internalErrorDiagnostic, type Diagnostic } from '../load/diagnostic.js';
import { Sandbox } from '../load/sandbox.js';
import { settleHandOffs, isBicepPath, localModulePaths, type BicepDocument, type ParamsEvaluator } from '../bicep/load-bicep.js';
import type { RemoteLinkResolver } from '../arm/template/expansion-run.js';
import { mayReference, referencesOf } from './references.js';
import type { LinkGraph } from './link-graph.js';
import { relatedFiles } from './related-files.js';
import { classify, type Classification, type ClassifiedFile } from './classify.js';
import { discover, displayPath, type Candidate } from './discover.js';
import { pairParameters, recordOf, type FileRecord, type FileRef, type ScanUnit } from './pair-parameters.js';

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
  /** Told of the files the walk found, before any is read (the worker pool starts while they are). */
  onCandidates?: (candidates: readonly Candidate[]) => void;
  /**
   * The result cache's memo of file summaries (`--cache`): returns the stored summary while the
   * files it was made from are unchanged, else calls `compute` with an observer of what it reads.
   */
  memo?: (candidate: Candidate, compute: (onRead: ReadObserver) => FileSummary) => FileSummary;
  /**
   * Whether a path is a file, for the links read from templates (which paths exist decides what a
   * relative path refers to): the result cache records the answers (src/pipeline/scan-record.ts).
   */
  isFile?: (absPath: string) => boolean;
  /** Told of each directory the walk lists; false leaves it out (see DiscoverOptions). */
  onDirectory?: (absPath: string) => boolean;
}

/** Told of each file read (its content, or undefined when it could not be read). */
export type ReadObserver = (absPath: string, content: Buffer | undefined) => void;

/**
 * What discovery keeps of a file once classified: plain data (the result cache stores it). Its
 * links are not part of it: they depend on which other files exist, so they are read again.
 */
export type FileSummary =
  | {
      ok: true;
      record: FileRecord;
      diagnostics?: Diagnostic[];
      modules?: string[];
      /** Its text refers to no other file (see mayReference): a scan taking this summary from the cache need not read it again. */
      refersToNone?: true;
    }
  | { ok: false; skipped: true; path: string; reason: string }
  | { ok: false; skipped: false; diagnostic: Diagnostic };

type Summarised = { summary: FileSummary; text?: string };

const FILES_PER_FORK = 64;

function summarise(c: Classification): Summarised {
  if (!c.ok) return { summary: c };
  const document = c.file.document;
  const modules = 'program' in document ? localModulePaths(document as BicepDocument) : undefined;
  return {
    summary: {
      ok: true,
      record: recordOf(c.file),
      ...(c.file.diagnostics?.length && { diagnostics: c.file.diagnostics }),
      ...(modules && { modules }),
      ...(!mayReference(document.file.absPath, document.file.text) && { refersToNone: true as const }),
    },
    text: document.file.text,
  };
}

function readOr(sandbox: Sandbox, absPath: string): string {
  const read = sandbox.readText(absPath);
  return read.ok ? read.value : '';
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

/** The files a scan reads (the walk, and the files named), with the problems met finding them. */
export interface Found {
  candidates: Candidate[];
  diagnostics: Diagnostic[];
}

/** discover: the files to read for a set of paths (named files stand for what they belong to), before any is read. */
export function findCandidates(options: InputOptions, sandbox: Sandbox = inputSandbox(options)): Found {
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
  const found = discover(related.paths, { cwd: options.cwd, exclude: options.exclude, include: options.include, onDirectory: options.onDirectory });
  const explicitParams = new Set((options.parameters ?? []).map((p) => path.resolve(options.cwd, p)));
  // A --parameters file is explicit even when the walk also found it: if it is broken, say so.
  const candidates: Candidate[] = found.candidates.map((c) =>
    explicitParams.has(c.absPath) ? { ...c, explicit: true } : options.skipUnrecognized ? { ...c, explicit: false } : c,
  );
  for (const absPath of explicitParams) if (!candidates.some((c) => c.absPath === absPath)) candidates.push({ absPath, explicit: true });
  return { candidates, diagnostics: [...related.diagnostics, ...found.diagnostics] };
}

function inputSandbox(options: InputOptions): Sandbox {
  return options.sandbox ?? Sandbox.forPaths([...options.paths, ...(options.parameters ?? [])], { cwd: options.cwd });
}

/**
 * discover + load: the scan units for a set of paths, with everything that was skipped or broken.
 * `found`: what findCandidates returned for these options, when the caller needed it first.
 */
export function loadInputs(options: InputOptions, found?: Found): Inputs {
  const sandbox = inputSandbox(options);
  const { candidates, diagnostics: foundDiagnostics } = found ?? findCandidates(options, sandbox);
  const diagnostics = [...foundDiagnostics];
  const skipped: Inputs['skipped'] = [];
  const explicitParams = new Set((options.parameters ?? []).map((p) => path.resolve(options.cwd, p)));
  options.onCandidates?.(candidates);

  // Each file is read, classified and reduced to a summary: what pairing and the link graph need
  // (its modules and links), never its text or syntax tree, so discovery holds few files at a time.
  const files: FileRecord[] = [];
  const parameterFiles: FileRecord[] = [];
  const modules = new Set<string>();
  const links = new Map<string, string[]>();
  // Files of one folder often share Bicep modules: a fork (whose Bicep caches go with it) serves a
  // few dozen files, so the sharing stays and memory does not grow with the repository.
  let shared: { fork: Sandbox; files: number } | undefined;
  const read = (candidate: Candidate, onRead?: ReadObserver): Summarised => {
    if (!shared || shared.files >= FILES_PER_FORK || onRead) shared = { fork: sandbox.fork(onRead), files: 0 };
    shared.files++;
    const c = (options.classify ?? classify)(candidate, options.cwd, shared.fork, options.evaluateBicepParams, 'discovery');
    if (onRead) shared = undefined;
    return summarise(c);
  };
  for (const candidate of candidates) {
    let c: FileSummary;
    let text: string | undefined;
    try {
      if (options.memo) c = options.memo(candidate, (onRead) => read(candidate, onRead).summary);
      else ({ summary: c, text } = read(candidate));
    } catch (err) {
      // A bug while reading one file is that file's error; the other files are still scanned.
      diagnostics.push(internalErrorDiagnostic(err, displayPath(candidate.absPath, options.cwd), options.debug));
      continue;
    }
    if (!c.ok) {
      if (c.skipped) skipped.push({ path: c.path, reason: c.reason });
      else diagnostics.push(c.diagnostic);
    } else if (!explicitParams.has(candidate.absPath)) {
      files.push(c.record);
      if (c.diagnostics) diagnostics.push(...c.diagnostics);
      // A Bicep file another scanned Bicep file uses as a module is scanned through its caller.
      for (const m of c.modules ?? []) modules.add(m);
      if (c.record.kind === 'template' && !options.standalone && !c.refersToNone) {
        // From the text, each time: what it links depends on which files exist now.
        text ??= readOr(sandbox, c.record.absPath);
        const root = sandbox.rootOf(c.record.absPath)?.path;
        links.set(c.record.absPath, [...referencesOf(c.record.absPath, text, { resolveRemoteLink: options.resolveRemoteLink, root, isFile: options.isFile })]);
      }
    } else if (c.record.kind === 'parameters') {
      parameterFiles.push(c.record);
      if (c.diagnostics) diagnostics.push(...c.diagnostics);
    } else {
      diagnostics.push({
        severity: 'error',
        code: 'not-parameters',
        message: 'given with --parameters but it is not a parameter file (no deploymentParameters.json $schema)',
        file: c.record.path,
      });
    }
  }
  // A Bicep file another scanned Bicep file uses as a module is scanned through its caller (with
  // the parameters it passes), not again on its own, unless it was named on the command line.
  const explicitFiles = new Set(candidates.filter((c) => c.explicit).map((c) => c.absPath));
  const entryPoints = files.filter((f) => !modules.has(f.absPath) || explicitFiles.has(f.absPath));
  settleHandOffs(sandbox, modules, explicitFiles);
  const paired = pairParameters(entryPoints, parameterFiles);
  const linkedFrom = options.standalone ? new Map<string, string[]>() : linkedTemplates(files, links);
  const linkedOnly: Inputs['linkedOnly'] = [];
  const units: ScanUnit[] = [];
  for (const unit of paired.units) {
    const callers = unit.kind === 'template' && !unit.parameterFile ? linkedFrom.get(unit.file.absPath) : undefined;
    if (callers) linkedOnly.push({ unit, linkedFrom: callers });
    else units.push(unit);
  }
  return {
    units,
    linkedOnly,
    files: [...files, ...parameterFiles].map((f) => f.path),
    skipped,
    diagnostics: [...diagnostics, ...paired.diagnostics],
  };
}

/**
 * JSON templates among the files that another of the files references as a linked template (a
 * Bicep module of JSON included), with the display paths of the files referencing them. Bicep
 * modules are left to the rule above, which reads them from the parsed file. `links`: the
 * references of each JSON template, read from its text when it was classified.
 */
function linkedTemplates(files: FileRecord[], links: ReadonlyMap<string, readonly string[]>): Map<string, string[]> {
  const templates = new Set(files.filter((f) => f.kind === 'template' && !isBicepPath(f.absPath)).map((f) => f.absPath));
  const out = new Map<string, string[]>();
  if (!templates.size) return out;
  for (const f of files) {
    if (f.kind !== 'template') continue;
    for (const target of links.get(f.absPath) ?? []) {
      if (!templates.has(target) || target === f.absPath) continue;
      const list = out.get(target) ?? [];
      if (!list.includes(f.path)) list.push(f.path);
      out.set(target, list);
    }
  }
  return out;
}

/** A scan unit with its documents: read again (and parsed, Bicep lowered) when the unit runs. */
export interface LoadedUnit {
  kind: ScanUnit['kind'];
  document: ClassifiedFile['document'];
  parameterFile?: ClassifiedFile['document'];
}

/**
 * Reads a unit's files again for its scan, through `sandbox` (the unit's fork, which records what
 * it reads). Their problems were reported when discovery read them; a file that changed since and
 * no longer reads is an InputError naming it.
 */
export function loadUnit(unit: ScanUnit, cwd: string, sandbox: Sandbox, evaluateBicepParams?: ParamsEvaluator): LoadedUnit {
  const read = (ref: FileRef) => {
    const c = classify({ absPath: ref.absPath, explicit: true }, cwd, sandbox, evaluateBicepParams, 'unit');
    if (c.ok) return c.file.document;
    if (c.skipped) throw new InputError({ severity: 'error', code: 'unreadable', message: `cannot read file: ${c.reason}`, file: ref.path });
    throw new InputError(c.diagnostic);
  };
  const document = read(unit.file);
  return { kind: unit.kind, document, ...(unit.parameterFile && { parameterFile: read(unit.parameterFile) }) };
}
