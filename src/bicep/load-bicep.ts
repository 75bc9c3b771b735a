import path from 'node:path';
import type { Diagnostic } from '../load/diagnostic.js';
import { ParsedDocument, type JsonDocument } from '../load/json-document.js';
import type { JsonNode } from '../load/json-parser.js';
import { SourceFile } from '../load/source-file.js';
import { Sandbox } from '../load/sandbox.js';
import { lowerParamsFile, lowerProgram, type HostRead, type LowerHost } from './lower/lower-program.js';
import { parseBicep, type ParseResult } from './syntax/parser.js';
import { isRegistryReference, resolveRegistryModule, type RegistryResolution } from './registry-modules.js';
import type { Comment } from './syntax/lexer.js';
import type { ParameterAssignment, Program } from './syntax/tree.js';
import { entry, jObject, jString, jValue, type Entry } from './lower/json-build.js';
import { isUnknown, Unknown } from '../resources/value.js';
import { TextBoundedCache } from './text-bounded-cache.js';

/** A lowered file: the ARM template in memory, its syntax tree and comments, and what went wrong. */
export interface BicepDocument extends JsonDocument {
  readonly program: Program;
  /** Comments and directives, for `// tollgate-disable-next-line` suppressions. */
  readonly comments: readonly Comment[];
}

class LoweredDocument extends ParsedDocument implements BicepDocument {
  constructor(
    file: SourceFile,
    root: JsonNode,
    readonly program: Program,
    readonly comments: readonly Comment[] = [],
  ) {
    super(file, root);
  }
}

export function isBicepPath(p: string): boolean {
  return /\.bicep$/i.test(p);
}

/**
 * Parses and lowers one `.bicep` file. Syntax errors and lowering problems are diagnostics at
 * their line and column; the template is still produced from what parsed.
 */
export function loadBicep(
  file: SourceFile,
  sandbox: Sandbox = sandboxOf(file),
  /**
   * `store`: discovery's lowering is kept for the unit that scans the file (`take`), which takes it
   * while everything it read reads the same; see handOff.
   */
  handoff?: 'store' | 'take',
): { document: BicepDocument; diagnostics: Diagnostic[] } {
  if (handoff === 'take') {
    const kept = takeHandedOff(sandbox, file);
    if (kept) return kept;
  }
  const { result, reads, parsed } = lowerRecorded(file, sandbox);
  if (handoff === 'store') {
    const held: HeldLowering = { text: file.text, path: file.path, result, reads, parsed };
    handOff(sandbox, file.absPath, held);
  }
  return result;
}

/** Parses and lowers a file, recording what the lowering read besides it (see HandOffRead). */
function lowerRecorded(file: SourceFile, sandbox: Sandbox): { result: Lowered; reads: HandOffRead[]; parsed: ParseResult } {
  const parsed = parseShared(sandbox, file.absPath, file.text);
  // What the lowering read besides the file: a handed-off lowering is taken only while each still reads the same.
  const reads: HandOffRead[] = [];
  const host = bicepHost(sandbox);
  const textsRead = new Map<string, HostRead<string>>();
  const bytesRead = new Map<string, HostRead<Buffer>>();
  const readProgram = (absPath: string) => {
    const r = host.program(absPath);
    if (absPath !== file.absPath) reads.push({ absPath, bytes: false, content: r.ok ? r.text : undefined });
    return r;
  };
  const tracked: LowerHost = {
    program: readProgram,
    moduleReferences: (absPath) => (readProgram(absPath), host.moduleReferences(absPath)),
    // A file is read once per lowering, however many load*() calls name it (the compiler's
    // baselines load the same file dozens of times): one content for all of them, one read to check.
    readText: (absPath) => {
      let r = textsRead.get(absPath);
      if (!r) {
        textsRead.set(absPath, (r = host.readText(absPath)));
        reads.push({ absPath, bytes: false, content: r.ok ? r.value : undefined });
      }
      return r;
    },
    readBytes: (absPath) => {
      let r = bytesRead.get(absPath);
      if (!r) {
        bytesRead.set(absPath, (r = host.readBytes(absPath)));
        reads.push({ absPath, bytes: true, content: r.ok ? r.value : undefined });
      }
      return r;
    },
    environmentVariable: (name) => host.environmentVariable(name),
    // Where a registry module resolves depends on the caches present: the unit resolves it again
    // through its own fork (which also lets that fork read the cache) and takes the lowering only
    // if it resolves to the same place.
    registryModule: (spec, from) => {
      const resolution = host.registryModule(spec, from);
      reads.push({ registry: spec, from, resolution });
      return resolution;
    },
  };
  const lowered = lowerProgram(parsed.program, file.absPath, tracked);
  const diagnostics = bicepDiagnostics(file, parsed.diagnostics, lowered.diagnostics);
  const result: Lowered = { document: new LoweredDocument(file, lowered.template, parsed.program, parsed.comments), diagnostics };
  return { result, reads, parsed };
}

