import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { RemoteLinkResolver } from '../arm/template/expansion-run.js';
import type { Diagnostic } from '../load/diagnostic.js';
import type { Sandbox } from '../load/sandbox.js';
import { displayPath } from './discover.js';
import { LinkGraph, realPath } from './link-graph.js';
import { isFile } from '../load/file-kind.js';
import { templatePathsByName } from './pair-parameters.js';

const TEMPLATE_TEXT = /"\$schema"\s*:\s*"[^"]*deploymenttemplate\.json#?"/i;
const PARAMETERS_TEXT = /"\$schema"\s*:\s*"[^"]*deploymentparameters\.json#?"/i;

export interface RelatedOptions {
  cwd: string;
  sandbox: Sandbox;
  exclude?: string[];
  resolveRemoteLink?: RemoteLinkResolver;
  /** `--parameters` was given: the user chose the parameter files, none are added. */
  explicitParameters?: boolean;
  /** `--standalone`: a linked template or module named is scanned on its own, not through its callers. */
  standalone?: boolean;
  /** Link graphs by work tree kept by the caller between calls (`tollgate lsp`); missing ones are built and added. */
  graphs?: Map<string, LinkGraph>;
}

export interface Related {
  /** The paths to scan: directories as given, each named file replaced by what it belongs to. */
  paths: string[];
  /** Notes on what a named file brought in (info; `--verbose` and the reports show them). */
  diagnostics: Diagnostic[];
}

/**
 * Naming one file scans what it belongs to (a pre-commit hook names the changed files):
 * - a parameter file: its template (`metadata.template`, else `X.parameters[.env].json` -> `X.json`);
 *   a `.bicepparam`: the file of its `using`;
 * - a template or Bicep file: itself, with its parameter files in its folder (unless `--parameters`);
 * - a Bicep module, linked template or loaded file (`loadTextContent`…): the entry points of the
 *   repository (the git work tree, or the file's folder outside one) that reach it through
 *   references (src/input/link-graph.ts), each with its parameter files. A template that has
 *   parameter files of its own is scanned with them too. When no entry point is found the file is
 *   scanned as named.
 * Directories are walked as before.
 */
export function relatedFiles(paths: readonly string[], options: RelatedOptions): Related {
  const out = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  const graphs = options.graphs ?? new Map<string, LinkGraph>();
  const graphFor = (abs: string): LinkGraph | undefined => {
    const root = options.sandbox.rootOf(abs);
    if (!root) return undefined;
    let g = graphs.get(root.path);
    if (!g)
      graphs.set(root.path, (g = LinkGraph.build(root.path, options.sandbox, { exclude: options.exclude, resolveRemoteLink: options.resolveRemoteLink })));
    return g;
  };
  const shown = (abs: string) => displayPath(abs, options.cwd);
  const withParameters = (template: string) => {
    out.add(template);
    if (!options.explicitParameters) for (const p of parameterFilesOf(template, options.sandbox)) out.add(p);
  };

  for (const given of paths) {
    const abs = path.resolve(options.cwd, given);
    if (!isFile(abs)) {
      out.add(abs);
      continue;
    }
    const read = options.sandbox.readText(abs);
    const text = read.ok ? read.value : '';
    const head = text.slice(0, 4096);
    if (/\.bicepparam$/i.test(abs)) {
      out.add(abs);
      const using = /^\s*using\s+'([^']+)'/m.exec(text)?.[1];
      const target = using && !/^(br|ts)[:/]/i.test(using) ? path.resolve(path.dirname(abs), using) : undefined;
      if (target && isFile(target)) out.add(target);
      continue;
    }
    if (PARAMETERS_TEXT.test(head)) {
      out.add(abs);
      const template = templateOfParameterFile(abs, text);
      if (template) {
        out.add(template);
        diagnostics.push(note(`scanned with its template ${shown(template)}`, shown(abs)));
      }
      continue;
    }
    const isTemplate = /\.bicep$/i.test(abs) || TEMPLATE_TEXT.test(head);
    const graph = options.standalone ? undefined : graphFor(abs);
    const entries = graph?.entryPointsReaching(abs) ?? [];
    if (entries.length) {
      for (const e of entries) withParameters(e);
      diagnostics.push(
        note(
          `scanned through the deployment${entries.length > 1 ? 's' : ''} that reach${entries.length > 1 ? '' : 'es'} it: ${entries.map(shown).join(', ')}`,
          shown(abs),
        ),
      );
      // A linked template with parameter files of its own is also a deployment of its own.
      if (isTemplate && parameterFilesOf(abs, options.sandbox).length && !options.explicitParameters) withParameters(abs);
      continue;
    }
    if (isTemplate) withParameters(abs);
    else out.add(abs);
  }
  return { paths: [...out], diagnostics };
}

function note(message: string, file: string): Diagnostic {
  return { severity: 'info', code: 'related-files', message, file };
}

/** `metadata.template`, else the naming convention, on disk. */
function templateOfParameterFile(abs: string, text: string): string | undefined {
  const declared = /"template"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(text)?.[1];
  if (declared && /"metadata"\s*:/.test(text)) {
    const target = path.resolve(path.dirname(abs), JSON.parse(`"${declared}"`) as string);
    if (isFile(target)) return target;
  }
  return templatePathsByName(abs).find(isFile);
}

/**
 * The parameter files of a template in its folder: `X.parameters[.env].json` for `X.json`; any
 * JSON parameter file whose `metadata.template` names it; a `.bicepparam` whose `using` names it.
 */
export function parameterFilesOf(template: string, sandbox: Sandbox): string[] {
  const dir = path.dirname(template);
  const real = realPath(template);
  const base = path.basename(template).replace(/\.(jsonc?|bicep)$/i, '');
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of names) {
    const abs = path.join(dir, name);
    if (abs === template) continue;
    const byName = !/\.bicep$/i.test(template) && name.toLowerCase().startsWith(`${base.toLowerCase()}.parameters.`) && /\.jsonc?$/i.test(name);
    if (byName && isFile(abs)) {
      out.push(abs);
      continue;
    }
    if (!/\.(jsonc?|bicepparam)$/i.test(name) || !isFile(abs)) continue;
    const read = sandbox.readText(abs);
    if (!read.ok) continue;
    const target = /\.bicepparam$/i.test(name)
      ? /^\s*using\s+'([^']+)'/m.exec(read.value)?.[1]
      : PARAMETERS_TEXT.test(read.value.slice(0, 4096))
        ? metadataTemplate(read.value)
        : undefined;
    if (target && realPath(path.resolve(dir, target)) === real) out.push(abs);
  }
  return out;
}

function metadataTemplate(text: string): string | undefined {
  const m = /"template"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(text);
  if (!m) return undefined;
  try {
    return JSON.parse(`"${m[1]}"`) as string;
  } catch {
    return undefined;
  }
}
