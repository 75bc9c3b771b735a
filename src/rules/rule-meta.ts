import type { Level, Severity } from '../findings/finding.js';

export interface Equivalent {
  tool: 'psrule' | 'azure-policy' | 'template-analyzer' | 'checkov';
  id: string;
  /** e.g. PSRule's AZR reference. */
  ref?: string;
}

/** What every rule, native or Azure Policy, tells the catalog and the reporters about itself. */
export interface RuleMeta {
  id: string;
  title: string;
  kind: 'native' | 'policy';
  severity: Severity;
  /** The level of its findings with the current configuration (for policies: from the effect). */
  level: Level;
  /** Azure Policy definitions: the effect in force (`Audit`, `Deny`, `Disabled`, …). */
  effect?: string;
  /** Run by a policy assignment (`--assignment`, `--initiative`): its name. */
  assignment?: string;
  /** … and, for an initiative, the policyDefinitionReferenceId. */
  referenceId?: string;
  description: string;
  recommendation: string;
  helpUri?: string;
  /** Tollgate's own page of a built-in rule (docs/rules/<id>.md); helpUri is then another tool's page of the same check. */
  docsUrl?: string;
  pillar?: string;
  equivalents: Equivalent[];
  /** Resource types it evaluates (full types, case-insensitive). */
  appliesTo: string[];
}
