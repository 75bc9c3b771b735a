import { readFileSync } from 'node:fs';
import { baselineFingerprint, fingerprint } from './fingerprint.js';
import type { Finding } from './finding.js';

/**
 * The baseline file: findings accepted as they are today, by identity (never by line).
 * Version 2 identifies a resource by where it is declared; version 1 (still read) by its
 * evaluated type and name, which a change of deployment context changed.
 */
export interface BaselineFile {
  version: 1 | 2;
  tool: 'tollgate';
  created: string;
  findings: { fingerprint: string; ruleId: string; file: string; resource: string; path?: string; message: string }[];
}

export const BASELINE_VERSION = 2;

export class BaselineError extends Error {}

export function baselineOf(findings: readonly Finding[], now: Date): BaselineFile {
  const seen = new Set<string>();
  const entries: BaselineFile['findings'] = [];
  for (const f of findings) {
    const print = baselineFingerprint(f);
    if (seen.has(print)) continue;
    seen.add(print);
    entries.push({
      fingerprint: print,
      ruleId: f.ruleId,
      file: f.file,
      resource: `${f.resource.type}/${f.resource.name}`,
      ...(f.path && { path: f.path }),
      message: f.message,
    });
  }
  entries.sort((a, b) => (a.file + a.resource + a.ruleId < b.file + b.resource + b.ruleId ? -1 : 1));
  return { version: BASELINE_VERSION, tool: 'tollgate', created: now.toISOString(), findings: entries };
}

export function readBaseline(file: string, shownAs: string): BaselineFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new BaselineError(
      `${shownAs}: ${code === 'ENOENT' ? 'no such baseline file (write one with `tollgate baseline write`)' : `not a baseline file (${(err as Error).message})`}`,
    );
  }
  const b = parsed as Partial<BaselineFile>;
  if (b?.tool !== 'tollgate' || !Array.isArray(b.findings) || !b.findings.every((e) => typeof e?.fingerprint === 'string')) {
    throw new BaselineError(`${shownAs}: not a Tollgate baseline`);
  }
  if (b.version !== 1 && b.version !== 2)
    throw new BaselineError(
      `${shownAs}: baseline version ${JSON.stringify(b.version)} is not one this Tollgate reads (1 or 2); write it again with \`tollgate baseline write\``,
    );
  return b as BaselineFile;
}

/**
 * Splits findings into new ones and those already in the baseline; counts the baseline entries
 * no longer found (fixed). A version 1 baseline is matched by its own (older) fingerprint, so it
 * keeps working until it is written again.
 */
export function compareWithBaseline(findings: readonly Finding[], baseline: BaselineFile): { fresh: Finding[]; known: number; fixed: number } {
  const identity = baseline.version === 1 ? fingerprint : baselineFingerprint;
  const accepted = new Set(baseline.findings.map((e) => e.fingerprint));
  const present = new Set<string>();
  const fresh: Finding[] = [];
  let known = 0;
  for (const f of findings) {
    const print = identity(f);
    if (accepted.has(print)) {
      known++;
      present.add(print);
    } else {
      fresh.push(f);
    }
  }
  return { fresh, known, fixed: [...accepted].filter((p) => !present.has(p)).length };
}
