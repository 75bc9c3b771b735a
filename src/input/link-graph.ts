import { realpathSync } from 'node:fs';
import type { RemoteLinkResolver } from '../arm/template/expansion-run.js';
import type { Sandbox } from '../load/sandbox.js';
import { discover } from './discover.js';
import { referencesOf } from './references.js';

// Any deployment scope's template schema, as classify.ts recognises it (here on the raw text).
const TEMPLATE_TEXT = /"\$schema"\s*:\s*"[^"]*deploymenttemplate\.json#?"/i;

/**
 * Who links whom in one folder tree (a git work tree): templates and Bicep files, and what they
 * reference (src/input/references.ts). Built from the files' text, without expanding anything;
 * paths are real paths. Used to find the entry points that reach a changed module, linked
 * template or loaded file.
 */
export class LinkGraph {
  private readonly linkedBy = new Map<string, Set<string>>();

  private constructor(readonly root: string) {}

  static build(root: string, sandbox: Sandbox, options: { exclude?: string[]; resolveRemoteLink?: RemoteLinkResolver }): LinkGraph {
    const graph = new LinkGraph(root);
    const found = discover([root], { cwd: root, exclude: options.exclude });
    for (const c of found.candidates) {
      if (/\.bicepparam$/i.test(c.absPath)) continue;
      const read = sandbox.readText(c.absPath);
      if (!read.ok) continue;
      const isBicep = /\.bicep$/i.test(c.absPath);
      if (!isBicep && !TEMPLATE_TEXT.test(read.value.slice(0, 4096))) continue;
      const from = realPath(c.absPath);
      for (const target of referencesOf(from, read.value, { resolveRemoteLink: options.resolveRemoteLink, root })) {
        const to = realPath(target);
        let set = graph.linkedBy.get(to);
        if (!set) graph.linkedBy.set(to, (set = new Set()));
        set.add(from);
      }
    }
    return graph;
  }

  /** Whether some template or Bicep file of the tree references the file. */
  isLinked(absPath: string): boolean {
    return (this.linkedBy.get(realPath(absPath))?.size ?? 0) > 0;
  }

  /**
   * The files that reach this one through references and that nothing references: what a
   * deployment starts from. Empty when nothing references it, or only a cycle does.
   */
  entryPointsReaching(absPath: string): string[] {
    const start = realPath(absPath);
    const seen = new Set([start]);
    const queue = [start];
    const entries: string[] = [];
    while (queue.length) {
      const at = queue.shift()!;
      const callers = this.linkedBy.get(at);
      if (!callers?.size) {
        if (at !== start) entries.push(at);
        continue;
      }
      for (const c of callers) {
        if (seen.has(c)) continue;
        seen.add(c);
        queue.push(c);
      }
    }
    return entries.sort();
  }
}

export function realPath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}
