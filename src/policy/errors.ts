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

/**
 * Evaluating a definition for one resource failed: a template function threw, an operator
 * got a value it cannot compare, a count went past Azure's limits. Azure treats a failed
 * evaluation as an implicit deny ("If the result of a template function is an error, policy
 * evaluation fails. A failed evaluation is an implicit deny."), and so does Tollgate.
 */
export class PolicyEvaluationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyEvaluationError';
  }
}
