import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync, type Stats } from 'node:fs';
import path from 'node:path';
import type { ScanUnit } from '../input/pair-parameters.js';
import { MAX_INPUT_FILE_BYTES } from '../load/sandbox.js';
import { packOutcome, unpackOutcome, type StoredOutcome } from './outcome-pack.js';
import { runUnit, type UnitContext, type UnitOutcome } from './run-unit.js';

// `--cache DIR`: one entry per unit, keyed by what the scan is (Tollgate's version, the
// rule set, the configuration: `identity`) and which files make the unit. It records the content
// hash of every file the unit read (template, parameter file, linked templates, Bicep modules,
// imports, load*() files; a file it could not read as null) and the unit's outcome. A later scan
// takes the outcome while every one of those files still hashes the same; otherwise it runs the
// unit and replaces the entry. An entry that does not read or parse is a miss, never an error.
//
// The entries of one identity live in one pack file, `DIR/<identity hash>.pack`: a header line,
// then one line per entry (`<key JSON> TAB <entry JSON>`), the last line of a key winning. A scan
// reads the pack once and appends the entries it writes; when more than half its lines are
// replaced ones, the scan's end rewrites it (temporary file, then rename). One file read instead
// of one per entry: a warm re-scan of thousands of units spent most of its time opening files.
// A line cut short (a scan stopped mid-write) or garbled (two scans appending at once) does not
// parse: a miss, replaced by the next scan. The pack also holds a stat record per file hashed
// (see hashOf), so that an unchanged file is not read again to be hashed.

// 3: a rule result's findings stored as indexes into the unit's findings (outcome-pack.ts); keys as JSON.
const FORMAT = 3;
const HEADER = `tollgate result cache ${FORMAT}\n`;

/** The content hash of a file as a unit read it; null when it could not be read. */
export type Dependencies = Record<string, string | null>;

/** What of a file's stat tells that it changed: size, modification and change times, inode. */
export interface StatStamp {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

/** What a file's stat said when it was hashed (see hashOf). */
interface StatRecord extends StatStamp {
  hash: string;
}

/** How recently modified a file may be and still have its stat recorded (coarse clocks tick every 2 s). */
const RACY_MS = 3_000;

/**
 * Whether a file was neither modified nor changed within RACY_MS before `started`: what a scan
 * that started then read of it is what its stat describes (a later write changes the change time).
 */
export function settledBefore(stat: Stats, started: number): boolean {
  return stat.mtimeMs < started - RACY_MS && stat.ctimeMs < started - RACY_MS;
}

interface Entry<T> {
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
  /** When this scan started (see recordStat). */
  private readonly started = Date.now();
  /** Its UTC day: an outcome that read the clock holds for its day only. */
  private readonly today = new Date(this.started).toISOString().slice(0, 10);
  private readonly file: string;
  /** The pack's entries by key, as JSON text (parsed when looked up); read on first use. */
  private entries: Map<string, string> | undefined;
  /** Lines in the pack (read, then appended) and how many of them a later line replaced. */
  private lines = 0;
  private replaced = 0;
  /** Whether the pack read is ours and whole up to its last line break (else it is started again). */
  private appendable = false;
  private endsMidLine = false;
  private fd: number | undefined;
  /** Every file the entries this scan took or wrote depend on (src/pipeline/scan-record.ts keeps them). */
  readonly used: Dependencies = Object.create(null) as Dependencies;

  constructor(
    private readonly dir: string,
    identity: string,
  ) {
    this.file = path.join(dir, `${sha256(identity).slice(0, 32)}.pack`);
  }

  /**
   * An entry's key in the pack: the key as JSON (which escapes tabs and line breaks). The identity
   * is the pack's name; hashing each key with it again cost a warm re-scan ~15 ms of sha256 for
   * ~4,000 lookups.
   */
  private keyOf(key: unknown[]): string {
    return JSON.stringify(key);
  }

  private unitKey(unit: ScanUnit): unknown[] {
    return ['unit', unit.kind, unit.file.absPath, unit.parameterFile?.absPath ?? null];
  }

  /** The cached outcome while nothing the unit read has changed. */
  get(unit: ScanUnit): UnitOutcome | undefined {
    const stored = this.lookup(this.unitKey(unit), isOutcome);
    const outcome = stored && (stored.clock === undefined || stored.clock === this.today) ? unpackOutcome(stored) : undefined;
    if (outcome) this.hits++;
    else this.misses++;
    return outcome;
  }

