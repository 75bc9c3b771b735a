import path from 'node:path';
import type { RemoteLinkResolver } from '../arm/template/expansion-run.js';
import { isFile as isPlainFile } from '../load/file-kind.js';

/**
 * Which files a template, Bicep file or parameter file refers to, read from its text without
 * expanding anything: a repository-level view of who links whom, cheap enough to build for every
 * file of a work tree. It sees
 * - ARM: `relativePath` strings, literal `uri` strings (relative, or absolute under a `links:`
 *   prefix), and literal `.json` paths inside expressions, the `_artifactsLocation` pattern
 *   (`[uri(parameters('_artifactsLocation'), 'nested/x.json')]`, `concat(…, '/nested/x.json')`), the
 *   same through a variable, or `deployment().properties.templateLink.uri` directly;
 * - Bicep: `module` paths, `using`, `extends`, `import … from`, and `load*()` file arguments.
 * It cannot see a path computed from parts (`concat('nested/', parameters('name'), '.json')`), a
 * base passed by the caller that is not the linking file's folder or one above it, or an
 * unmapped remote URL. A literal path is kept only when the file exists. Callers treat what it
 * cannot see as "not linked" (the file is scanned on its own, as before), never the other way.
 */
export function referencesOf(
  absPath: string,
  text: string,
  options: { resolveRemoteLink?: RemoteLinkResolver; root?: string; isFile?: (p: string) => boolean } = {},
): string[] {
  if (!mayReference(absPath, text)) return [];
  const isFile = options.isFile ?? isPlainFile;
  const found = new Set<string>();
  const add = (p: string | undefined) => {
    if (p && p !== absPath && isFile(p)) found.add(p);
  };
  const dir = path.dirname(absPath);
  if (/\.(bicep|bicepparam)$/i.test(absPath)) {
    for (const ref of bicepReferences(text)) add(path.resolve(dir, ref));
    return [...found];
  }
  for (const { key, value } of jsonStrings(text)) {
    if (value.startsWith('[') && !value.startsWith('[[')) {
      // A literal file path inside an expression: relative to this file's folder or, for an
      // `_artifactsLocation` passed down from a parent, to a folder above it (the parent's).
      for (const literal of value.matchAll(/'((?:[^']|'')*?\.json)(?:\?[^']*)?'/gi)) {
        const rel = literal[1]!.replace(/''/g, "'");
        if (isAbsoluteUrl(rel)) add(options.resolveRemoteLink?.(rel)?.path);
        else add(firstExisting(rel.replace(/^\/+/, ''), dir, options.root, isFile));
      }
      continue;
    }
    if (isAbsoluteUrl(value)) {
      if (/\.json(?:[?#]|$)/i.test(value)) add(options.resolveRemoteLink?.(value)?.path);
      continue;
    }
    if ((key === 'relativepath' || key === 'uri') && /\.json(?:\?|$)/i.test(value)) add(path.resolve(dir, value.split('?')[0]!));
  }
  return [...found];
}

/**
 * Whether the text can refer to another file at all. It depends on the text only (what it refers
 * to also depends on which files exist), so a file's summary kept in the result cache keeps it.
 * A template links others only through a deployment's templateLink (the URL may be built in a
 * variable, but the key is there).
 */
export function mayReference(absPath: string, text: string): boolean {
  return /\.(bicep|bicepparam)$/i.test(absPath) || /"templateLink"/i.test(text);
}

/** Every JSON string value with the key it is the value of (lower case), by a scan of the text. */
function* jsonStrings(text: string): Generator<{ key: string | undefined; value: string }> {
  const token = /"((?:[^"\\]|\\.)*)"(\s*:)?/g;
  let key: string | undefined;
  for (let m = token.exec(text); m; m = token.exec(text)) {
    let value: string;
    try {
      value = JSON.parse(`"${m[1]}"`) as string;
    } catch {
      value = m[1]!;
    }
    if (m[2]) {
      key = value.toLowerCase();
      continue;
    }
    yield { key, value };
    key = undefined;
  }
}

// Each pattern with a word it cannot match without: most files have no `extends` or `load*()`,
// and looking for a word is much cheaper than running a pattern over every line.
const BICEP_REFERENCE: [string, RegExp][] = [
  ['module', /^\s*module\s+\S+\s+'([^']+)'/gm],
  ['using', /^\s*using\s+'([^']+)'/gm],
  ['extends', /^\s*extends\s+'([^']+)'/gm],
  ['import', /^\s*import\b[^\n]*?\bfrom\s+'([^']+)'/gm],
  ['Content(', /\bload(?:Text|Json|Yaml)Content\(\s*'([^']+)'/g],
  ['loadFileAsBase64(', /\bloadFileAsBase64\(\s*'([^']+)'/g],
];

function bicepReferences(text: string): string[] {
  const out: string[] = [];
  for (const [word, pattern] of BICEP_REFERENCE) {
    if (!text.includes(word)) continue;
    for (const m of text.matchAll(pattern)) {
      const ref = m[1]!;
      // Registry and template spec modules (br:, br/alias:, ts:) are not files of the work tree.
      if (!/^(br|ts)[:/]/i.test(ref) && !ref.includes('${')) out.push(ref);
    }
  }
  return out;
}

function firstExisting(rel: string, from: string, root: string | undefined, isFile: (p: string) => boolean): string | undefined {
  for (let dir = from; ;) {
    const candidate = path.resolve(dir, rel);
    if (isFile(candidate)) return candidate;
    const up = path.dirname(dir);
    if (up === dir || (root !== undefined && !isInside(up, root))) return undefined;
    dir = up;
  }
}

function isInside(p: string, root: string): boolean {
  return p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

function isAbsoluteUrl(s: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(s);
}
