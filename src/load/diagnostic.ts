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
}

/** An error carrying a diagnostic, thrown by loaders and the expander and caught per file. */
export class InputError extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.message);
    this.name = 'InputError';
  }
}
