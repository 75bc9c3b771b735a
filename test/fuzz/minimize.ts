// Delta debugging (a simplified ddmin): remove chunks of the input while the same failure
// signature still reproduces, first by lines, then by tokens, then by characters, halving the
// chunk size when no chunk can go. Bounded by a deadline: a hang costs a full time limit per try.

export type Unit = 'lines' | 'tokens' | 'chars';

function split(text: string, unit: Unit): string[] {
  if (unit === 'lines') return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  if (unit === 'tokens') return text.match(/\w+|\s+|[^\w\s]/g) ?? [];
  return [...text];
}

export interface MinimizeStats {
  tries: number;
  accepted: number;
}

/**
 * `units`: how fine to cut. A stack overflow is minimised by lines only: cut token by token, its
 * nesting ends exactly at the depth where the stack runs out, and whether that overflows then
 * depends on how much of the code V8 had optimised (a reproducer that fails one run in two).
 */
export async function minimize(
  text: string,
  reproduces: (candidate: string) => Promise<boolean>,
  deadline: number,
  stats: MinimizeStats = { tries: 0, accepted: 0 },
  units: readonly Unit[] = ['lines', 'tokens', 'chars'],
): Promise<string> {
  let current = text;
  for (const unit of units) {
    let parts = split(current, unit);
    // Character-level on a long text would take too many tries to be worth it.
    if (unit === 'chars' && parts.length > 20_000) {
      current = await halveRuns(current, reproduces, deadline, stats);
      continue;
    }
    let chunks = 2;
    while (parts.length >= 2 && performance.now() < deadline) {
      const size = Math.ceil(parts.length / chunks);
      let removedAny = false;
      for (let start = 0; start < parts.length && performance.now() < deadline;) {
        const candidate = [...parts.slice(0, start), ...parts.slice(start + size)];
        stats.tries++;
        if (candidate.length && (await reproduces(candidate.join('')))) {
          parts = candidate;
          removedAny = true;
          stats.accepted++;
        } else {
          start += size;
        }
      }
      if (!removedAny) {
        if (size === 1) break;
        chunks = Math.min(chunks * 2, parts.length);
      } else {
        chunks = Math.max(2, chunks - 1);
      }
    }
    current = parts.join('');
  }
  return current;
}

/** Long runs of one character (the huge strings of the blow-up inputs): try halving each run. */
async function halveRuns(text: string, reproduces: (candidate: string) => Promise<boolean>, deadline: number, stats: MinimizeStats): Promise<string> {
  let current = text;
  let changed = true;
  while (changed && performance.now() < deadline) {
    changed = false;
    for (const m of current.matchAll(/(.{1,4}?)\1{63,}/gs)) {
      const run = m[0];
      const half = m[1]!.repeat(Math.ceil(run.length / m[1]!.length / 2));
      const candidate = current.slice(0, m.index) + half + current.slice(m.index! + run.length);
      stats.tries++;
      if (await reproduces(candidate)) {
        current = candidate;
        stats.accepted++;
        changed = true;
        break;
      }
      if (performance.now() >= deadline) break;
    }
  }
  return current;
}
