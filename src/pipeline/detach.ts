import { ownString, SLICE_MIN } from '../own-string.js';

/**
 * Keys of an outcome's records (rule results, findings, locations) whose strings never come from a
 * unit's texts: rule identities and levels from the rule set, display paths of files. Copying them
 * kept nothing alive and was a third of the strings copied (every rule result has a rule id and a
 * file).
 */
const NOT_FROM_TEXTS: ReadonlySet<string> = new Set(['ruleId', 'ruleTitle', 'level', 'severity', 'effect', 'outcome', 'file', 'parameterFile']);

/**
 * Makes a unit's outcome hold nothing of the unit's texts, in place. V8 makes a substring of 13
 * characters or more (`slice`, a regular expression's match) a view into the string it came from,
 * which it keeps whole: a resource type read from a template, a line of a finding's snippet, kept
 * the whole template's text alive for as long as the scan held the outcome. On the corpora copied
 * four times the scan's result held 15 MB, twice what it holds at a quarter of the size (the
 * texts of the units); with the strings copied, 7.8 MB, which grows with the findings only.
 *
 * The worker threads' outcomes arrive copied (structured clone). Cloning here as well cost ~6% of
 * a scan; this walk copies only the long strings, each distinct value once per outcome (the same
 * resource type in every rule result is one string).
 */
export function detachStrings(outcome: object): void {
  const copies = new Map<string, string>();
  const seen = new Set<object>();
  const copy = (s: string): string => {
    if (s.length < SLICE_MIN) return s;
    let c = copies.get(s);
    if (c === undefined) {
      c = ownString(s);
      // Keyed by the string looked up, whose hash the lookup computed: the copy's would be
      // computed again over its whole length. The map (and the view it holds) ends with this call.
      copies.set(s, c);
    }
    return c;
  };
  const walk = (value: object): void => {
    // A frozen object is a shared constant, not the unit's.
    if (seen.has(value) || Object.isFrozen(value)) return;
    seen.add(value);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        // Assigned whatever copy returns: strings compare by value, so a copy cannot be told apart.
        if (typeof item === 'string') value[i] = copy(item);
        else if (typeof item === 'object' && item !== null) walk(item);
      }
      return;
    }
    const record = value as Record<string, unknown>;
    // for-in, not Object.keys: no array of keys per object. An outcome's objects are plain (their
    // prototype Object.prototype or null), so it sees their own keys only.
    for (const key in record) {
      const item = record[key];
      if (typeof item === 'string') {
        if (!NOT_FROM_TEXTS.has(key)) record[key] = copy(item);
      } else if (typeof item === 'object' && item !== null) walk(item);
    }
  };
  walk(outcome);
}
