import path from 'node:path';
import type { LinkedLoadFailure, RemoteLinkResolver } from '../arm/template/expansion-run.js';
import { InputError } from '../load/diagnostic.js';
import { parseJsonDocument, type JsonDocument } from '../load/json-document.js';
import { Sandbox } from '../load/sandbox.js';
import { SourceFile } from '../load/source-file.js';
import { isBicepPath, loadBicepModule } from '../bicep/load-bicep.js';
import { displayPath } from './discover.js';

/**
 * Reads templates and parameter files that a deployment links by relative path, and Bicep
 * modules. Only files inside the sandbox are read (src/load/sandbox.ts): a template must not make
 * the scanner open arbitrary files (`../../etc/...`). Each file is parsed once per loader (the scan makes one per unit). Given
 * paths instead of a sandbox, the sandbox is the one those paths make.
 */
export function linkedFileLoader(sandbox: Sandbox | readonly string[], cwd: string): LinkedFileLoader {
  const box = sandbox instanceof Sandbox ? sandbox : Sandbox.forPaths(sandbox, { cwd });
  const cache = new Map<string, JsonDocument | LinkedLoadFailure>();
  const loaded = new Set<string>();
  const load = (fromAbsPath: string, relativePath: string): JsonDocument | LinkedLoadFailure => {
    const target = path.resolve(path.dirname(fromAbsPath), relativePath.split('?')[0]!);
    const cached = cache.get(target);
    if (cached !== undefined) return cached;
    let result: JsonDocument | LinkedLoadFailure;
    const read = box.readText(target);
    if (!read.ok) {
      result = { reason: read.reason, refused: read.refused };
    } else {
      try {
        const file = new SourceFile(read.realPath, displayPath(read.realPath, cwd), read.value);
        // A Bicep module is lowered like the file that uses it (once per scan while it reads the
        // same); its own problems are reported when it is scanned.
        result = isBicepPath(target) ? loadBicepModule(file, box) : parseJsonDocument(file);
      } catch (err) {
        const reason =
          err instanceof InputError
            ? `${err.diagnostic.message} (${err.diagnostic.file}:${err.diagnostic.location?.start.line ?? 1}:${err.diagnostic.location?.start.column ?? 1})`
            : (err as Error).message;
        result = { reason, refused: false };
      }
    }
    cache.set(target, result);
    if (read.ok && !isFailure(result)) loaded.add(read.realPath).add(target);
    return result;
  };
  return Object.assign(load, { loaded: loaded as ReadonlySet<string> });
}

/** The loader, and the files it read as linked templates or modules (absolute paths, as linked and real). */
export type LinkedFileLoader = ((fromAbsPath: string, relativePath: string) => JsonDocument | LinkedLoadFailure) & { loaded: ReadonlySet<string> };

function isFailure(r: JsonDocument | LinkedLoadFailure): r is LinkedLoadFailure {
  return typeof (r as LinkedLoadFailure).refused === 'boolean';
}

/**
 * The configuration's `links:` as a resolver: an absolute URL under one of the prefixes (the
 * longest that matches, compared ignoring case as hosts are) becomes the file at the same place
 * under the prefix's folder. The query (a SAS token) and fragment are not part of the file name.
 */
export function remoteLinkResolver(links: Readonly<Record<string, string>> | undefined): RemoteLinkResolver | undefined {
  const entries = Object.entries(links ?? {}).sort((a, b) => b[0].length - a[0].length);
  if (!entries.length) return undefined;
  return (uri) => {
    const bare = uri.split(/[?#]/)[0]!;
    for (const [prefix, folder] of entries) {
      if (bare.length < prefix.length || bare.slice(0, prefix.length).toLowerCase() !== prefix.toLowerCase()) continue;
      let rest: string;
      try {
        rest = decodeURIComponent(bare.slice(prefix.length));
      } catch {
        return undefined;
      }
      return { path: path.resolve(folder, rest.replace(/^\/+/, '')), prefix };
    }
    return undefined;
  };
}