/**
 * A Bicep module as a deployment loads it (src/input/linked-files.ts): its lowering shared by the
 * units of a scan while its text and everything it read read the same (each read again through the
 * unit's fork, so that the result cache sees them). AVM-style repositories deploy one module tree
 * from many entry points (a module, its children, its e2e tests): each unit lowered the whole tree
 * again. Bounded by the text held, least recently used out: 400 K characters hold the module tree
 * of one AVM module (the API Management one is 296 K with a main.bicep of 121 K). At the first
 * unit, the corpora copied four times held 53 MB of heap against 35 MB for one copy when this
 * cache (at 500 K) and the parses (at 500 K) filled with what discovery read last; with
 * settleHandOffs and these bounds, 43 MB against 35 MB.
 */
export function loadBicepModule(file: SourceFile, sandbox: Sandbox): BicepDocument {
  const known = moduleLowerings.get(sandbox.family, file.absPath, (m) => stillHolds(m, file, sandbox));
  if (known) return known.result.document;
  const { result, reads, parsed } = lowerRecorded(file, sandbox);
  moduleLowerings.set(sandbox.family, file.absPath, { text: file.text, path: file.path, result, reads, parsed });
  return result.document;
}

const moduleLowerings = new TextBoundedCache<HeldLowering>(400_000);
/** A lowering kept for later units, with the parse it was made from (which serves as the file's parse: see familyParse). */
type HeldLowering = { text: string; path: string; result: Lowered; reads: HandOffRead[]; parsed: ParseResult };

/** What a lowering read besides its file, in order: a file, or where a registry module resolved. */
type HandOffRead =
  | {
      absPath: string;
      bytes: boolean;
      /** What was read, or undefined when it could not be. */
      content: string | Buffer | undefined;
    }
  | { registry: string; from: string; resolution: RegistryResolution };

/**
 * Discovery lowers every Bicep file (for its diagnostics and modules) and the unit that scans it
 * lowered it again, through its own sandbox fork. A lowering depends only on the file's text and
 * the files it read (modules, imports, `load*()`), so discovery hands it to the unit, which takes
 * it (once) if the file reads the same and each of those files, read again through the unit's
 * fork (so that the result cache sees them), is unchanged. A module's lowering goes to the
 * lowered-module cache when discovery ends (settleHandOffs). Bounded by the text held; first come
 * first kept, as units run in discovery's order. A lowering held (syntax tree, template) takes
 * tens of bytes per character of its file, and discovery ends before the first unit runs: at 2 M
 * characters the corpora copied 4 times held all their Bicep and peaked at 1.9x the memory of one
 * copy; at 500 K the files past it are lowered again by their units (1.4-1.6x).
 */
const HANDOFF_TEXT_LIMIT = 500_000;
type Lowered = { document: BicepDocument; diagnostics: Diagnostic[] };
const handedOff = new WeakMap<object, { entries: Map<string, HeldLowering>; size: number }>();

function handOff(sandbox: Sandbox, absPath: string, lowering: HeldLowering): void {
  let held = handedOff.get(sandbox.family);
  if (!held) handedOff.set(sandbox.family, (held = { entries: new Map(), size: 0 }));
  if (held.size + lowering.text.length > HANDOFF_TEXT_LIMIT || held.entries.has(absPath)) return;
  held.entries.set(absPath, lowering);
  held.size += lowering.text.length;
}

