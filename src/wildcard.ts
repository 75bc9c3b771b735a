/**
 * Whole-string match of a pattern whose only wildcard is `*` (any run of characters, empty
 * included). Every other character, `?` included, stands for itself.
 *
 * Written without a regular expression on purpose: `^a.*b.*c$` built from a pattern such as
 * `*a*a*a*a*a*b` backtracks exponentially in V8, and these patterns come from policy files and
 * configuration that Tollgate does not control. The pattern is split at the stars; the first
 * piece must start the text, the last must end it, and each piece in between is taken at its
 * leftmost place after the previous one. Leftmost is always safe: a piece found earlier leaves
 * more room for the pieces after it, so no choice ever needs to be revisited. The cost is one
 * `indexOf` per piece, without backtracking.
 *
 * Case is the caller's business (fold both sides first).
 */
export function wildcardMatch(pattern: string, text: string): boolean {
  const pieces = pattern.split('*');
  if (pieces.length === 1) return pattern === text;
  const head = pieces[0]!;
  const tail = pieces[pieces.length - 1]!;
  if (text.length < head.length + tail.length || !text.startsWith(head) || !text.endsWith(tail)) return false;
  // The middle pieces must fit between the head and the tail, without overlapping either.
  const end = text.length - tail.length;
  let at = head.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const piece = pieces[i]!;
    if (!piece) continue;
    const found = text.indexOf(piece, at);
    if (found < 0 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}
