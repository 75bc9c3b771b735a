import type { Diagnostic } from './diagnostic.js';

/** `file:line:column` (or just the file) for messages on a terminal. */
export function formatLocation(d: Pick<Diagnostic, 'file' | 'location'>): string {
  if (d.location) return `${d.location.file}:${d.location.start.line}:${d.location.start.column}`;
  return d.file ?? '<input>';
}
