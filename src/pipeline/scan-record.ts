import { statSync, type Stats } from 'node:fs';
import path from 'node:path';
import type { Finding, ResourceRef, RuleResult } from '../findings/finding.js';
import type { Found } from '../input/load-inputs.js';
import type { ScanOutput } from './scan-options.js';
import { isFile } from '../load/file-kind.js';
import type { Dependencies, StatStamp } from './result-cache.js';
import { asciiJson, readCacheText, replaceWhole, sameStat, settledBefore, sha256, stampOf } from './result-cache.js';

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
//   inode. A file is trusted by its stat only if it had not changed for 3 s before the scan
//   started (then what the scan read is what the stat describes); a scan that read a younger file
//   writes no record, and the next one does.
// Only scans of folders have records: a named file stands for the files linked with it, found by
// reading others.
//
// One record per identity and options (today's date aside: the next day replaces it), in its own
// file beside the pack, written whole (temporary file, then rename).

// 3: stats as the pack's stat records write them (objects), not tuples.
const FORMAT = 3;

/** A file the scan depends on: path, content hash (null: could not be read), then its stat (null: it did not exist). */
type RecordedFile = [string, string | null, StatStamp | null];

interface StoredScan {
  format: number;
  key: string;
  candidates: [string, boolean | null][];
  /** What the walk said (a folder it could not read, say), as JSON. */
  walked: string;
  /**
   * The folders the walk listed, with their stats; null when one had changed within 3 s of the
   * scan (the next scan walks). Adding, removing or renaming an entry changes its folder's
   * modification time, so while every folder has its stat the walk would find the same files (as
   * git's untracked cache reasons).
   */
  dirs: [string, StatStamp][] | null;
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

/** The record of one scan's key (scan.ts: `open`, then `unchangedWalk`, `take`, and `keep` at the end). */
export class ScanRecords {
  private stored: StoredScan | undefined | null = null;

  constructor(
    private readonly dir: string,
    private readonly identity: string,
    private readonly key: ScanKey,
    /** When this scan started (see settledBefore). */
    private readonly started: number,
  ) {}

  private get file(): string {
    return path.join(this.dir, `${sha256(`${this.identity}\0${JSON.stringify(this.key.scope)}`).slice(0, 32)}.scan`);
  }

  /** The record for this key, read once; undefined when there is none of this key and format. */
  private record(): StoredScan | undefined {
    if (this.stored !== null) return this.stored;
    try {
      const stored = JSON.parse(readCacheText(this.file)) as StoredScan;
      this.stored = stored.format === FORMAT && stored.key === JSON.stringify(this.key) ? stored : undefined;
    } catch {
      this.stored = undefined;
    }
    return this.stored;
  }

  /** What the walk would find, without walking: the recorded walk, while every folder it listed has its recorded stat. */
  unchangedWalk(): Found | undefined {
    const stored = this.record();
    try {
      if (!stored?.dirs) return undefined;
      for (const [dir, stamp] of stored.dirs) {
        const stat = statOrUndefined(dir);
        if (!stat?.isDirectory() || !sameStat(stamp, stat)) return undefined;
      }
      return {
        candidates: stored.candidates.map(([absPath, explicit]) => ({ absPath, explicit: explicit === true })),
        diagnostics: JSON.parse(stored.walked) as Found['diagnostics'],
      };
    } catch {
      return undefined;
    }
  }