/**
 * Settles what discovery handed off once it knows which files are Bicep modules: a module is
 * scanned through its callers, so its lowering goes to the lowered-module cache, where the units
 * that deploy it find it; it stays held for a unit only if it is scanned on its own too (named on
 * the command line). Before, discovery put every lowering in that cache as it went: least recently
 * used out, it held the last files discovered, which the units reach last, and entry files that no
 * unit deploys.
 */
export function settleHandOffs(sandbox: Sandbox, modules: ReadonlySet<string>, scannedOnTheirOwn: ReadonlySet<string>): void {
  const held = handedOff.get(sandbox.family);
  if (!held) return;
  for (const [absPath, entry] of held.entries) {
    if (!modules.has(absPath)) continue;
    moduleLowerings.set(sandbox.family, absPath, entry);
    if (scannedOnTheirOwn.has(absPath)) continue;
    held.entries.delete(absPath);
    held.size -= entry.text.length;
  }
}

/** The files whose lowerings the lowered-module cache holds, oldest use first (tests). */
export function loweredModuleFiles(sandbox: Sandbox): string[] {
  return moduleLowerings.keys(sandbox.family);
}

/** The files whose lowerings are held for their units (tests). */
export function handedOffFiles(sandbox: Sandbox): string[] {
  return [...(handedOff.get(sandbox.family)?.entries.keys() ?? [])];
}

function takeHandedOff(sandbox: Sandbox, file: SourceFile): Lowered | undefined {
  const held = handedOff.get(sandbox.family);
  const entry = held?.entries.get(file.absPath);
  if (!held || !entry) return undefined;
  held.entries.delete(file.absPath);
  held.size -= entry.text.length;
  return stillHolds(entry, file, sandbox) ? entry.result : undefined;
}

/**
 * Whether a lowering kept from earlier is the lowering of `file` now: the same text and path, and
 * each read it made reads the same through `sandbox` (which records the reads).
 */
function stillHolds(held: HeldLowering, file: SourceFile, sandbox: Sandbox): boolean {
  if (held.text !== file.text || held.path !== file.path) return false;
  for (const read of held.reads) {
    if ('registry' in read) {
      const now = resolveRegistryModule(read.registry, read.from, sandbox);
      const was = read.resolution;
      if (now.ok !== was.ok || (now.ok && was.ok && now.path !== was.path) || (!now.ok && !was.ok && now.reason !== was.reason)) return false;
      continue;
    }
    // Through the sandbox, which keeps what the scan read (a fork whose reads are recorded, for the
    // result cache, reads the disk): the scan keeps discovery's view without opening the file again.
    const now = read.bytes ? sandbox.readBytes(read.absPath) : sandbox.readText(read.absPath);
    const same = now.ok
      ? read.content !== undefined &&
        (Buffer.isBuffer(now.value) ? Buffer.isBuffer(read.content) && now.value.equals(read.content) : now.value === read.content)
      : read.content === undefined;
    if (!same) return false;
  }
  return true;
}

/** The parser's syntax errors, then the lowering's diagnostics, at their places in the file. */
function bicepDiagnostics(
  file: SourceFile,
  syntax: readonly { message: string; start: number; end: number }[],
  lowering: readonly { severity: Diagnostic['severity']; code?: string; message: string; start: number; end: number }[],
): Diagnostic[] {
  const at = (d: { start: number; end: number }) => file.locationOf(d.start, Math.max(0, d.end - d.start));
  return [
    ...syntax.map((d) => ({ severity: 'error' as const, code: 'bicep-syntax', message: d.message, file: file.path, location: at(d) })),
    ...lowering.map((d) => ({ severity: d.severity, code: d.code ?? 'bicep-lowering', message: d.message, file: file.path, location: at(d) })),
  ];
}

export function isBicepParamPath(p: string): boolean {
  return /\.bicepparam$/i.test(p);
}

