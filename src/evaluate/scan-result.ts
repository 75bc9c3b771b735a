import type { InitiativeCompliance } from '../policy/control-compliance.js';
import type { Diagnostic } from '../load/diagnostic.js';
import type { Finding, RuleResult } from '../findings/finding.js';
import type { RuleMeta } from '../rules/rule-meta.js';
import type { ResourceRef } from '../findings/finding.js';
import type { NotFollowed } from '../arm/template/not-followed.js';
import type { RuleNotRun } from './rules-not-run.js';

/** One scan unit as the reports see it. */
export interface ScannedUnit {
  file: string;
  parameterFile?: string;
  /** How many resources the unit produced. */
  resources: number;
  /** Each of those resources (the scan fills it; the coverage needs it to find those no rule looked at). */
  inventory?: ResourceRef[];
  /** Nested deployments and Bicep modules of the unit that were not followed, and why. */
  notFollowed?: NotFollowed[];
}

/** Everything a reporter needs; reporters are pure functions of this. */
export interface ScanResult {
  tool: { name: 'tollgate'; version: string };
  /** Working directory that display paths are relative to. */
  cwd: string;
  /** The paths the user asked to scan, as given. */
  paths?: string[];
  /** Files analysed (templates, parameter files, exports), display paths. */
  files: string[];
  /** Scan units: template x parameter file, or export file. */
  units: ScannedUnit[];
  rules: RuleMeta[];
  /** Rules and policy definitions that exist in this scan but did not run, each with why. */
  notRun?: RuleNotRun[];
  results: RuleResult[];
  findings: Finding[];
  /** With `--baseline`: findings already recorded there (not in `findings`), and baseline entries no longer found. */
  baseline?: { file: string; known: number; fixed: number };
  /** Findings accepted by a suppression (in the template or the configuration): not failures, still reported. */
  suppressed?: Finding[];
  /** With assigned initiatives: compliance per initiative and control, rolled up as Azure does. */
  compliance?: InitiativeCompliance[];
  diagnostics: Diagnostic[];
  durationMs: number;
  /** `--shard i/n`: this result holds only the units of shard `index` of `count` (`tollgate merge` joins them). */
  shard?: { index: number; count: number };
}
