import { renameSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import path from 'node:path';
import type { Finding, ResourceRef, RuleResult } from '../findings/finding.js';
import type { Found } from '../input/load-inputs.js';
import type { ScanOutput } from './scan-options.js';
import type { Dependencies } from './result-cache.js';
import { asciiJson, readCacheText, sha256 } from './result-cache.js';

// `--cache DIR`, the whole scan: a re-scan of a tree where nothing changed takes the scan's output
// as the last scan left it, without looking up its thousands of file and unit entries one by one,
// merging their findings and suppressing again (on the 20 MB corpus: ~150 ms of a ~450 ms warm
// re-scan). The per-unit entries (result-cache.ts) stay the ground truth: when anything differs,
// the scan runs as before and takes each unchanged unit from them.
//
// A record holds, besides the output, everything the output depends on that the scan's identity
// (version, rules, configuration) does not:
// - the scan's options (paths, globs, suppressions, shard, ...) and today's date (suppressions
//   expire by the calendar): `key`;
// - the files the walk found, in order: a file added or removed is a new scan;
// - which paths exist among those the links between templates were resolved against (a relative
//   link resolves to the nearest existing file): `probes`;
// - every file the scan's entries depend on (what each unit and each file summary read) with its
//   content hash and, as git's index does, the stat it had: size, modification and change times,
//   inode. A file is trusted by its stat only if it had not changed for RACY_MS before the scan
//   started (then what the scan read is what the stat describes); a scan that read a younger file
//   writes no record, and the next one does.
// Only scans of folders have records: a named file stands for the files linked with it, found by
// reading others.
//
// One record per identity and options (today's date aside: the next day replaces it), in its own
// file beside the pack, written whole (temporary file, then rename).

const FORMAT = 1;
/** How recently modified a file may be and still be trusted by its stat (coarse clocks tick every 2 s). */
const RACY_MS = 3_000;

/** A file the scan depends on: path, content hash (null: could not be read), then its stat (null: it did not exist). */
type RecordedFile = [string, string | null, [size: number, mtimeMs: number, ctimeMs: number, ino: number] | null];

interface StoredScan {
  format: number;
  key: string;
  candidates: [string, boolean | null][];
  /** What the walk said (a folder it could not read, say), as JSON. */
  walked: string;
  probes: [string, boolean][];
  files: RecordedFile[];
  /** How many units the scan ran or took from the cache (a re-scan taking the record counts them as hits). */
  units: number;
  output: PackedOutput;
}

/** What a scan's record is keyed by: `scope` names the file, `today` only has to match. */
export interface ScanKey {
  scope: unknown;
  today: string;
}

export class ScanRecords {
  constructor(
    private readonly dir: string,
    private readonly identity: string,
    /** When this scan started (see RACY_MS). */
    private readonly started: number,
  ) {}

  private fileOf(key: ScanKey): string {
    return path.join(this.dir, `${sha256(`${this.identity}\0${JSON.stringify(key.scope)}`).slice(0, 32)}.scan`);
  }

  /** The output the last scan with this key left, while the walk finds the same files and nothing it depends on changed. */
  take(key: ScanKey, { candidates, diagnostics }: Found): ScanOutput | undefined {
    let stored: StoredScan;
    try {
      stored = JSON.parse(readCacheText(this.fileOf(key))) as StoredScan;
    } catch {
      return undefined;
    }
    try {
      if (stored.format !== FORMAT || stored.key !== JSON.stringify(key)) return undefined;
      if (stored.candidates.length !== candidates.length || stored.walked !== JSON.stringify(diagnostics)) return undefined;
      for (const [i, [absPath, explicit]] of stored.candidates.entries()) {
        const c = candidates[i]!;
        if (c.absPath !== absPath || (c.explicit ?? null) !== explicit) return undefined;
      }
      for (const [p, exists] of stored.probes) if (isFile(p) !== exists) return undefined;
      for (const [file, , recorded] of stored.files) {
        const stat = statOrUndefined(file);
        if (recorded === null ? stat !== undefined : stat === undefined || !sameStat(recorded, stat)) return undefined;
      }
      const output = unpackOutput(stored.output);
      output.cache = { hits: stored.units, misses: 0 };
      return output;
    } catch {
      // a record of another shape: a miss, replaced at the end of this scan
      return undefined;
    }
  }

  /** Keeps this scan's output for the next scan with the same key; nothing when a file it read is too young to be trusted by its stat. */
  keep(
    key: ScanKey,
    { candidates, diagnostics }: Found,
    probes: ReadonlyMap<string, boolean>,
    dependencies: Dependencies,
    units: number,
    output: ScanOutput,
  ): void {
    const files: RecordedFile[] = [];
    for (const [file, hash] of Object.entries(dependencies)) {
      const stat = statOrUndefined(file);
      if (!stat) {
        // Read, and gone since: the next scan must not take this one.
        if (hash !== null) return;
        files.push([file, null, null]);
        continue;
      }
      if (stat.mtimeMs >= this.started - RACY_MS || stat.ctimeMs >= this.started - RACY_MS) return;
      files.push([file, hash, [stat.size, stat.mtimeMs, stat.ctimeMs, stat.ino]]);
    }
    const stored: StoredScan = {
      format: FORMAT,
      key: JSON.stringify(key),
      candidates: candidates.map((c) => [c.absPath, c.explicit ?? null]),
      walked: JSON.stringify(diagnostics),
      probes: [...probes],
      files,
      units,
      output: packOutput(output),
    };
    const file = this.fileOf(key);
    const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      writeFileSync(temp, asciiJson(stored));
      renameSync(temp, file);
    } catch {
      // a full disk, a read-only cache: the next scan takes the units one by one
      rmSync(temp, { force: true });
    }
  }
}

