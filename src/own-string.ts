/**
 * V8 makes a substring of this many characters or more (`slice`, a regular expression's match) a
 * view into the string it came from, which it then keeps whole (SlicedString::kMinLength).
 */
export const SLICE_MIN = 13;

/**
 * The same text in storage of its own: for a string kept long (a cache key, a unit's outcome)
 * that may be a view into a whole template's text; a shorter one is a copy already. Slicing a
 * concatenation makes V8 write the concatenation out as a new string first, so the result is a
 * view into that copy (one character longer), not into the original. JSON.parse of its JSON
 * also copies, at about twice the cost: 2-6% of a scan, where this is under half of that.
 * test/scan/detach.test.ts checks with a heap snapshot that the original is let go.
 */
export function ownString(s: string): string {
  return s.length < SLICE_MIN ? s : (' ' + s).slice(1);
}
