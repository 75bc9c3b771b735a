/** ARM's limit on the instances of one copy loop (resource, property, variable or output). */
export const MAX_COPY_COUNT = 800;

/** How deep deployments may nest (inline or linked) before we stop: ARM's own limit is lower in practice. */
export const MAX_NESTING_DEPTH = 20;

/** Calls of user-defined functions within one another: deeper means recursion, which ARM forbids. */
export const MAX_USER_FUNCTION_DEPTH = 32;

/**
 * Total work per scan unit (a template with one parameter file), nested and linked deployments
 * included. Depth limits alone allow exponential work (a template linking itself twice nests
 * only 20 deep but is 2^20 deployments), so the whole unit has a budget too. The values leave
 * a wide margin over the largest real templates (the quickstart corpus needs well under 1% of
 * each) and keep a unit to seconds and a few hundred MB at worst.
 */
export const MAX_UNIT_RESOURCES = 50_000;

/** Nested and linked deployments expanded per unit. */
export const MAX_UNIT_DEPLOYMENTS = 2_000;

/** Function calls evaluated per unit (each call of a template function or user function counts one). */
export const MAX_UNIT_STEPS = 20_000_000;

/**
 * Size of the values built per unit, in approximate bytes (a character 1, an array or object
 * 32 and each item or member 16): what bounds memory, as steps bound time. 256 MB is 64 strings of the maximal
 * length; the largest template of the corpora builds under 1 MB.
 */
export const MAX_UNIT_BUILT = 256 * 1024 * 1024;

/** Seconds one unit may take to expand before it stops (`--unit-timeout`, ScanOptions.unitTimeoutSeconds). */
export const DEFAULT_UNIT_TIMEOUT_SECONDS = 30;
