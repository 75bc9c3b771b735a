import { InputError, type Diagnostic } from '../load/diagnostic.js';
import { childNode, parseJsonDocument, parseJsonValueFirst, type JsonDocument } from '../load/json-document.js';
import { SourceFile } from '../load/source-file.js';
import { Sandbox } from '../load/sandbox.js';
import { looksLikeExport } from '../resources/from-export.js';
import { getProperty } from '../resources/value.js';
import { isBicepParamPath, isBicepPath, loadBicep, loadBicepParams, type ParamsEvaluator } from '../bicep/load-bicep.js';
import type { Candidate } from './discover.js';
import { displayPath } from './discover.js';

export type FileKind = 'template' | 'parameters' | 'export';

export interface ClassifiedFile {
  kind: FileKind;
  document: JsonDocument;
  /** Problems found while reading it that do not stop its scan (Bicep syntax and lowering). */
  diagnostics?: Diagnostic[];
}

export type Classification =
  { ok: true; file: ClassifiedFile } | { ok: false; skipped: true; path: string; reason: string } | { ok: false; skipped: false; diagnostic: Diagnostic };

// Any deployment scope: deploymentTemplate.json#, subscriptionDeploymentTemplate.json#, …
const TEMPLATE_SCHEMA = /deploymenttemplate\.json#?$/i;
const PARAMETERS_SCHEMA = /deploymentparameters\.json#?$/i;

/**
 * Reads and classifies one candidate. A file found by walking a directory that is not a
 * template, parameter file or export (package.json, metadata.json…) is skipped quietly; the
 * same file named on the command line is an error. Discovery does not expand: the computed values
 * of a `.bicepparam` are evaluated by `evaluateParams`, the expand stage's
 * `evaluateBicepParamValues` (src/arm/template/expand.ts) passed in by the caller.
 */
export function classify(
  candidate: Candidate,
  cwd: string,
  sandbox: Sandbox = Sandbox.forPaths([candidate.absPath], { cwd }),
  evaluateParams: ParamsEvaluator = noParamsEvaluator,
  /**
   * Who reads the file in a scan. `discovery` keeps only a JSON file's kind and a few values, never
   * its syntax tree: it reads the value with JSON.parse and builds the tree (positions) only for a
   * file JSON.parse rejects, so that errors are said as before; it hands its lowering of a Bicep
   * file on. The `unit` that scans the file parses it with positions and takes that lowering.
   */
  reader?: 'discovery' | 'unit',
): Classification {
  const shown = displayPath(candidate.absPath, cwd);
  const read = sandbox.readText(candidate.absPath);
  if (!read.ok) {
    // Outside the sandbox or too large: said as such (code `sandbox`), not as an fs error.
    const diagnostic: Diagnostic = {
      severity: 'error',
      code: read.refused ? 'sandbox' : 'unreadable',
      message: `cannot read file: ${read.reason}`,
      file: shown,
    };
    return { ok: false, skipped: false, diagnostic };
  }
  const text = read.value;
  const file = new SourceFile(candidate.absPath, shown, text);
  if (isBicepPath(candidate.absPath)) {
    const { document, diagnostics } = loadBicep(file, sandbox, reader === 'discovery' ? 'store' : reader === 'unit' ? 'take' : undefined);
    return { ok: true, file: { kind: 'template', document, diagnostics } };
  }
  if (isBicepParamPath(candidate.absPath)) {
    const { document, diagnostics } = loadBicepParams(file, evaluateParams, sandbox);
    return { ok: true, file: { kind: 'parameters', document, diagnostics } };
  }
  let document: JsonDocument;
  try {
    document = reader === 'discovery' ? parseJsonValueFirst(file) : parseJsonDocument(file);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    // Broken JSON matters when the file means to be a template or parameter file.
    if (candidate.explicit || /deployment(template|parameters)\.json/i.test(text)) return { ok: false, skipped: false, diagnostic: err.diagnostic };
    return { ok: false, skipped: true, path: shown, reason: 'not valid JSON' };
  }
  // The $schema decides for templates and parameter files without building the file's value.
  const schema = reader === 'discovery' ? getProperty(document.value, '$schema') : childNode(document.root, '$schema')?.value;
  const kind =
    typeof schema === 'string' && (TEMPLATE_SCHEMA.test(schema) || PARAMETERS_SCHEMA.test(schema)) ? kindOf({ $schema: schema }) : kindOf(document.value);
  if (kind) return { ok: true, file: { kind, document } };
  if (candidate.explicit) {
    return {
      ok: false,
      skipped: false,
      diagnostic: {
        severity: 'error',
        code: 'not-a-template',
        message: 'not an ARM template, parameter file or exported resource (no deploymentTemplate/deploymentParameters $schema, no resource id/type/name)',
        file: shown,
        location: file.locationOf(0, 0),
      },
    };
  }
  return { ok: false, skipped: true, path: shown, reason: 'not a template, parameter file or exported resource' };
}

function noParamsEvaluator(): never {
  throw new Error("classify: reading a .bicepparam with computed values needs the expand stage's evaluator (evaluateBicepParamValues)");
}

export function kindOf(value: unknown): FileKind | undefined {
  const schema = getProperty(value, '$schema');
  if (typeof schema === 'string') {
    if (TEMPLATE_SCHEMA.test(schema)) return 'template';
    if (PARAMETERS_SCHEMA.test(schema)) return 'parameters';
  }
  if (looksLikeExport(value)) return 'export';
  return undefined;
}
