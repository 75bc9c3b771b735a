import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseJsonDocument, type JsonDocument } from '../src/load/json-document.js';
import { SourceFile } from '../src/load/source-file.js';
import { packageRoot } from '../src/package-root.js';

/** The repository root (where package.json and catalog/ are). */
export const repoRoot = packageRoot;

/** Writes files (path -> content) into a fresh temporary directory and returns it. */
export function tempTree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tollgate-test-'));
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(dir, rel);
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, content);
  }
  return dir;
}

/** A JSON document from text, as if read from `name`. */
export function doc(text: string, name = 'test.json'): JsonDocument {
  return parseJsonDocument(new SourceFile(`/virtual/${name}`, name, text));
}

export const TEMPLATE_SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
export const PARAMETERS_SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#';

/** A template's JSON text, pretty-printed so that tests can name lines. */
export function template(body: { parameters?: object; variables?: object; resources: unknown[] | object; [k: string]: unknown }): string {
  return JSON.stringify({ $schema: TEMPLATE_SCHEMA, contentVersion: '1.0.0.0', ...body }, null, 2);
}

export function parameterFile(values: Record<string, unknown>): string {
  const parameters = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { value: v }]));
  return JSON.stringify({ $schema: PARAMETERS_SCHEMA, contentVersion: '1.0.0.0', parameters }, null, 2);
}

/** The 1-based line of the first line containing `needle` in `text`. */
export function lineOf(text: string, needle: string, from = 0): number {
  const i = text.indexOf(needle, from);
  if (i < 0) throw new Error(`'${needle}' not in text`);
  return text.slice(0, i).split('\n').length;
}
