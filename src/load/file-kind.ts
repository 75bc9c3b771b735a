import { statSync } from 'node:fs';

// What a path is on disk, for the few places that must ask before reading or writing. Any error
// (missing, ENOTDIR, EACCES) answers false: the read or the write itself then says why.

export function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

export function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
