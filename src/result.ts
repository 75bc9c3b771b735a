/**
 * The outcome of an operation whose failure the caller handles: a bad flag, a bad suppression
 * entry, a policy that does not compile. The value, or why not (a message by default).
 *
 * Tollgate's other error channels stay as they are: a file that cannot be analysed throws
 * `InputError` (caught per file), problems that do not stop the work are pushed as `Diagnostic`s,
 * and anything else thrown is a bug. See docs/architecture.md, "Errors".
 */
export type Result<T, E = string> = { ok: true; value: T } | { ok: false; error: E };

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function fail<E>(error: E): { ok: false; error: E } {
  return { ok: false, error };
}
