/** A value a fix writes: plain JSON (no expressions). */
export type FixValue = string | number | boolean | null | FixValue[] | { [key: string]: FixValue };

/**
 * What a rule asks for when it declares a safe fix: set each property (a path in the resource body, as in
 * `ctx.report({ path })`) to a literal value. The evaluate stage turns it into text edits where the value is
 * written (`Finding.fix`), or into nothing when that place is not a literal Tollgate can rewrite.
 */
export interface FixIntent {
  /** What it does, for people (`Set properties.protocols to ["https"]`); made from `set` when absent. */
  description?: string;
  set: readonly { path: string; value: FixValue }[];
}

/** `Set a to "x", b to true`: the description of a fix that does not give its own. */
export function describeFixIntent(intent: FixIntent): string {
  return intent.description ?? `Set ${intent.set.map((s) => `${s.path} to ${JSON.stringify(s.value)}`).join(', ')}`;
}
