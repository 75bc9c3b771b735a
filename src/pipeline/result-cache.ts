import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ScanUnit } from '../input/pair-parameters.js';
import { MAX_INPUT_FILE_BYTES } from '../load/sandbox.js';
import type { UnitOutcome } from './run-unit.js';

// `--cache DIR`: one file per unit, named by the hash of what the scan is (Tollgate's version, the
// rule set, the configuration: `identity`) and which files make the unit. It records the content
// hash of every file the unit read (template, parameter file, linked templates, Bicep modules,
// imports, load*() files; a file it could not read as null) and the unit's outcome. A later scan
// takes the outcome while every one of those files still hashes the same; otherwise it runs the
// unit and replaces the entry. An entry that does not read or parse is a miss, never an error.

const FORMAT = 1;

/** The content hash of a file as a unit read it; null when it could not be read. */
export type Dependencies = Record<string, string | null>;

interface Entry<T> {
  format: number;
  dependencies: Dependencies;
  outcome: T;
}

export class ResultCache {
  hits = 0;
  misses = 0;
  /**
   * Content hashes already computed in this scan, by path: a module many units use, and a file
   * whose discovery entry and unit entry both list it, are read and hashed once per scan.
   */
  private readonly hashes = new Map<string, string | null>();

  constructor(
    private readonly dir: string,
    private readonly identity: string,
  ) {}

  private fileOf(key: unknown[]): string {
    const hash = sha256(JSON.stringify([this.identity, ...key]));
    return path.join(this.dir, hash.slice(0, 2), `${hash}.json`);
  }

  private unitKey(unit: ScanUnit): unknown[] {
    return ['unit', unit.kind, unit.file.absPath, unit.parameterFile?.absPath ?? null];
  }

  /** The cached outcome while nothing the unit read has changed. */
  get(unit: ScanUnit): UnitOutcome | undefined {
    const outcome = this.lookup(this.unitKey(unit), isOutcome);
    if (outcome) this.hits++;
    else this.misses++;
    return outcome;
  }

  set(unit: ScanUnit, dependencies: Dependencies, outcome: UnitOutcome): void {
    this.write(this.unitKey(unit), dependencies, outcome);
  }

  /**
   * What discovery made of a file (its classification, Bicep diagnostics, modules), kept as a
   * unit's outcome is: reused while the files read to make it are unchanged. `key` says how it was
   * read (the file, named or found in a walk).
   */
  memo<T extends object>(key: unknown[], compute: (onRead: (absPath: string, content: Buffer | undefined) => void) => T): T {
    const full = ['file', ...key];
    const known = this.lookup(full, (o): o is T => typeof o === 'object' && o !== null);
    if (known) return known;
    const recorder = dependencyRecorder();
    const value = compute(recorder.onRead);
    this.write(full, recorder.dependencies, value);
    return value;
  }

  private lookup<T>(key: unknown[], valid: (o: unknown) => o is T): T | undefined {
    const entry = this.read(this.fileOf(key));
    if (!entry || !valid(entry.outcome)) return undefined;
    return Object.entries(entry.dependencies).every(([file, hash]) => this.hashOf(file) === hash) ? entry.outcome : undefined;
  }

  private hashOf(file: string): string | null {
    let hash = this.hashes.get(file);
    if (hash === undefined) this.hashes.set(file, (hash = contentHash(file)));
    return hash;
  }

  /** Stores an entry (temporary file, then rename: a reader never sees half an entry). A failed write only costs the next scan the work. */
  private write(key: unknown[], dependencies: Dependencies, outcome: unknown): void {
    const file = this.fileOf(key);
    const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(temp, JSON.stringify({ format: FORMAT, dependencies, outcome } satisfies Entry<unknown>));
      renameSync(temp, file);
    } catch {
      rmSync(temp, { force: true });
    }
  }

  private read(file: string): Entry<unknown> | undefined {
    try {
      const entry = JSON.parse(readFileSync(file, 'utf8')) as Entry<unknown>;
      // A corrupt or foreign entry is a miss (the scan then replaces it).
      if (entry?.format !== FORMAT || typeof entry.dependencies !== 'object' || !entry.dependencies) return undefined;
      return entry;
    } catch {
      return undefined;
    }
  }
}

/** Collects a unit's dependencies from its sandbox's reads (the first read of a path counts). */
export function dependencyRecorder(): { dependencies: Dependencies; onRead: (absPath: string, content: Buffer | undefined) => void } {
  const dependencies: Dependencies = Object.create(null) as Dependencies;
  return {
    dependencies,
    onRead: (absPath, content) => {
      if (!Object.hasOwn(dependencies, absPath)) dependencies[absPath] = content === undefined ? null : sha256(content);
    },
  };
}

function contentHash(file: string): string | null {
  try {
    const content = readFileSync(file);
    return content.length > MAX_INPUT_FILE_BYTES ? null : sha256(content);
  } catch {
    return null;
  }
}

function isOutcome(o: unknown): o is UnitOutcome {
  const u = o as UnitOutcome | undefined;
  return (
    typeof u === 'object' &&
    u !== null &&
    Array.isArray(u.results) &&
    Array.isArray(u.findings) &&
    Array.isArray(u.own) &&
    Array.isArray(u.comments) &&
    Array.isArray(u.diagnostics) &&
    Array.isArray(u.linked)
  );
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
