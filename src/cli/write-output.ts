import { chmodSync, mkdirSync, readdirSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isDirectory, isSpecialFile } from '../load/file-kind.js';

/** A report or file that could not be written: the message names the file and why, for one line on standard error. */
export class WriteError extends Error {}

/**
 * Writes a report atomically: a temporary file beside the target, then a rename, so an
 * interrupted run never leaves a half-written SARIF file for a CI upload step to choke on.
 * Missing folders on the way are created (`-o reports/tollgate.sarif` in a fresh checkout).
 *
 * The temporary file is `.NAME.<pid>.tmp`. It is removed on any error; a run killed while
 * writing cannot remove it, so each write first removes those left beside the same target by
 * processes that no longer exist.
 */
export function writeFileAtomic(target: string, content: string, options: { keepMode?: boolean } = {}): void {
  // Rewriting a user's file (`tollgate fix`): through a symbolic link to the file itself, with its permissions.
  let mode: number | undefined;
  if (options.keepMode) {
    try {
      target = realpathSync(target);
      mode = statSync(target).mode & 0o7777;
    } catch {
      // A file that is not there yet is written as a new one.
    }
  }
  const dir = path.dirname(target);
  const base = path.basename(target);
  // Checked first: renaming a file onto a folder fails with a message naming the temporary file.
  if (isDirectory(target)) throw new WriteError(`cannot write ${target}: is a directory`);
  // A device or a pipe (`-o /dev/null`, `-o /dev/stdout`, a FIFO) is written to: a rename would put
  // a file in its place (run as root, `-o /dev/null` turned /dev/null into an 8 MB file), and
  // where nothing is kept there is no half-written file to fear.
  if (isSpecialFile(target)) {
    try {
      writeFileSync(target, content);
    } catch (err) {
      throw new WriteError(`cannot write ${target}: ${reason(err)}`);
    }
    return;
  }
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    // EEXIST from a recursive mkdir: something on the way is a file, not a folder.
    const why = (err as NodeJS.ErrnoException).code === 'EEXIST' ? REASONS['ENOTDIR']! : reason(err);
    throw new WriteError(`cannot write ${target}: cannot create the folder ${dir}: ${why}`);
  }
  removeStaleTemporaries(dir, base);
  const tmp = path.join(dir, temporaryName(base, process.pid));
  try {
    writeFileSync(tmp, content);
    if (mode !== undefined) chmodSync(tmp, mode);
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new WriteError(`cannot write ${target}: ${reason(err)}`);
  }
}

/** `.NAME.<pid>.tmp`: hidden, and naming its writer so that a later run can tell whether it is still at work. */
export function temporaryName(base: string, pid: number): string {
  return `.${base}.${pid}.tmp`;
}

/** Removes `.NAME.<pid>.tmp` files of `base` whose process is gone. Best effort: a failure here never stops the write. */
function removeStaleTemporaries(dir: string, base: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  const prefix = `.${base}.`;
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const digits = name.slice(prefix.length, -'.tmp'.length);
    if (!/^[1-9][0-9]{0,9}$/.test(digits)) continue;
    const pid = Number(digits);
    if (pid === process.pid || isAlive(pid)) continue;
    rmSync(path.join(dir, name), { force: true });
  }
}

/** Signal 0 checks that a process exists without touching it; only ESRCH means it does not (EPERM: it exists, another user's). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

const REASONS: Record<string, string> = {
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the device',
  EROFS: 'read-only file system',
  ENAMETOOLONG: 'the name is too long',
};

function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code !== undefined && Object.hasOwn(REASONS, code) ? `${REASONS[code]} (${code})` : (code ?? (err as Error).message);
}

/** `writeFileAtomic`, with a failure said in one line on standard error (`tollgate: cannot write …`); false when it failed. */
export function writeOrSay(target: string, content: string): boolean {
  try {
    writeFileAtomic(target, content);
    return true;
  } catch (err) {
    if (!(err instanceof WriteError)) throw err;
    process.stderr.write(`tollgate: ${err.message}\n`);
    return false;
  }
}
