import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The directory holding Tollgate's package.json (and `catalog/`). Found by walking up from
 * this module, so it works from `dist/` when installed and from the compiled test build.
 */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json')) || !existsSync(path.join(dir, 'catalog'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the Tollgate package root (package.json with catalog/)');
    dir = up;
  }
  return (cached = dir);
}

export function packageVersion(): string {
  return (JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
