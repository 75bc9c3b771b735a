// "Did you mean": the closest names to one that names nothing. Shared by the CLI (rule ids) and
// the configuration (unknown keys), which sit in different stages.

/** Levenshtein distance: insertions, deletions and substitutions, each costing 1. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * Up to `max` candidates close to `query`, closest first, compared without case: those that start
 * with it (a name cut short) first, then those within an edit distance of a third of the longer
 * word (at least 2), so that a typo is caught and an unrelated word is not suggested.
 */
export function closestNames(query: string, candidates: Iterable<string>, max = 3): string[] {
  const q = query.toLowerCase();
  if (!q) return [];
  const scored: { name: string; score: number }[] = [];
  const seen = new Set<string>();
  for (const name of candidates) {
    const n = name.toLowerCase();
    if (seen.has(n) || name === query) continue;
    seen.add(n);
    if (q.length >= 3 && n.startsWith(q)) {
      scored.push({ name, score: -1 / n.length });
      continue;
    }
    // A length difference alone exceeds the limit: no need to compute the distance.
    const limit = Math.max(2, Math.floor(Math.max(q.length, n.length) / 3));
    if (Math.abs(n.length - q.length) > limit) continue;
    const d = editDistance(q, n);
    if (d <= limit) scored.push({ name, score: d });
  }
  return scored
    .sort((a, b) => a.score - b.score || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .slice(0, max)
    .map((s) => s.name);
}

/** ` (did you mean 'a' or 'b'?)`, or '' when nothing is close. */
export function didYouMean(query: string, candidates: Iterable<string>): string {
  const close = closestNames(query, candidates);
  if (!close.length) return '';
  const quoted = close.map((c) => `'${c}'`);
  return ` (did you mean ${quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}` : quoted[0]}?)`;
}
