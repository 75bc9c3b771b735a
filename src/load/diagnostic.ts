import type { SourceLocation } from './source-file.js';

/**
 * A problem with the input itself (not a finding about a resource): bad JSON, an unknown
 * function, a file that cannot be read. Reported to the user with file:line:column and
 * counted towards exit code 3; the scan of other files goes on.
 */
export interface Diagnostic {
  severity: 'error' | 'warning' | 'info';
  /** Stable code, e.g. `json-syntax`, `unknown-function`, `not-a-template`. */
  code: string;
  message: string;
  /** File path (display form) when there is no finer location. */
  file?: string;
  location?: SourceLocation;
  /**
   * A problem with a configuration setting: the path of its key (`['rules', 'APIM-Typo']`), so the
   * CLI can point at the key's line in the configuration file without reading the message.
   */
  configKey?: readonly string[];
  /** Only for `internal-error` with `--debug`: the stack of the failure, for a bug report. */
  stack?: string;
}

/** An error carrying a diagnostic, thrown by loaders and the expander and caught per file. */
export class InputError extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.message);
    this.name = 'InputError';
  }
}

/** The code of internalErrorDiagnostic's diagnostics (a scan that met one keeps no record of itself). */
export const INTERNAL_ERROR = 'internal-error';

/**
 * What a failure of our own (a bug: TypeError, RangeError, …) while reading or scanning one
 * file becomes: an error diagnostic for that file, so the other files are still scanned and the
 * exit code says the result is incomplete. An `InputError` that escaped its handler keeps its
 * diagnostic. The stack is kept only with `--debug`: it names our install paths, which do not
 * belong in a report.
 */
export function internalErrorDiagnostic(err: unknown, file: string | undefined, debug = false): Diagnostic {
  if (err instanceof InputError) return err.diagnostic;
  const message = err instanceof Error ? err.message : String(err);
  return {
    severity: 'error',
    code: INTERNAL_ERROR,
    message: `internal error while scanning: ${message}`,
    ...(file !== undefined ? { file } : {}),
    ...(debug && err instanceof Error && err.stack ? { stack: err.stack } : {}),
  };
}