function isFile(p: string): boolean {
  return statOrUndefined(p)?.isFile() ?? false;
}

function statOrUndefined(p: string): Stats | undefined {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

function sameStat([size, mtimeMs, ctimeMs, ino]: [number, number, number, number], stat: Stats): boolean {
  return size === stat.size && mtimeMs === stat.mtimeMs && ctimeMs === stat.ctimeMs && ino === stat.ino;
}

// The output as stored: each finding once (a unit's finding is in its rule result and, unless
// merged into another, in the output's findings), each result's resource and file as indexes, as
// outcome-pack.ts stores a unit's outcome.

type PackedResult = Omit<RuleResult, 'findings' | 'resource' | 'file'> & { findings: number[]; resource: number; file: number };

interface PackedOutput {
  output: Omit<ScanOutput, 'results' | 'findings' | 'suppressed' | 'durationMs' | 'cache'>;
  findingTable: Finding[];
  findings: number[];
  suppressed: number[] | null;
  resources: ResourceRef[];
  files: string[];
  results: PackedResult[];
}

function packOutput(output: ScanOutput): PackedOutput {
  const { results, findings, suppressed, durationMs: _durationMs, cache: _cache, ...rest } = output;
  const findingTable: Finding[] = [];
  const findingIndex = new Map<Finding, number>();
  const finding = (f: Finding) => {
    let i = findingIndex.get(f);
    if (i === undefined) findingIndex.set(f, (i = findingTable.push(f) - 1));
    return i;
  };
  const resources: ResourceRef[] = [];
  const resourceIndex = new Map<ResourceRef, number>();
  const files: string[] = [];
  const fileIndex = new Map<string, number>();
  const indexOf = <T>(list: T[], index: Map<T, number>, value: T) => {
    let i = index.get(value);
    if (i === undefined) index.set(value, (i = list.push(value) - 1));
    return i;
  };
  return {
    output: rest,
    findings: findings.map(finding),
    suppressed: suppressed ? suppressed.map(finding) : null,
    results: results.map((r) => ({
      ...r,
      findings: r.findings.map(finding),
      resource: indexOf(resources, resourceIndex, r.resource),
      file: indexOf(files, fileIndex, r.file),
    })),
    findingTable,
    resources,
    files,
  };
}

function unpackOutput(packed: PackedOutput): ScanOutput {
  const at = <T>(list: T[], i: number): T => {
    const v = list[i];
    if (v === undefined) throw new Error('garbled record');
    return v;
  };
  const finding = (i: number) => at(packed.findingTable, i);
  return {
    ...packed.output,
    results: packed.results.map((r) => ({
      ...r,
      findings: r.findings.map(finding),
      resource: at(packed.resources, r.resource),
      file: at(packed.files, r.file),
    })),
    findings: packed.findings.map(finding),
    ...(packed.suppressed && { suppressed: packed.suppressed.map(finding) }),
    durationMs: 0,
  };
}
