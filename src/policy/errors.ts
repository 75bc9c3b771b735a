/**
 * A definition Tollgate cannot run: bad structure, an operator it does not implement, a
 * parameter without a value. `at` is where in the definition, e.g. `policyRule.if.allOf[1]`,
 * so that the catalog can point at the line.
 */
export class PolicyCompileError extends Error {
  constructor(
    message: string,
    readonly at?: string,
  ) {
    super(at ? `${message} (at ${at})` : message);
    this.name = 'PolicyCompileError';
  }
}

/**
 * The effect asked for is not one the definition allows. Kept apart from other compile errors
 * because it is the user's input (a flag, a config entry) that is wrong, not the definition.
 */
export class PolicyEffectError extends PolicyCompileError {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyEffectError';
  }
}
