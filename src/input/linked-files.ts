import path from 'node:path';
import type { LinkedLoadFailure } from '../arm/template/expansion-run.js';
import { InputError } from '../load/diagnostic.js';
import { parseJsonDocument, type JsonDocument } from '../load/json-document.js';
import { Sandbox } from '../load/sandbox.js';
import { SourceFile } from '../load/source-file.js';
import { isBicepPath, loadBicep } from '../bicep/load-bicep.js';
import { displayPath } from './discover.js';

/**
 * Reads templates and parameter files that a deployment links by relative path, and Bicep
 * modules. Only files inside the sandbox are read (src/load/sandbox.ts): a template must not make
 * the scanner open arbitrary files (`../../etc/...`). Each file is parsed once per scan. Given
 * paths instead of a sandbox, the sandbox is the one those paths make.
 */
export function linkedFileLoader(sandbox: Sandbox | readonly string[], cwd: string): (fromAbsPath: string, relativePath: string) => JsonDocument | LinkedLoadFailure {
  const box = sandbox instanceof Sandbox ? sandbox : Sandbox.forPaths(sandbox, { cwd });
  const cache = new Map<string, JsonDocument | LinkedLoadFailure>();
  return (fromAbsPath, relativePath) => {
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
        // A Bicep module is lowered like the file that uses it; its own problems are reported when it is scanned.
        result = isBicepPath(target) ? loadBicep(file, box).document : parseJsonDocument(file);
      } catch (err) {
        const reason = err instanceof InputError ? `${err.diagnostic.message} (${err.diagnostic.file}:${err.diagnostic.location?.start.line ?? 1}:${err.diagnostic.location?.start.column ?? 1})` : (err as Error).message;
        result = { reason, refused: false };
      }
    }
    cache.set(target, result);
    return result;
  };
}
