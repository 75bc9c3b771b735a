import type { SourceLocation } from '../load/source-file.js';
import type { ValueOrigin } from '../resources/resource.js';
import type { AppliedSuppression } from './suppressions.js';

/** How bad a rule's defect is, in the words security teams use. */
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'informational';

/** What a finding does to the run: SARIF's levels; `error` makes the exit code 1. */
export type Level = 'error' | 'warning' | 'note';

/** The outcome of one rule on one resource. */
export type Outcome = 'pass' | 'fail' | 'skip' | 'unknown' | 'error';

export interface ResourceRef {
  type: string;
  name: string;
  id: string;
}

export interface Finding {
  ruleId: string;
  ruleTitle: string;
  level: Level;
  severity: Severity;
  /** For Azure Policy definitions: the effect that applied (`Audit`, `Deny`, …). */
  effect?: string;
  resource: ResourceRef;
  message: string;
  /** The property the finding is about, e.g. `properties.url`. */
  path?: string;
  /** Where the offending property is written (or the nearest written ancestor). */
  location?: SourceLocation;
  /** Where the value came from when set elsewhere (parameter default, parameter file, variable). */
  origins: ValueOrigin[];
  /**
   * Where the resource is declared, independent of the deployment context (no evaluated names):
   * the identity baselines record. Absent for exported resources, whose names are real.
   */
  declaration?: string;
  /** Display path of the template or export that was scanned. */
  file: string;
  /** Display path of the parameter file the template was expanded with. */
  parameterFile?: string;
  /**
   * When the same defect (written in the template) was found with several parameter files:
   * all of them. `parameterFile` is then the first.
   */
  parameterFiles?: string[];
  /** Equivalent rules that found the same defect on the same property (merged into this finding). */
  alsoReportedBy?: string[];
  /** A few lines of the file around `location` (for reports that show the source). */
  snippet?: { startLine: number; lines: string[] };
  /** Set on suppressed findings: the accepted risk, its reason and expiry. */
  suppression?: AppliedSuppression;
}

/** One rule applied to one resource; findings are the failures, with locations. */
export interface RuleResult {
  ruleId: string;
  resource: ResourceRef;
  file: string;
  parameterFile?: string;
  outcome: Outcome;
  /** Why it was skipped, unknown or an error. */
  reason?: string;
  findings: Finding[];
}
