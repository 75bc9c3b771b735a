import type { FunctionDef } from '../expression/context.js';

/** Filled in by the function-library work of the expansion issue. */
export const lambdaFunctions: FunctionDef[] = [];
