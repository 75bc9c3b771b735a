import { realpathSync } from 'node:fs';
import path from 'node:path';
import type { RemoteLinkResolver } from '../arm/template/expansion-run.js';
import type { Sandbox } from '../load/sandbox.js';
import { isFile } from '../load/file-kind.js';
import { discover } from './discover.js';
import { referencesOf } from './references.js';

// Any deployment scope's template schema, as classify.ts recognises it (here on the raw text).
const TEMPLATE_TEXT = /"\$schema"\s*:\s*"[^"]*deploymenttemplate\.json#?"/i;
// 4096 UTF-16 units of text (where the $schema is looked for) need at most 12,288 bytes.
const HEAD_BYTES = 16 * 1024;
// A file name with one of these can be written escaped (`\"`, `''`, `\'`, `\$`) or encoded: it
// cannot be looked for as written.
const UNSEARCHABLE_NAME = /["'\\$%\p{Cc}]/u;

interface GraphOptions {
  exclude?: string[];
  resolveRemoteLink?: RemoteLinkResolver;
}

/**
 * Who links whom in one folder tree (a git work tree): templates and Bicep files, and what they
 * reference (src/input/references.ts). Built from the files' text, without expanding anything;
 * paths are real paths. Used to find the entry points that reach a changed module, linked
 * template or loaded file.
 *
 * Built on demand: naming one file asks who references it, then who references those, and so on.
 * A file can reference another only by writing its name (references.ts reads literal paths), so
 * for each question only the files whose bytes contain one of the names asked about (ignoring
 * case), or an escape (`\u`) or URL encoding (`%`) that could spell one, are decoded and read for
 * references; the others cost a read and a byte search. A tree with a symbolic link to a file (a
 * reference through a link named otherwise would not contain the target's name) reads every file.
 */
export class LinkGraph {
  /** Callers found so far, by real path of the file they reference. */
  private readonly linkedBy = new Map<string, Set<string>>();
  /** Real paths whose callers are all in linkedBy. */
  private readonly answered = new Set<string>();
  /** Files whose references are in linkedBy. */
  private readonly examined = new Set<string>();

  private constructor(
    readonly root: string,
    private readonly files: readonly string[],
    private readonly sandbox: Sandbox,
    private readonly options: GraphOptions,
    /** False when the tree has a symbolic link to a file: every file is then examined. */
    private readonly byName: boolean,
  ) {}

  static build(root: string, sandbox: Sandbox, options: GraphOptions): LinkGraph {
    // Only a link to a file can give it another name: a linked folder keeps the names of its files.
    let fileLinks = false;
    const found = discover([root], { cwd: root, exclude: options.exclude, onSymlink: (p) => (fileLinks ||= isFile(p)) });
    const files = found.candidates.map((c) => c.absPath).filter((p) => !/\.bicepparam$/i.test(p));
    return new LinkGraph(root, files, sandbox, options, !fileLinks);
  }

  /** Whether some template or Bicep file of the tree references the file. */
  isLinked(absPath: string): boolean {
    const target = realPath(absPath);
    this.findCallers([target]);
    return (this.linkedBy.get(target)?.size ?? 0) > 0;
  }

  /**
   * The files that reach this one through references and that nothing references: what a
   * deployment starts from. Empty when nothing references it, or only a cycle does.
   */
  entryPointsReaching(absPath: string): string[] {
    const start = realPath(absPath);
    const seen = new Set([start]);
    let level = [start];
    const entries: string[] = [];
    while (level.length) {
      // One pass over the tree answers a whole level of the search.
      this.findCallers(level);
      const next: string[] = [];
      for (const at of level) {
        const callers = this.linkedBy.get(at);
        if (!callers?.size) {
          if (at !== start) entries.push(at);
          continue;
        }
        for (const c of callers) {
          if (seen.has(c)) continue;
          seen.add(c);
          next.push(c);
        }
      }
      level = next;
    }
    return entries.sort();
  }

  /** Examines the files that may reference one of the targets, so that linkedBy holds all their callers. */
  private findCallers(targets: readonly string[]): void {
    const asked = targets.filter((t) => !this.answered.has(t));
    if (!asked.length) return;
    for (const t of asked) this.answered.add(t);
    const names = this.byName ? namePattern(asked) : undefined;
    for (const file of this.files) {
      if (this.examined.has(file)) continue;
      const read = this.sandbox.readBytes(file);
      if (!read.ok) {
        this.examined.add(file);
        continue;
      }
      if (names && !mayName(read.value.toString('latin1'), names, this.options.resolveRemoteLink !== undefined)) continue;
      this.examined.add(file);
      this.examine(file, read.value);
    }
  }

  private examine(file: string, bytes: Buffer): void {
    // Most files of a work tree are not templates (parameter files, policies, package.json):
    // decode only enough of them to see the $schema, and the whole text only of templates.
    if (!/\.bicep$/i.test(file) && !TEMPLATE_TEXT.test(bytes.toString('utf8', 0, HEAD_BYTES).slice(0, 4096))) return;
    const from = realPath(file);
    for (const target of referencesOf(from, bytes.toString('utf8'), { resolveRemoteLink: this.options.resolveRemoteLink, root: this.root })) {
      const to = realPath(target);
      let set = this.linkedBy.get(to);
      if (!set) this.linkedBy.set(to, (set = new Set()));
      set.add(from);
    }
  }
}

/**
 * A pattern matching the file names of the targets in a file's bytes read as Latin-1 (so that
 * no file is decoded to be searched), or undefined when a name cannot be searched for as written.
 */
function namePattern(targets: readonly string[]): RegExp | undefined {
  const names = targets.map((t) => path.basename(t));
  if (names.some((n) => !n || UNSEARCHABLE_NAME.test(n))) return undefined;
  const asBytes = names.map((n) =>
    Buffer.from(n, 'utf8')
      .toString('latin1')
      .replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
  );
  return new RegExp(asBytes.join('|'), 'i');
}

function mayName(latin1: string, names: RegExp, urlDecoded: boolean): boolean {
  return names.test(latin1) || latin1.includes('\\u') || (urlDecoded && latin1.includes('%'));
}

export function realPath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}
