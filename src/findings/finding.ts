import type { SourceLocation, SourceRange } from '../load/source-file.js';
import type { ValueOrigin } from '../resources/resource.js';

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
  /** The id of the rule's message (`messages` of `defineRule`) the text was made from, when it reported by id. */
  messageId?: string;
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
  /** A safe fix, when the rule declares one and the value was set by a literal Tollgate can rewrite. */
  fix?: Fix;
}

/** One replacement in a file the user owns. Ranges are half-open: `end` is the first position kept. */
export interface TextEdit {
  /** Absolute path on disk (the file to write). */
  absPath: string;
  /** Display path, as in `Finding.file`. */
  file: string;
  /** 0-based UTF-16 offsets into the file's text as read: the range replaced. */
  startOffset: number;
  endOffset: number;
  /** The same range as 1-based line/column (what editors and SARIF use). */
  range: SourceRange;
  newText: string;
}

/** A safe fix for one finding: every edit applies together, or none does. */
export interface Fix {
  /** What it does, e.g. `Set properties.protocols to ["https"]`. */
  description: string;
  edits: TextEdit[];
  /**
   * Set when the edited literal is shared (a parameter default or parameter-file value other resources or
   * properties also use): applying the fix changes them too, so `tollgate fix` skips it unless asked.
   */
  sharedWith?: string[];
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

/** Why a finding is accepted: a known risk with a reason, and maybe an end date. */
export interface Suppression {
  /** Rule id, or an equivalent id (PSRule name, policy guid, checkov or template-analyzer id). `*` for every rule. */
  rule: string;
  reason: string;
  /** ISO date (`2027-01-31`): the suppression stops on that day. */
  expires?: string;
  /** `inSource`: written in the template; `external`: in the configuration. */
  kind: 'inSource' | 'external';
  /** Where it is written, for messages and SARIF. */
  location?: SourceLocation;
  /** Configuration suppressions only: resource type and name glob (`Microsoft.ApiManagement/service/*`), file glob. */
  resourceType?: string;
  resourceName?: string;
  file?: string;
  /** Azure Policy exemptions: resources under this id (resource, resource group, subscription). */
  scope?: string;
  /** Set when an Azure Policy exemption made this suppression: the finding shows as Exempt. */
  exemption?: { name: string; category: 'Waiver' | 'Mitigated' };
}

/** What a finding records when a suppression matched it. */
export interface AppliedSuppression {
  kind: 'inSource' | 'external';
  justification: string;
  expires?: string;
  location?: SourceLocation;
  /** An Azure Policy exemption: the resource is Exempt, not non-compliant. */
  exemption?: { name: string; category: 'Waiver' | 'Mitigated' };
}

/**
 * What the work on findings (suppressions, equivalents) reads of a rule. `RuleMeta` (src/rules/)
 * has these fields; findings/ is the vocabulary rules are written in, so it names what it needs
 * instead of importing rules/ back.
 */
export interface RuleIdentity {
  id: string;
  kind: 'native' | 'policy';
  /** The ids the same check has elsewhere (another rule, a PSRule rule, a policy, …). */
  equivalents: readonly { tool: string; id: string }[];
}
