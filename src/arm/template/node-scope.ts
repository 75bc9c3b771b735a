import type { Diagnostic } from '../../load/diagnostic.js';
import type { JsonDocument, JsonNode } from '../../load/json-document.js';

/**
 * What evaluating a node needs of its template's scope: the file it is in and where to report.
 * `TemplateScope` implements it; the evaluator, the user functions and the parameter checks take
 * this narrower type so that they do not import the scope that imports them.
 */
export interface NodeScope {
  readonly template: JsonDocument;
  readonly root: JsonNode;
  readonly diagnostics: Diagnostic[];
  report(node: JsonNode, code: string, severity: Diagnostic['severity'], message: string): void;
  /** The expressions being evaluated, innermost last: a variable's error says where it was read. */
  readonly expressionStack: JsonNode[];
}
