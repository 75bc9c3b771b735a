/** ARM's limit on the instances of one copy loop (resource, property, variable or output). */
export const MAX_COPY_COUNT = 800;

/** How deep deployments may nest (inline or linked) before we stop: ARM's own limit is lower in practice. */
export const MAX_NESTING_DEPTH = 20;

/** Calls of user-defined functions within one another: deeper means recursion, which ARM forbids. */
export const MAX_USER_FUNCTION_DEPTH = 32;
