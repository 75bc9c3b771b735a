import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { Diagnostic } from '../load/diagnostic.js';
import { nodeValue, type JsonDocument } from '../load/json-document.js';
import type { JsonNode } from '../load/json-parser.js';
import type { SourceFile } from '../load/source-file.js';
import { lowerProgram, type LowerHost } from './lower/lower-program.js';
import { parseBicep } from './syntax/parser.js';
import type { Program } from './syntax/tree.js';

/** A lowered file: the ARM template in memory, its syntax tree and comments, and what went wrong. */
export interface BicepDocument extends JsonDocument {
  readonly program: Program;
}

class LoweredDocument implements BicepDocument {
  private plain: unknown;
  private built = false;
  constructor(
    readonly file: SourceFile,
    readonly root: JsonNode,
    readonly program: Program,
  ) {}
  get value(): unknown {
    if (!this.built) {
      this.plain = nodeValue(this.root);
      this.built = true;
    }
    return this.plain;
  }
}

export function isBicepPath(p: string): boolean {
  return /\.bicep$/i.test(p);
}

/**
 * Parses and lowers one `.bicep` file. Syntax errors and lowering problems are diagnostics at
 * their line and column; the template is still produced from what parsed.
 */
export function loadBicep(file: SourceFile): { document: BicepDocument; diagnostics: Diagnostic[] } {
  const parsed = parseBicep(file.text);
  const diagnostics: Diagnostic[] = parsed.diagnostics.map((d) => ({
    severity: 'error',
    code: 'bicep-syntax',
    message: d.message,
    file: file.path,
    location: file.locationOf(d.start, Math.max(0, d.end - d.start)),
  }));
  const lowered = lowerProgram(parsed.program, file.absPath, bicepHost());
  for (const d of lowered.diagnostics) {
    diagnostics.push({ severity: d.severity, code: 'bicep-lowering', message: d.message, file: file.path, location: file.locationOf(d.start, Math.max(0, d.end - d.start)) });
  }
  return { document: new LoweredDocument(file, lowered.template, parsed.program), diagnostics };
}

/** Local module paths a Bicep file uses (`module x './y.bicep'`), as absolute paths. */
export function localModulePaths(document: BicepDocument): string[] {
  const out: string[] = [];
  for (const s of document.program.statements) {
    if (s.kind !== 'ModuleDeclarationSyntax' || s.path.holes.length > 0) continue;
    const spec = s.path.segments[0] ?? '';
    if (/^(br[:/]|ts[:/])/.test(spec)) continue;
    out.push(path.resolve(path.dirname(document.file.absPath), spec));
  }
  return out;
}

const programs = new Map<string, { program: Program; text: string } | string>();

function bicepHost(): LowerHost {
  return {
    program(absPath) {
      const cached = programs.get(absPath);
      if (cached) return cached;
      let result: { program: Program; text: string } | string;
      try {
        const text = readFileSync(absPath, 'utf8');
        result = { program: parseBicep(text).program, text };
      } catch (err) {
        result = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file does not exist' : String((err as Error).message);
      }
      programs.set(absPath, result);
      return result;
    },
    readText(absPath) {
      try {
        return readFileSync(absPath, 'utf8');
      } catch {
        return undefined;
      }
    },
    readBytes(absPath) {
      try {
        return readFileSync(absPath);
      } catch {
        return undefined;
      }
    },
    registryModule: findRegistryModule,
  };
}

/**
 * Where a registry module is on this machine: Bicep's own cache (`~/.bicep/br/<registry>/<repository
 * with $ for />/<tag>$/main.json`), or a vendored copy `_external/<module name>/main.bicep` in a
 * folder above the file (how a repository keeps the registry modules it uses for offline work).
 */
export function findRegistryModule(reference: string, fromAbsPath: string): string | undefined {
  const m = /^br(?::([^/]+)|\/([^:]+):)(.+?):([^:@]+)$/.exec(reference);
  if (!m) return undefined;
  const registry = m[1] ?? (m[2] === 'public' ? 'mcr.microsoft.com' : undefined);
  let repository = m[3]!;
  if (m[2] === 'public') repository = `bicep/${repository}`;
  const tag = m[4]!;
  const name = repository.split('/').pop()!;
  for (let dir = path.dirname(fromAbsPath); ; dir = path.dirname(dir)) {
    for (const candidate of [path.join(dir, '_external', name, 'main.bicep'), path.join(dir, '_external', name, 'main.json')]) {
      if (existsSync(candidate)) return candidate;
    }
    if (path.dirname(dir) === dir) break;
  }
  if (registry) {
    const cached = path.join(homedir(), '.bicep', 'br', registry, repository.replace(/\//g, '$'), `${tag}$`, 'main.json');
    if (existsSync(cached)) return cached;
  }
  return undefined;
}