  /** The output the last scan with this key left, while the walk finds the same files and nothing it depends on changed. */
  take({ candidates, diagnostics }: Found): ScanOutput | undefined {
    const stored = this.record();
    if (!stored) return undefined;
    try {
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

  /**
   * Keeps this scan's output for the next scan with the same key; nothing when a file it read is
   * too young to be trusted by its stat. `dirs`: the folders the walk listed, or 'unchanged' when
   * the scan took the recorded walk.
   */
  keep(
    { candidates, diagnostics }: Found,
    dirs: readonly string[] | 'unchanged',
    probes: ReadonlyMap<string, boolean>,
    dependencies: Dependencies,
    units: number,
    output: ScanOutput,
  ): void {
    const old = (stat: Stats) => settledBefore(stat, this.started);
    const files: RecordedFile[] = [];
    for (const [file, hash] of Object.entries(dependencies)) {
      const stat = statOrUndefined(file);
      if (!stat) {
        // Read, and gone since: the next scan must not take this one.
        if (hash !== null) return;
        files.push([file, null, null]);
        continue;
      }
      if (!old(stat)) return;
      files.push([file, hash, stampOf(stat)]);
    }
    let dirStamps: [string, StatStamp][] | null = [];
    if (dirs === 'unchanged') dirStamps = this.record()?.dirs ?? null;
    else
      for (const dir of dirs) {
        const stat = statOrUndefined(dir);
        if (!stat || !old(stat)) {
          dirStamps = null;
          break;
        }
        dirStamps.push([dir, stampOf(stat)]);
      }
    let text: string;
    try {
      const stored: StoredScan = {
        format: FORMAT,
        key: JSON.stringify(this.key),
        candidates: candidates.map((c) => [c.absPath, c.explicit ?? null]),
        walked: JSON.stringify(diagnostics),
        dirs: dirStamps,
        probes: [...probes],
        files,
        units,
        output: packOutput(output),
      };
      text = asciiJson(stored);
    } catch {
      // an output this format cannot hold (a plugin's finding of another shape): no record
      return;
    }
    try {
      replaceWhole(this.file, text);
    } catch {
      // a full disk, a read-only cache: the next scan takes the units one by one
    }
  }
}

function statOrUndefined(p: string): Stats | undefined {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

// The output as stored: each finding once (a unit's finding is in its rule result and, unless
// merged into another, in the output's findings), each result's resource and file as indexes, as
// outcome-pack.ts stores a unit's outcome.

type PackedResult = Omit<RuleResult, 'findings' | 'resource' | 'file'> & { findings: number[]; resource: number; file: number };
type PackedFinding = Omit<Finding, 'resource' | 'file' | 'parameterFile'> & { resource: number; file: number; parameterFile?: number };

interface PackedOutput {
  output: Omit<ScanOutput, 'results' | 'findings' | 'suppressed' | 'durationMs' | 'cache'>;
  findingTable: PackedFinding[];
  findings: number[];
  suppressed: number[] | null;
  resources: ResourceRef[];
  files: string[];
  results: PackedResult[];
}

function packOutput(output: ScanOutput): PackedOutput {
  const { results, findings, suppressed, durationMs: _durationMs, cache: _cache, ...rest } = output;
  const resources: ResourceRef[] = [];
  const resourceIndex = new Map<string, number>();
  const files: string[] = [];
  const fileIndex = new Map<string, number>();
  const indexOf = <T>(list: T[], index: Map<string, number>, key: string, value: T) => {
    let i = index.get(key);
    if (i === undefined) index.set(key, (i = list.push(value) - 1));
    return i;
  };
  // By content: two references to one resource read back as one object, as the engine made them.
  const resource = (r: ResourceRef) => indexOf(resources, resourceIndex, `${r.type}\0${r.name}\0${r.id}`, r);
  const file = (f: string) => indexOf(files, fileIndex, f, f);
  const findingTable: PackedFinding[] = [];
  const findingIndex = new Map<Finding, number>();
  const finding = (f: Finding) => {
    let i = findingIndex.get(f);
    if (i === undefined) {
      const { resource: ref, file: where, parameterFile, ...other } = f;
      i =
        findingTable.push({
          ...other,
          resource: resource(ref),
          file: file(where),
          ...(parameterFile !== undefined && { parameterFile: file(parameterFile) }),
        }) - 1;
      findingIndex.set(f, i);
    }
    return i;
  };
  return {
    output: rest,
    findings: findings.map(finding),
    suppressed: suppressed ? suppressed.map(finding) : null,
    results: results.map((r) => ({ ...r, findings: r.findings.map(finding), resource: resource(r.resource), file: file(r.file) })),
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
  const findingTable = packed.findingTable.map(({ resource, file, parameterFile, ...other }): Finding => ({
    ...other,
    resource: at(packed.resources, resource),
    file: at(packed.files, file),
    ...(parameterFile !== undefined && { parameterFile: at(packed.files, parameterFile) }),
  }));
  const finding = (i: number) => at(findingTable, i);
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
