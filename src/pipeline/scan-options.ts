import type { DeploymentContext } from '../arm/expression/context.js';
import type { RuleSet } from '../evaluate/rule-set.js';
import type { ScanResult } from '../evaluate/scan-result.js';
import type { Suppression } from '../findings/finding.js';
import type { LinkGraph } from '../input/link-graph.js';
import type { Shard } from '../shard.js';

// What a scan is asked to do. Here rather than in src/scan.ts so that the unit runner (run-unit.ts)
// and worker threads read the same options without importing the orchestrator.

export interface ScanOptions {
  /** Files and directories to scan. */
  paths: string[];
  cwd: string;
  /** .gitignore-style patterns to leave out of directory walks. */
  exclude?: string[];
  /** .gitignore-style patterns: only matching files are taken from directory walks. */
  include?: string[];
  /** Named files that are not templates, parameter files or exports are skipped, not errors. */
  skipUnrecognized?: boolean;
  /** Told of the files the walk found, before any is read (src/input/load-inputs.ts). */
  onCandidates?: (candidates: readonly { absPath: string }[]) => void;
  /** Called after each scan unit (for a progress indicator). */
  onProgress?: (done: number, total: number) => void;
  /** Parameter files named explicitly (`--parameters`). */
  parameters?: string[];
  deployment?: Partial<DeploymentContext>;
  /** Azure Policy effect overrides, by definition name (guid) or display name. */
  policyEffects?: Record<string, string>;
  /** Rules to run instead of the built-in set (the CLI loads them first to check its flags). */
  ruleSet?: RuleSet;
  /** Suppressions from the configuration (`kind: 'external'`). */
  suppressions?: Suppression[];
  /** false: suppressions written in the templates (resource metadata, Bicep comments) are not read; the configuration's still apply. */
  inlineSuppressions?: boolean;
  /** Today, for suppression expiry (default: the real date). */
  today?: Date;
  /** Values for parameters that have none, by template glob (gitignore syntax, relative to cwd). */
  parameterDefaults?: { files: string; values: Record<string, unknown> }[];
  /** Environment variables for Bicep's `readEnvironmentVariable()` (`--env`, config `env:`); the real environment is never read. */
  env?: Readonly<Record<string, string>>;
  /** URL prefixes of linked templates and the folders (absolute) they map to: the configuration's `links:`. */
  links?: Record<string, string>;
  /** `--standalone`: templates only used as linked templates are scanned on their own too. */
  standalone?: boolean;
  /** False: named files are scanned as named, not as what they belong to (their template, parameter files, callers). */
  related?: boolean;
  /** A folder of Bicep registry modules (`bicep.moduleCache`): read as a module mirror, inside the sandbox. */
  bicepModuleCache?: string;
  /** `--debug`: internal errors keep their stack (`Diagnostic.stack`). */
  debug?: boolean;
  /** Collects garbage between units when the heap has grown (src/pipeline/heap-bound.ts): `tollgate scan`. */
  boundHeap?: boolean;
  /** Seconds one scan unit may take to expand (default 30, DEFAULT_UNIT_TIMEOUT_SECONDS; 0: no limit). */
  unitTimeoutSeconds?: number;
  /** `--shard i/n`: scan only the units whose template path hashes to this shard (src/shard.ts). */
  shard?: Shard;
  /** Texts read instead of the files on disk, by absolute path: an editor's unsaved buffers (`tollgate lsp`). */
  overlay?: ReadonlyMap<string, string>;
  /** Who links whom, by work tree, kept between scans by a caller that scans often (`tollgate lsp`); built when missing. */
  linkGraphs?: Map<string, LinkGraph>;
  /**
   * `--cache DIR`: keep each unit's results in DIR, keyed by what the unit read, and take them
   * from there while nothing it read has changed (src/pipeline/result-cache.ts).
   */
  cache?: string;
  /**
   * What the rule set and configuration are, for the cache key, beyond the rules' metadata and
   * options (which the scan adds itself): the CLI gives the configuration file's text and the
   * policy and plugin files' content hashes.
   */
  cacheIdentity?: string;
}

/** What a scan returns: the reporters' input, and what only the CLI reads. */
export interface ScanOutput extends ScanResult {
  /** Files met while walking directories that were not templates, parameter files or exports. */
  skipped: { path: string; reason: string }[];
  /** `cache`: units whose results were taken from the result cache, and units scanned (not part of any report). */
  cache?: { hits: number; misses: number };
}
