import { fail, ok, type Result } from './result.js';

/** `--shard i/n`: this run scans the i-th of n parts of the scan units (1-based). */
export interface Shard {
  index: number;
  count: number;
}

/** `1/3` -> { index: 1, count: 3 }; anything else (0/3, 4/3, x, 1/0) is a usage error. */
export function parseShard(text: string): Result<Shard> {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || !Number.isSafeInteger(index) || !Number.isSafeInteger(count) || count < 1 || index < 1 || index > count)
    return fail(`--shard must be I/N with 1 <= I <= N (e.g. 2/3), not '${text}'`);
  return ok({ index, count });
}

/**
 * The shard (1-based) a display path belongs to. A hash of the path, not the order files were
 * found in, so that every machine of a CI matrix puts a unit in the same shard whatever its
 * file system lists first. FNV-1a over the UTF-16 code units: small, stable, and good enough
 * to spread paths evenly.
 */
export function shardOf(displayPath: string, count: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < displayPath.length; i++) {
    hash ^= displayPath.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return (hash % count) + 1;
}

export function inShard(displayPath: string, shard: Shard | undefined): boolean {
  return shard === undefined || shardOf(displayPath, shard.count) === shard.index;
}
