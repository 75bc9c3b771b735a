import type { Level } from '../findings/finding.js';
import type { FixIntent } from '../findings/fix-intent.js';
import type { RuleMeta } from './rule-meta.js';
import type { Resource } from '../resources/resource.js';

/** What a rule may say about one resource while it checks it. */
export interface CheckContext {
  /** Every resource of the same scan unit: a rule on a service can see its children declared anywhere. */
  readonly resources: readonly Resource[];
  /** Rule options from the configuration (e.g. a minimum API version). */
  readonly options: Readonly<Record<string, unknown>>;
  /**
   * A defect. `path` is the property in the resource body (`properties.url`, or with quoted
   * segments for keys containing dots); the engine turns it into a file position. `fix`: a safe fix
   * (literal values to set), which the engine turns into edits where the values are written.
   */
  report(finding: { path?: string; message: string; messageId?: string; level?: Level; effect?: string; fix?: FixIntent }): void;
  /** The rule does not apply to this resource (e.g. the property is absent and that is allowed). */
  skip(reason: string): void;
  /** The rule cannot decide: a value it needs is unknown before deployment. */
  unknown(reason: string): void;
  /** The clock (`--now`, `deployment.now`), for rules about dates such as certificate expiry. Default: now. */
  readonly now?: Date;
}

/**
 * A rule, native or Azure Policy: metadata plus a check. The engine calls `check` once for
 * each resource whose type is in `meta.appliesTo`.
 */
export interface Rule {
  readonly meta: RuleMeta;
  /** False for a rule that is listed but does not run (an Azure Policy with effect Disabled). */
  readonly enabled: boolean;
  check(resource: Resource, ctx: CheckContext): void;
}