  set(unit: ScanUnit, dependencies: Dependencies, outcome: UnitOutcome): void {
    this.write(this.unitKey(unit), dependencies, packOutcome(outcome));
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
    const entry = this.read(this.keyOf(key));
    if (!entry || !valid(entry.outcome)) return undefined;
    if (!Object.entries(entry.dependencies).every(([file, hash]) => this.hashOf(file) === hash)) return undefined;
    Object.assign(this.used, entry.dependencies);
    return entry.outcome;
  }

  /**
   * A file's content hash. As git's index does, the pack also keeps, per file, the hash with the
   * file's size, modification and change times and inode when it was hashed: while all four are
   * the same the file is not read again. Writing a file changes its change time (which no tool
   * sets back, unlike the modification time), and a file modified within RACY_MS of being hashed
   * is not recorded, so that two writes within one tick of a coarse file system clock are not
   * mistaken for one.
   */
  private hashOf(file: string): string | null {
    const known = this.hashes.get(file);
    if (known !== undefined) return known;
    let stat: Stats | undefined;
    try {
      stat = statSync(file);
    } catch {
      // unreadable: contentHash says null
    }
    const key = this.keyOf(['stat', file]);
    let hash: string | null | undefined;
    if (stat) {
      const recorded = this.statRecord(key);
      if (recorded && sameStat(recorded, stat)) hash = recorded.hash;
    }
    if (hash === undefined) {
      hash = contentHash(file);
      if (stat && hash !== null && stat.mtimeMs < Date.now() - RACY_MS) this.append(key, { ...stampOf(stat), hash } satisfies StatRecord);
    }
    this.hashes.set(file, hash);
    return hash;
  }

  private statRecord(key: string): StatRecord | undefined {
    return this.parsed(key, (r): r is StatRecord => {
      const s = r as StatRecord | null;
      return typeof s?.hash === 'string' && typeof s.size === 'number' && typeof s.mtimeMs === 'number';
    });
  }

  /** The pack's value for a key, parsed; a garbled or foreign one is a miss (the scan then replaces it). */
  private parsed<T>(key: string, valid: (value: unknown) => value is T): T | undefined {
    const json = this.load().get(key);
    if (json === undefined) return undefined;
    try {
      const value: unknown = JSON.parse(json);
      return valid(value) ? value : undefined;
    } catch {
      return undefined;
    }
  }

  private load(): Map<string, string> {
    if (this.entries) return this.entries;
    const entries = new Map<string, string>();
    this.entries = entries;
    let text: string;
    try {
      text = readCacheText(this.file);
    } catch {
      return entries;
    }
    if (!text.startsWith(HEADER)) return entries; // another format: started again at the first write
    this.appendable = true;
    this.endsMidLine = !text.endsWith('\n');
    this.lines = packLines(text, (key, body) => {
      if (entries.has(key)) this.replaced++;
      entries.set(key, body);
    });
    return entries;
  }

  private read(key: string): Entry<unknown> | undefined {
    return this.parsed(key, (e): e is Entry<unknown> => {
      const d = (e as Entry<unknown> | null)?.dependencies;
      return typeof d === 'object' && d !== null;
    });
  }

  private write(key: unknown[], dependencies: Dependencies, outcome: unknown): void {
    Object.assign(this.used, dependencies);
    this.append(this.keyOf(key), { dependencies, outcome } satisfies Entry<unknown>);
    for (const [file, hash] of Object.entries(dependencies)) if (hash !== null) this.recordStat(file, hash);
  }

  /**
   * Records the stat of a file a unit read, with the hash of what it read: so that the first
   * re-scan already compares stats. Only for a file neither modified nor changed since RACY_MS
   * before this scan started: the unit then read what the stat describes (a file changed later
   * would get a new change time, which the record then does not match).
   */
  private recordStat(file: string, hash: string): void {
    if (this.hashes.has(file)) return; // hashed (and recorded when it could be) by a lookup of this scan
    this.hashes.set(file, hash);
    let stat: Stats;
    try {
      stat = statSync(file);
    } catch {
      return;
    }
    if (!settledBefore(stat, this.started)) return;
    const key = this.keyOf(['stat', file]);
    const known = this.statRecord(key);
    if (known && known.hash === hash && sameStat(known, stat)) return;
    this.append(key, { ...stampOf(stat), hash } satisfies StatRecord);
  }

