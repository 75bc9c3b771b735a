// Shared by the policy operators and the suppression globs (src/findings/, which sits below policy/).

/**
 * Case-insensitive comparison key. ASCII text is lower-cased; other text is upper- then
 * lower-cased, which folds the cases Unicode maps to several letters ('ß' and 'SS', 'ﬃ' and
 * 'FFI') and the Greek final sigma to one spelling.
 */
export function fold(s: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(s) ? s.toLowerCase() : s.toUpperCase().toLowerCase();
}
