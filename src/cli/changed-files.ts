import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { isFile } from '../load/file-kind.js';

/**
 * `--changed-since REF`: the files that differ from REF in the work tree (committed since REF,
 * staged or not: `git diff --name-only REF`) plus the untracked files git does not ignore (a new
 * template not yet added is part of the change being checked), limited to the given paths.
 * Deleted files are left out (`--diff-filter=d`, and anything no longer on disk): there is nothing
 * to scan, and what linked them is changed too if it still does. Paths are absolute.
 */
export function changedFiles(ref: string, within: readonly string[], cwd: string): string[] | { error: string } {
  const top = git(['rev-parse', '--show-toplevel'], cwd);
  if ('error' in top) return { error: `--changed-since needs a git work tree: ${top.error}` };
  const root = top.out.trim();
  // `--end-of-options`: a ref that starts with '-' is a ref, never an option of git.
  const diff = git(['diff', '--name-only', '--no-renames', '--diff-filter=d', '-z', '--end-of-options', ref, '--'], root);
  if ('error' in diff) return { error: `--changed-since ${ref}: ${diff.error}` };
  const untracked = git(['ls-files', '--others', '--exclude-standard', '-z'], root);
  if ('error' in untracked) return { error: `--changed-since ${ref}: ${untracked.error}` };
  const scopes = within.map((p) => path.resolve(cwd, p));
  const names = [...diff.out.split('\0'), ...untracked.out.split('\0')].filter(Boolean);
  const files = new Set<string>();
  for (const name of names) {
    const abs = path.resolve(root, name);
    if (!scopes.some((s) => abs === s || abs.startsWith(s.endsWith(path.sep) ? s : s + path.sep))) continue;
    if (isFile(abs)) files.add(abs);
  }
  return [...files].sort();
}

function git(args: string[], cwd: string): { out: string } | { error: string } {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.error) return { error: `cannot run git (${r.error.message})` };
  if (r.status !== 0) return { error: (r.stderr || `git ${args[0]} failed`).trim().split('\n')[0]! };
  return { out: r.stdout };
}
