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

/** A device, a pipe or a socket (`/dev/null`, `/dev/stdout`, a FIFO): there, but neither a file nor a directory. */
export function isSpecialFile(p: string): boolean {
  try {
    const stat = statSync(p);
    return !stat.isFile() && !stat.isDirectory();
  } catch {
    return false;
  }
}
