import { closeSync, existsSync, fstatSync, openSync, readFileSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { isDirectory } from './file-kind.js';

/**
 * The largest file Tollgate reads (templates, parameter files, Bicep files and what they load,
 * policy files). Azure's own limit for a template is 4 MB; a file eight times that is not a
 * deployment, and reading it whole could exhaust memory. A larger file is a diagnostic.
 */
export const MAX_INPUT_FILE_BYTES = 32 * 1024 * 1024;

/**
 * How much of what a scan read its sandbox keeps for reading again (see Sandbox.kept): the
 * corpora (2.2 MB) fit; at 8 MB four copies of them held 4 MB more for no speed measured.
 */
export const KEPT_READS_BYTES = 4 * 1024 * 1024;

/** The longest path Tollgate resolves (Linux's PATH_MAX); a longer one is refused before any file system call. */
export const MAX_PATH_LENGTH = 4096;

/** A read that worked (the content, and the real path it came from) or the reason it did not. */
export type SandboxRead<T> = { ok: true; value: T; realPath: string } | { ok: false; reason: string; refused: boolean };

/** One folder whose files may be read, and why (for messages). */
interface SandboxRoot {
  path: string;
  kind: 'git work tree' | 'scanned path' | 'Bicep registry cache' | 'Bicep module mirror';
}

export interface SandboxOptions {
  cwd: string;
  /**
   * Environment variables the user gave (`--env`, the configuration's `env:`). These are the
   * only ones `readEnvironmentVariable()` sees: an offline scan never reads the real environment.
   */
  environment?: Readonly<Record<string, string>>;
  /**
   * Bicep's module cache root (`~/.bicep`): its `br` and `ts` folders are readable because
   * registry and template-spec modules resolve into them; false for none.
   */
  registryCache?: string | false;
  /** A folder of Bicep registry modules the user keeps (`bicep.moduleCache` in tollgate.yaml), absolute. */
  moduleMirror?: string;
  /**
   * Texts that replace what is on disk, by absolute path: an editor's unsaved buffers (`tollgate
   * lsp`). The sandbox rules still apply (the path is checked as any other); only the content differs.
   */
  overlay?: ReadonlyMap<string, string>;
}

/**
 * The one place a scan reads user content from. Files a scanned template or Bicep file refers
 * to (linked templates, modules, `loadTextContent`, `import`, `extends`) could otherwise name any
 * file on the machine (`../../secret.txt`, `/proc/self/environ`) and put its content into
 * findings and reports. The sandbox is the git work tree holding each path the user named (a
 * folder with a `.git` directory or file, found by walking up), or the path itself (a file's
 * folder) when there is none, plus Bicep's registry cache. Paths are compared after resolving
 * symbolic links, so a link pointing out is refused like the path it points to.
 */
export class Sandbox {
  private constructor(
    private readonly roots: SandboxRoot[],
    /** The environment variables the user gave: never `process.env`. */
    readonly environment: ReadonlyMap<string, string>,
    /** Bicep's default module cache root, unless the sandbox has none. */
    readonly bicepCacheRoot?: string,
    /** The module mirror folder the user configured. */
    readonly moduleMirror?: string,
    private readonly overlay?: ReadonlyMap<string, string>,
  ) {}

  /** Bicep cache folders allowed but not resolved yet (see resolvePendingCaches). */
  private readonly pendingCaches: string[] = [];

  /**
   * Real paths already resolved, by absolute path. A sandbox lives for one scan, which asks about
   * the same file several times (read it, then find its root for the link graph); resolving costs
   * a system call per path segment and was 6% of a corpus scan.
   */
  private realPaths = new Map<string, string>();

  private realOf(absPath: string): string | undefined {
    let real = this.realPaths.get(absPath);
    if (real === undefined) {
      try {
        real = realpathSync.native(absPath);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw err;
        return undefined; // a missing file is not remembered: it may be written during the scan
      }
      this.realPaths.set(absPath, real);
    }
    return real;
  }

  /**
   * The same object for a sandbox and all its forks: caches of what does not depend on the unit
   * (a Bicep file's parse, given its text) key on it, so that a module many units use is parsed
   * once per scan while each fork still reads (and reports) the file itself.
   */
  family: object = {};

  /**
   * Files already read in this scan (the sandbox and its forks), by real path, up to
   * KEPT_READS_BYTES, first come first kept: discovery reads every file and the unit that scans it
   * reads it again (each read an open, a stat, a read and a close). A kept read serves the next
   * reader once and is then let go: units run in discovery's order, so what the first units read
   * is kept for them, and it does not stay until the scan ends (four copies of the corpora held
   * 4 MB of files to the end, one copy 2 MB). A fork whose reads are recorded (the result cache)
   * reads the disk.
   */
  private kept: { files: Map<string, Buffer>; bytes: number } = { files: new Map(), bytes: 0 };

  /** Told of every read, with the content, or undefined when the file could not be read (see fork). */
  private onRead?: (absPath: string, content: Buffer | undefined) => void;

  /**
   * The same sandbox under a new identity. Caches keyed by the sandbox (Bicep parses, lowered
   * modules) then live as long as the fork: the scan forks one per unit so that they are released
   * with the unit instead of growing with the repository. `onRead` sees every file the fork reads
   * (or fails to read): the files a unit depends on, for the result cache.
   */
  fork(onRead?: (absPath: string, content: Buffer | undefined) => void): Sandbox {
    const box = new Sandbox(this.roots, this.environment, this.bicepCacheRoot, this.moduleMirror, this.overlay);
    box.family = this.family;
    box.pendingCaches.push(...this.pendingCaches);
    box.onRead = onRead;
    box.realPaths = this.realPaths; // real paths do not depend on the unit
    box.kept = this.kept;
    return box;
  }

  /** The sandbox for the paths the user named (scanned paths, `--parameters` files and the like). */
  static forPaths(named: readonly string[], options: SandboxOptions): Sandbox {
    const roots: SandboxRoot[] = [];
    const add = (root: SandboxRoot) => {
      if (!roots.some((r) => r.path === root.path)) roots.push(root);
    };
    for (const given of named) {
      const real = realOrResolved(path.resolve(options.cwd, given));
      const folder = isDirectory(real) ? real : path.dirname(real);
      const tree = gitWorkTree(folder);
      add(tree ? { path: tree, kind: 'git work tree' } : { path: folder, kind: 'scanned path' });
    }
    const cache = options.registryCache === undefined ? path.join(homedir(), '.bicep') : options.registryCache;
    const mirror = options.moduleMirror === undefined ? undefined : path.resolve(options.cwd, options.moduleMirror);
    if (mirror) add({ path: realOrResolved(mirror), kind: 'Bicep module mirror' });
    const box = new Sandbox(roots, new Map(Object.entries(options.environment ?? {})), cache || undefined, mirror, options.overlay);
    if (cache) box.allowBicepCache(cache);
    return box;
  }

  /**
   * Makes a Bicep module cache readable: only its `br` and `ts` folders, where `bicep restore`
   * writes modules (a bicepconfig.json's `cacheRootDirectory` must not open the folder it names).
   */
  allowBicepCache(root: string): void {
    for (const sub of ['br', 'ts']) {
      const folder = path.join(root, sub);
      if (!this.pendingCaches.includes(folder)) this.pendingCaches.push(folder);
    }
  }

  /**
   * Cache folders are resolved (symbolic links, which cost a system call per path segment) only
   * when a path outside the other roots is checked: most scans never read from a cache.
   */
  private resolvePendingCaches(): boolean {
    if (this.pendingCaches.length === 0) return false;
    for (const folder of this.pendingCaches.splice(0)) {
      const real = realOrResolved(folder);
      if (!this.roots.some((r) => r.path === real)) this.roots.push({ path: real, kind: 'Bicep registry cache' });
    }
    return true;
  }

  /** What the sandbox is, for messages: `the git work tree /x or the scanned paths /y`. */
  describe(): string {
    const named = this.roots.filter((r) => r.kind === 'git work tree' || r.kind === 'scanned path');
    const trees = named.filter((r) => r.kind === 'git work tree').map((r) => r.path);
    const scanned = named.filter((r) => r.kind === 'scanned path').map((r) => r.path);
    const parts: string[] = [];
    if (trees.length) parts.push(`the git work tree${trees.length > 1 ? 's' : ''} ${trees.join(', ')}`);
    if (scanned.length) parts.push(`the scanned path${scanned.length > 1 ? 's' : ''} ${scanned.join(', ')}`);
    return parts.join(' or ') || 'no folder';
  }

  /**
   * The folder of the sandbox (a git work tree or a scanned path, not the registry cache) holding
   * a path: the extent of the repository-level views (who links whom) built for it.
   */
  rootOf(absPath: string): { path: string; kind: 'git work tree' | 'scanned path' } | undefined {
    let real: string;
    try {
      real = this.realOf(absPath) ?? realOfMissing(absPath);
    } catch {
      real = realOfMissing(absPath);
    }
    let best: SandboxRoot | undefined;
    for (const r of this.roots) {
      if (r.kind === 'Bicep registry cache') continue;
      const inside = real === r.path || real.startsWith(r.path.endsWith(path.sep) ? r.path : r.path + path.sep);
      if (inside && (!best || r.path.length < best.path.length)) best = r;
    }
    return best ? { path: best.path, kind: best.kind as 'git work tree' | 'scanned path' } : undefined;
  }

  /** Whether a path is inside the sandbox, after resolving symbolic links; the real path when it is. */
  check(absPath: string): { ok: true; realPath: string } | { ok: false; reason: string } {
    // No file system opens a longer path (Linux's PATH_MAX), and resolving one segment by segment
    // costs the square of its length: a 125 KB `extends` path took 20 s before this check.
    if (absPath.length > MAX_PATH_LENGTH)
      return {
        ok: false,
        reason: `the path is ${absPath.length.toLocaleString('en-US')} characters long, more than any file system opens (${MAX_PATH_LENGTH.toLocaleString('en-US')})`,
      };
    let real: string | undefined;
    try {
      real = this.realOf(absPath);
    } catch {
      return { ok: false, reason: 'it is a symbolic link loop' };
    }
    // A file that does not exist: judge where it would be, so `../../x` is refused as outside
    // rather than reported missing (which would tell what exists outside).
    real ??= realOfMissing(absPath);
    const inside = () => this.roots.some((r) => real === r.path || real.startsWith(r.path.endsWith(path.sep) ? r.path : r.path + path.sep));
    if (!inside() && !(this.resolvePendingCaches() && inside())) {
      return { ok: false, reason: `the file is outside the sandbox (${this.describe()}); Tollgate reads no file outside it` };
    }
    return { ok: true, realPath: real };
  }

  readText(absPath: string): SandboxRead<string> {
    const edited = this.overlay?.size ? this.fromOverlay(absPath) : undefined;
    if (edited) return edited;
    const read = this.readBytes(absPath);
    return read.ok ? { ...read, value: read.value.toString('utf8') } : read;
  }

  readBytes(absPath: string): SandboxRead<Buffer> {
    const edited = this.overlay?.size ? this.fromOverlay(absPath) : undefined;
    if (edited) return edited.ok ? { ...edited, value: Buffer.from(edited.value, 'utf8') } : edited;
    const inside = this.check(absPath);
    if (!inside.ok) {
      this.onRead?.(absPath, undefined);
      return { ok: false, reason: inside.reason, refused: true };
    }
    const known = this.onRead ? undefined : this.kept.files.get(inside.realPath);
    if (known) {
      // Served once (see kept).
      this.kept.files.delete(inside.realPath);
      this.kept.bytes -= known.length;
    }
    const read: SandboxRead<Buffer> = known ? { ok: true, value: known, realPath: inside.realPath } : readLimited(inside.realPath);
    if (!known && read.ok && this.kept.bytes + read.value.length <= KEPT_READS_BYTES) {
      const before = this.kept.files.get(inside.realPath);
      this.kept.bytes += read.value.length - (before?.length ?? 0);
      this.kept.files.set(inside.realPath, read.value);
    }
    this.onRead?.(absPath, read.ok ? read.value : undefined);
    return read;
  }

  /**
   * Says that a path that decides something (where a module resolves, which bicepconfig.json
   * applies) does not exist: a dependency like a file read, so that the result cache sees it appear.
   */
  noteAbsent(absPath: string): void {
    this.onRead?.(absPath, undefined);
  }

  /** The overlay's text for a path (by the path as given or its real path), checked like a read from disk. */
  private fromOverlay(absPath: string): SandboxRead<string> | undefined {
    if (!this.overlay!.has(absPath) && !this.overlay!.has(realOrResolved(absPath))) return undefined;
    const inside = this.check(absPath);
    if (!inside.ok) return { ok: false, reason: inside.reason, refused: true };
    const text = this.overlay!.get(absPath) ?? this.overlay!.get(inside.realPath);
    if (text === undefined) return undefined;
    if (text.length > MAX_INPUT_FILE_BYTES) return { ok: false, reason: tooLarge(text.length), refused: true };
    return { ok: true, value: text, realPath: inside.realPath };
  }
}

/**
 * Reads a regular file of at most MAX_INPUT_FILE_BYTES, without any sandbox check: for files the
 * user named explicitly (policy files). Devices and pipes are refused (reading one could block).
 */
export function readLimited(absPath: string): SandboxRead<Buffer> {
  let fd: number;
  try {
    fd = openSync(absPath, 'r');
  } catch (err) {
    return { ok: false, reason: errorReason(err), refused: false };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { ok: false, reason: 'it is not a regular file', refused: true };
    if (stat.size > MAX_INPUT_FILE_BYTES) return { ok: false, reason: tooLarge(stat.size), refused: true };
    const value = readFileSync(fd);
    // Files under /proc report a size of 0: check what was actually read too.
    if (value.length > MAX_INPUT_FILE_BYTES) return { ok: false, reason: tooLarge(value.length), refused: true };
    return { ok: true, value, realPath: absPath };
  } catch (err) {
    return { ok: false, reason: errorReason(err), refused: false };
  } finally {
    closeSync(fd);
  }
}

/** readLimited as text, throwing the reason: for callers that report fs errors by catching them. */
export function readLimitedText(absPath: string): string {
  const read = readLimited(absPath);
  if (!read.ok) throw new Error(read.reason);
  return read.value.toString('utf8');
}

function tooLarge(bytes: number): string {
  return `the file is ${(bytes / 1024 / 1024).toFixed(1)} MiB, more than Tollgate reads (${MAX_INPUT_FILE_BYTES / 1024 / 1024} MiB)`;
}

function errorReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'the file does not exist';
  if (code === 'EISDIR') return 'it is a folder';
  if (code === 'ELOOP') return 'it is a symbolic link loop';
  return code ?? String((err as Error).message);
}

/** The folder holding `.git` (a directory, or a file in worktrees and submodules) at or above `folder`. */
export function gitWorkTree(folder: string): string | undefined {
  for (let dir = folder; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, '.git'))) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** The real path a missing file would have: its nearest existing folder resolved, plus the rest. */
function realOfMissing(absPath: string): string {
  const rest: string[] = [];
  for (let dir = absPath; ; dir = path.dirname(dir)) {
    try {
      return path.join(realpathSync.native(dir), ...rest.reverse());
    } catch {
      if (path.dirname(dir) === dir) return absPath;
      rest.push(path.basename(dir));
    }
  }
}

function realOrResolved(p: string): string {
  try {
    return realpathSync.native(p);
  } catch {
    return realOfMissing(p);
  }
}
