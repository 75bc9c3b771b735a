import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import ignore from 'ignore';
import type { Diagnostic } from '../load/diagnostic.js';

export interface DiscoverOptions {
  cwd: string;
  /** .gitignore-style patterns, matched against paths relative to each scanned directory. */
  exclude?: string[];
  /** .gitignore-style patterns: when given, only files matching one are taken from directories. */
  include?: string[];
  /** Told of each symbolic link met in a walk (a walk never follows them). */
  onSymlink?: (absPath: string) => void;
  /**
   * Told of each directory a walk lists (the result cache's record of the scan keeps their stats);
   * returning false leaves it out (the cache's own folder, which every scan writes).
   */
  onDirectory?: (absPath: string) => boolean;
}

export interface Candidate {
  absPath: string;
  /** Named on the command line: a file that is not a template is then an error, not skipped. */
  explicit: boolean;
}

// Never worth walking into; a user can still name a file inside them explicitly.
const ALWAYS_SKIPPED = ['node_modules/', '.git/'];
const JSON_FILE = /\.(jsonc?|bicep|bicepparam)$/i;

/** Expands the paths given on the command line into candidate files, in a stable order. */
export function discover(paths: string[], options: DiscoverOptions): { candidates: Candidate[]; diagnostics: Diagnostic[] } {
  const candidates: Candidate[] = [];
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  const add = (c: Candidate) => {
    if (seen.has(c.absPath)) return;
    seen.add(c.absPath);
    candidates.push(c);
  };
  for (const given of paths) {
    const abs = path.resolve(options.cwd, given);
    let stat;
    try {
      stat = statSync(abs);
    } catch {
      diagnostics.push({ severity: 'error', code: 'not-found', message: `no such file or directory: ${given}`, file: given });
      continue;
    }
    if (stat.isDirectory()) {
      const ig = ignore()
        .add(ALWAYS_SKIPPED)
        .add(options.exclude ?? []);
      const only = options.include?.length ? includeMatcher(options.include) : undefined;
      // ALWAYS_SKIPPED names folders only, and the walk enters no skipped folder: without --exclude
      // patterns no file is skipped, and asking `ignore` about each file cost ~10 ms per 2,000.
      const skipsFiles = Boolean(options.exclude?.length);
      walk(abs, '', { ig, skipsFiles, only, add, onSymlink: options.onSymlink, onDirectory: options.onDirectory });
    } else {
      add({ absPath: abs, explicit: true });
    }
  }
  return { candidates, diagnostics };
}

interface Walk {
  ig: ReturnType<typeof ignore>;
  /** Whether `ig` can skip a file (see discover). */
  skipsFiles: boolean;
  only: { ignores: (rel: string) => boolean } | undefined;
  add: (c: Candidate) => void;
  onSymlink: ((absPath: string) => void) | undefined;
  onDirectory: ((absPath: string) => boolean) | undefined;
}

/** Walks `dir`, whose path relative to the scanned directory is `relDir` ('' for itself), with forward slashes. */
function walk(dir: string, relDir: string, w: Walk): void {
  if (w.onDirectory?.(dir) === false) return;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // `dir` is absolute and normalised (path.resolve, then this): joined without path.join's normalising.
  const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
  for (const entry of entries) {
    const abs = prefix + entry.name;
    const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (w.ig.ignores(rel + '/')) continue;
      walk(abs, rel, w);
    } else if (entry.isSymbolicLink()) {
      w.onSymlink?.(abs);
    } else if (entry.isFile() && JSON_FILE.test(entry.name) && !(w.skipsFiles && w.ig.ignores(rel)) && (!w.only || w.only.ignores(rel))) {
      w.add({ absPath: abs, explicit: false });
    }
  }
}

/**
 * Files `--include` takes. Patterns that only name an extension anywhere (`*.bicep`, and the same
 * after a leading `**` folder part; `ignore` matches a pattern without a slash at any depth, and
 * ignores case) are a suffix test:
 * asking `ignore` about each file cost ~14 ms per 5,000 files. Any other pattern goes to `ignore`.
 */
function includeMatcher(patterns: string[]): { ignores: (rel: string) => boolean } {
  const suffixes: string[] = [];
  for (const p of patterns) {
    const m = /^(?:\*\*\/)?\*(\.[A-Za-z0-9_-]+)$/.exec(p);
    if (!m) return ignore().add(patterns);
    suffixes.push(m[1]!.toLowerCase());
  }
  return { ignores: (rel) => suffixes.some((x) => rel.toLowerCase().endsWith(x)) };
}

/** The path shown to users: relative to the working directory when inside it, with forward slashes. */
export function displayPath(absPath: string, cwd: string): string {
  const rel = path.relative(cwd, absPath);
  const shown = rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : absPath;
  return shown.split(path.sep).join('/');
}