/**
 * Reads a `.bicepparam` file as an ARM parameter file: `using` becomes `metadata.template` (so it
 * pairs with its template), literal values keep their place in the file, computed ones (vars,
 * interpolation, functions, imports) are evaluated by the ARM engine. Values that only Azure
 * knows (`az.getSecret`) become Key Vault references, which the expansion keeps unknown.
 */
/**
 * Evaluates a lowered `.bicepparam` (its computed values are the template's outputs). The expand
 * stage's work (`evaluateBicepParamValues` in src/arm/template/expand.ts), passed in by the caller.
 */
export type ParamsEvaluator = (template: JsonDocument) => { outputs: Record<string, unknown>; diagnostics: Diagnostic[] };

export function loadBicepParams(
  file: SourceFile,
  evaluate: ParamsEvaluator,
  sandbox: Sandbox = sandboxOf(file),
  extending: readonly string[] = [],
): { document: JsonDocument; diagnostics: Diagnostic[] } {
  const parsed = parseBicep(file.text, { params: true });
  const lowered = lowerParamsFile(parsed.program, file.absPath, bicepHost(sandbox));
  const diagnostics = bicepDiagnostics(file, parsed.diagnostics, lowered.diagnostics);
  const computed = lowered.assignments.some((a) => !lowered.literal.has(a.name))
    ? evaluate(new LoweredDocument(file, lowered.template, parsed.program))
    : { outputs: {}, diagnostics: [] };
  diagnostics.push(...computed.diagnostics);
  const at = { start: 0, end: file.text.length };
  const parameters: Entry[] = [];
  for (const a of lowered.assignments) {
    const secret = keyVaultReference(a, lowered.template);
    if (secret) {
      parameters.push(entry(a.name, a, secret));
      continue;
    }
    const literal = lowered.literal.get(a.name);
    const value =
      literal ??
      valueNode(a.value, (Object.hasOwn(computed.outputs, a.name) ? (computed.outputs[a.name] as { value?: unknown } | undefined) : undefined)?.value);
    const wrapped = isUnknown(value)
      ? jObject(a, [
          entry(
            'reference',
            a.value,
            jObject(a.value, [
              entry('keyVault', a.value, jObject(a.value, [entry('id', a.value, jString(a.value, ''))])),
              entry('secretName', a.value, jString(a.value, a.name)),
            ]),
          ),
        ])
      : jObject(a, [entry('value', a.value, value as JsonNode)]);
    parameters.push(entry(a.name, a, wrapped));
  }
  // `extends 'shared.bicepparam'`: the values it sets that this file does not, shown at the `extends` line.
  const ext = parsed.program.statements.find((s) => s.kind === 'ExtendsDeclarationSyntax');
  if (ext?.kind === 'ExtendsDeclarationSyntax' && ext.path && ext.path.holes.length === 0) {
    const baseAbs = path.resolve(path.dirname(file.absPath), ext.path.segments[0] ?? '');
    // Read through the sandbox: `extends '../../x'` must not open files outside it.
    const read = sandbox.readText(baseAbs);
    const where = file.locationOf(ext.path.start, ext.path.end - ext.path.start);
    if (!read.ok) {
      diagnostics.push({
        severity: 'error',
        code: read.refused ? 'sandbox' : 'bicep-lowering',
        message: `extends '${ext.path.segments[0]}': ${read.refused ? read.reason : `cannot read it (${read.reason})`}`,
        file: file.path,
        location: where,
      });
    } else if (extending.includes(baseAbs)) {
      diagnostics.push({ severity: 'error', code: 'bicep-lowering', message: `'${ext.path.segments[0]}' extends itself`, file: file.path, location: where });
    } else {
      const baseShown = path.posix.join(path.posix.dirname(file.path), ext.path.segments[0] ?? '');
      const base = loadBicepParams(new SourceFile(baseAbs, baseShown, read.value), evaluate, sandbox, [...extending, file.absPath]);
      diagnostics.push(...base.diagnostics);
      const assigned = new Set(lowered.assignments.map((a) => a.name));
      const inherited = (base.document.value as { parameters?: Record<string, unknown> }).parameters ?? {};
      for (const [name, value] of Object.entries(inherited)) {
        if (assigned.has(name)) continue;
        const node = valueNode(ext, value);
        if (!isUnknown(node as never)) parameters.push(entry(name, ext, node as JsonNode));
      }
    }
  }
  const using = parsed.program.statements.find((s) => s.kind === 'UsingDeclarationSyntax');
  const usingPath = using?.kind === 'UsingDeclarationSyntax' && using.path?.holes.length === 0 ? using.path.segments[0] : undefined;
  const entries: Entry[] = [
    entry('$schema', at, jString(at, 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#')),
    entry('contentVersion', at, jString(at, '1.0.0.0')),
  ];
  if (usingPath) entries.push(entry('metadata', using!, jObject(using!, [entry('template', using!, jString(using!, usingPath))])));
  entries.push(entry('parameters', at, jObject(at, parameters)));
  return { document: new LoweredDocument(file, jObject(at, entries), parsed.program, parsed.comments), diagnostics };
}

/**
 * `param p = az.getSecret(subscription, group, vault, secret[, version])` as the Key Vault
 * reference ARM receives (literal arguments only; otherwise the value is simply unknown).
 */
function keyVaultReference(a: ParameterAssignment, _template: JsonNode): JsonNode | undefined {
  const v = a.value;
  const call =
    v.kind === 'FunctionCallSyntax' && v.name === 'getSecret' ? v : v.kind === 'InstanceFunctionCallSyntax' && v.name === 'getSecret' ? v : undefined;
  if (!call || call.args.length < 4) return undefined;
  const lit = call.args.map((x) => (x.kind === 'StringSyntax' && x.holes.length === 0 ? x.segments[0]! : undefined));
  if (lit.slice(0, 4).some((x) => x === undefined)) return undefined;
  const id = `/subscriptions/${lit[0]}/resourceGroups/${lit[1]}/providers/Microsoft.KeyVault/vaults/${lit[2]}`;
  const ref: Entry[] = [
    entry('keyVault', v, jObject(v, [entry('id', v, jString(v, id))])),
    entry('secretName', call.args[3]!, jString(call.args[3]!, lit[3]!)),
  ];
  if (lit[4] !== undefined) ref.push(entry('secretVersion', call.args[4]!, jString(call.args[4]!, lit[4])));
  return jObject(a, [entry('reference', v, jObject(v, ref))]);
}

/** An evaluated value as a JSON node at the place of the expression that computed it; unknown when any part is. */
function valueNode(at: { start: number; end: number }, v: unknown): JsonNode | Unknown {
  return unknownPart(v) ?? jValue(at, v);
}

/** The first part of a value (depth first, in order) that is unknown or could not be computed. */
function unknownPart(v: unknown): Unknown | undefined {
  if (isUnknown(v as never)) return v as Unknown;
  if (v === undefined) return new Unknown('the value could not be computed');
  if (v === null || typeof v !== 'object') return undefined;
  for (const x of Array.isArray(v) ? v : Object.values(v)) {
    const bad = unknownPart(x);
    if (bad) return bad;
  }
  return undefined;
}

/** Local module paths a Bicep file uses (`module x './y.bicep'`), as absolute paths. */
export function localModulePaths(document: BicepDocument): string[] {
  const out: string[] = [];
  for (const s of document.program.statements) {
    if (s.kind !== 'ModuleDeclarationSyntax' || !s.path || s.path.holes.length > 0) continue;
    const spec = s.path.segments[0] ?? '';
    if (isRegistryReference(spec)) continue;
    out.push(path.resolve(path.dirname(document.file.absPath), spec));
  }
  return out;
}

/**
 * Parsed files, per sandbox (one scan): a file imported or used as a module many times is parsed
 * once, and a module file the lowering has parsed is not parsed again when its deployment loads it.
 */
const parsedBySandbox = new WeakMap<Sandbox, Map<string, { text: string; parsed: ParseResult } | { ok: false; reason: string; refused: boolean }>>();
/** Module paths each file uses (for cycles), per sandbox. */
const moduleRefsBySandbox = new WeakMap<Sandbox, Map<string, readonly string[] | undefined>>();

function parsedFiles(sandbox: Sandbox) {
  let cache = parsedBySandbox.get(sandbox);
  if (!cache) parsedBySandbox.set(sandbox, (cache = new Map()));
  return cache;
}

/**
 * Parses kept across the units of a scan (the sandbox and its per-unit forks), by path, while the
 * text is the same: AVM-style repositories have hundreds of test deployments using the same
 * module tree. Bounded by the text held (a tree takes about 30 bytes per character of its text),
 * oldest use first out, so memory follows the modules in use rather than the repository. A file
 * whose lowering is kept is not parsed or kept here: its lowering has its parse. 300 K characters:
 * at 500 K the corpora copied four times held 8 MB of parses at the first unit, against 4 MB for
 * one copy; at 150 K they parsed three times as many files again and peaked higher.
 */
const familyParses = new TextBoundedCache<{ text: string; parsed: ParseResult }>(300_000);

function familyParse(sandbox: Sandbox, absPath: string, text: string): ParseResult {
  // A file whose lowering is kept (a module's, or one discovery holds for its unit) has its parse
  // there: a second copy here would hold its syntax tree twice once the caches part.
  const lowered = moduleLowerings.peek(sandbox.family, absPath) ?? handedOff.get(sandbox.family)?.entries.get(absPath);
  if (lowered?.text === text) return lowered.parsed;
  const known = familyParses.get(sandbox.family, absPath, (p) => p.text === text);
  if (known) return known.parsed;
  const parsed = parseBicep(text);
  familyParses.set(sandbox.family, absPath, { text, parsed });
  return parsed;
}

/**
 * The parse of a file's text, shared within the unit; a file read as a module or import
 * (`acrossUnits`) also across the scan's units while its text is the same. Entry files are parsed
 * by the unit that scans them (and by discovery), which keeping them would not save.
 */
function parseShared(sandbox: Sandbox, absPath: string, text: string, acrossUnits = false): ParseResult {
  const cache = parsedFiles(sandbox);
  const known = cache.get(absPath);
  if (known && 'text' in known && known.text === text) return known.parsed;
  const parsed = acrossUnits ? familyParse(sandbox, absPath, text) : parseBicep(text);
  cache.set(absPath, { text, parsed });
  return parsed;
}

/** The sandbox of a file loaded on its own (no scan around it): its git work tree, or its folder. */
function sandboxOf(file: SourceFile): Sandbox {
  return Sandbox.forPaths([file.absPath], { cwd: path.dirname(file.absPath) });
}

/** Everything the lowering reads goes through the scan's sandbox, environment variables included. */
function bicepHost(sandbox: Sandbox): LowerHost {
  const cache = parsedFiles(sandbox);
  let refs = moduleRefsBySandbox.get(sandbox);
  if (!refs) moduleRefsBySandbox.set(sandbox, (refs = new Map()));
  const references = refs;
  return {
    program(absPath) {
      const cached = cache.get(absPath);
      if (cached) return 'text' in cached ? { ok: true, program: cached.parsed.program, text: cached.text } : cached;
      const read = sandbox.readText(absPath);
      if (!read.ok) {
        cache.set(absPath, read);
        return read;
      }
      return { ok: true, program: parseShared(sandbox, absPath, read.value, true).program, text: read.value };
    },
    moduleReferences(absPath) {
      if (references.has(absPath)) return references.get(absPath);
      // Parsed (and kept in the scan's cache), not only lexed: a module file checked for cycles is
      // the file the deployment then loads, and lexing it here was a second pass over its text.
      const loaded = this.program(absPath);
      const found = loaded.ok
        ? loaded.program.statements.flatMap((s) =>
            s.kind === 'ModuleDeclarationSyntax' && s.path && s.path.holes.length === 0 ? [s.path.segments[0] ?? ''] : [],
          )
        : undefined;
      references.set(absPath, found);
      return found;
    },
    readText: (absPath) => sandbox.readText(absPath),
    readBytes: (absPath) => sandbox.readBytes(absPath),
    environmentVariable: (name) => sandbox.environment.get(name),
    registryModule: (spec, fromAbsPath) => resolveRegistryModule(spec, fromAbsPath, sandbox),
  };
}
