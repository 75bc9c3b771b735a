/**
 * V8 makes a substring of this many characters or more (`slice`, a regular expression's match) a
 * view into the string it came from, which it then keeps whole (SlicedString::kMinLength).
 */
export const SLICE_MIN = 13;

/**
 * The same text in storage of its own: for a string kept long (a cache key, a unit's outcome)
 * that may be a view into a whole template's text. JSON.parse makes a string of its own, whatever
 * its argument shares; a shorter one is a copy already.
 */
export function ownString(s: string): string {
  return s.length < SLICE_MIN ? s : (JSON.parse(JSON.stringify(s)) as string);
}