  /** Appends a line to the pack. A failed write only costs the next scan the work. */
  private append(key: string, value: object): void {
    const entries = this.load();
    // Released: the entry is not looked up again in this scan.
    if (entries.delete(key)) this.replaced++;
    try {
      if (this.fd === undefined) this.fd = this.openForAppend();
      writeSync(this.fd, `${key}\t${asciiJson(value)}\n`);
      this.lines++;
    } catch {
      // a full disk, a read-only cache: the scan goes on without storing
    }
  }

  private openForAppend(): number {
    mkdirSync(this.dir, { recursive: true });
    if (!this.appendable) {
      // No pack yet, or not one this version reads: a new one, whole or not at all.
      replaceWhole(this.file, HEADER);
      this.lines = 0;
      this.replaced = 0;
      this.endsMidLine = false;
    }
    const fd = openSync(this.file, 'a');
    // The last line of a scan that stopped mid-write stays on its own (unparsable) line.
    if (this.endsMidLine) writeSync(fd, '\n');
    return fd;
  }

  /**
   * Ends the scan's writes. A pack whose lines are mostly replaced ones is rewritten with the last
   * line of each key only (the whole pack read again: entries other scans appended meanwhile stay).
   */
  close(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // closed already
    }
    this.fd = undefined;
    if (this.replaced * 2 <= this.lines || this.lines < 64) return;
    try {
      const text = readCacheText(this.file);
      if (!text.startsWith(HEADER)) return;
      const last = new Map<string, string>();
      packLines(text, (key, body) => last.set(key, body));
      replaceWhole(this.file, HEADER + [...last].map(([key, body]) => `${key}\t${body}\n`).join(''));
    } catch {
      // left as it is: still correct, only longer
    }
  }
}

/** Calls `line` with each entry line's key and body (after the header); returns how many lines the pack has. */
function packLines(text: string, line: (key: string, body: string) => void): number {
  let lines = 0;
  for (let at = HEADER.length; at < text.length;) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    const tab = text.indexOf('\t', at);
    if (tab > at && tab < end) line(text.slice(at, tab), text.slice(tab + 1, end));
    lines++;
    at = end + 1;
  }
  return lines;
}

export function sameStat(stamp: StatStamp, stat: Stats): boolean {
  return stamp.size === stat.size && stamp.mtimeMs === stat.mtimeMs && stamp.ctimeMs === stat.ctimeMs && stamp.ino === stat.ino;
}

export function stampOf(stat: Stats): StatStamp {
  return { size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, ino: stat.ino };
}

/** Writes a cache file whole or not at all: a temporary file beside it, then renamed over it. */
export function replaceWhole(file: string, content: string): void {
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    writeFileSync(temp, content);
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}

/** A unit's outcome, and the files it read with their hashes when a result cache asked for them. */
export interface RunOutcome {
  outcome: UnitOutcome;
  dependencies?: Dependencies;
}

/**
 * Runs one unit, with the files it read and their hashes when `record` (a result cache will keep
 * the outcome): what a scan worker sends back, and what the scan's own thread stores.
 */
export function runRecorded(unit: ScanUnit, ctx: UnitContext, record: boolean): RunOutcome {
  if (!record) return { outcome: runUnit(unit, ctx) };
  const recorder = dependencyRecorder();
  return { outcome: runUnit(unit, ctx, recorder.onRead), dependencies: recorder.dependencies };
}

/** Collects a unit's dependencies from its sandbox's reads (the first read of a path counts). */
function dependencyRecorder(): { dependencies: Dependencies; onRead: (absPath: string, content: Buffer | undefined) => void } {
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

function isOutcome(o: unknown): o is StoredOutcome {
  const u = o as StoredOutcome | undefined;
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

/**
 * JSON with every character past ASCII escaped (`\u2026`): the same value when parsed, and a file
 * of it is read as Latin-1 (readCacheText), which for 10 MB costs ~3 ms where UTF-8 costs ~20.
 */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A cache file's text: ASCII (asciiJson) read as Latin-1, the same text; anything else as UTF-8. */
export function readCacheText(file: string): string {
  const bytes = readFileSync(file);
  return bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
