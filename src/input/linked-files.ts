import { readFileSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { InputError } from '../load/diagnostic.js';
import { parseJsonDocument, type JsonDocument } from '../load/json-document.js';
import { SourceFile } from '../load/source-file.js';
import { isBicepPath, loadBicep } from '../bicep/load-bicep.js';
import { displayPath } from './discover.js';

/**
 * Reads templates and parameter files that a deployment links by relative path. Only files
 * inside the scanned paths are read: a template must not make the scanner open arbitrary files
 * (`../../etc/...`). Each file is parsed once per scan.
 */
export function linkedFileLoader(scanPaths: readonly string[], cwd: string): (fromAbsPath: string, relativePath: string) => JsonDocument | string {
  const roots = scanPaths.map((p) => {
    const abs = realOrResolved(path.resolve(cwd, p));
    return isDirectory(abs) ? abs : path.dirname(abs);
  });
  // Bicep's module cache holds the registry modules a Bicep file references (`br:…`): readable too.
  roots.push(realOrResolved(path.join(homedir(), '.bicep')));
  const cache = new Map<string, JsonDocument | string>();
  return (fromAbsPath, relativePath) => {
    const target = realOrResolved(path.resolve(path.dirname(fromAbsPath), relativePath.split('?')[0]!));
    const cached = cache.get(target);
    if (cached !== undefined) return cached;
    let result: JsonDocument | string;
    if (!roots.some((root) => target === root || target.startsWith(root + path.sep))) {
      result = `it is outside the scanned paths (${displayPath(target, cwd)})`;
    } else {
      try {
        const file = new SourceFile(target, displayPath(target, cwd), readFileSync(target, 'utf8'));
        // A Bicep module is lowered like the file that uses it; its own problems are reported when it is scanned.
        result = isBicepPath(target) ? loadBicep(file).document : parseJsonDocument(file);
      } catch (err) {
        if (err instanceof InputError) result = `${err.diagnostic.message} (${err.diagnostic.file}:${err.diagnostic.location?.start.line ?? 1}:${err.diagnostic.location?.start.column ?? 1})`;
        else result = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file does not exist' : (err as Error).message;
      }
    }
    cache.set(target, result);
    return result;
  };
}

function realOrResolved(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
