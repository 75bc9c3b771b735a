import type { FunctionDef } from '../expression/context.js';
import { Unknown } from '../../resources/value.js';
import { expectString, fn } from './define.js';

/**
 * The name of the one function Tollgate adds to the ARM language, for the Bicep lowering: a value
 * the lowering cannot know (a file outside the sandbox, an environment variable nobody gave)
 * becomes `__tollgate.unknown('why')`, so the engine carries an Unknown with that reason instead
 * of a guessed value. The `__` namespace is one no real template declares.
 */
export const UNKNOWN_FUNCTION = '__tollgate.unknown';

export const tollgateFunctions: FunctionDef[] = [
  fn({ name: UNKNOWN_FUNCTION, minArgs: 1, maxArgs: 1, eager: ([why]) => new Unknown(expectString(why!, 'the reason')) }),
];
