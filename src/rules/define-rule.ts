import type { Level, Severity } from '../findings/finding.js';
import type { FixIntent } from '../findings/fix-intent.js';
import type { Equivalent, RuleMeta } from './rule-meta.js';
import type { Resource } from '../resources/resource.js';
import type { CheckContext, Rule } from './rule.js';

/** Where a rule's page lives: docs/rules/<id>.md in the repository. */
export const RULE_DOCS_BASE = 'https://github.com/tollgate-dev/tollgate/blob/main/docs/rules/';

/** The documentation page of a native rule, derived from its id (plugins give their own `helpUri`). */
export function ruleDocsUrl(id: string): string {
  return `${RULE_DOCS_BASE}${encodeURIComponent(id)}.md`;
}

/** A finding by message id: the text is the rule's `messages[messageId]` with `{{name}}` placeholders filled from `data`. */
export interface ReportById<M extends string> {
  path?: string;
  messageId: M;
  data?: Readonly<Record<string, string | number | boolean>>;
  level?: Level;
  effect?: string;
  /** A safe fix: literal values to set (see `FixIntent`). */
  fix?: FixIntent;
}

/** What a check built with `defineRule` sees: the engine's context, with reports by message id as well as by text. */
export interface RuleContext<M extends string = string> extends Omit<CheckContext, 'report'> {
  report(finding: ReportById<M> | { path?: string; message: string; level?: Level; effect?: string; fix?: FixIntent }): void;
}

/** A JSON schema (draft 2020-12 or 07 subset Ajv accepts), for a rule's `options` object. */
export type OptionsSchema = Readonly<Record<string, unknown>>;

export interface RuleSpec<M extends string = string> extends Omit<RuleMeta, 'kind' | 'level' | 'equivalents'> {
  /** Checks of other tools this rule mirrors (PSRule, checkov): optional. */
  equivalents?: Equivalent[];
  /** Defaults from the severity: critical and high are errors, medium and low warnings. */
  level?: Level;
  /** False for a rule that ships off (turn it on with `rules.<id>.enabled: true`). */
  enabled?: boolean;
  /** Messages by id, with `{{placeholder}}`s filled from the report's `data`. */
  messages?: Readonly<Record<M, string>>;
  /**
   * The JSON schema of `rules.<id>.options` in tollgate.yaml: an option the schema refuses is a
   * configuration error at its line. Without a schema the rule takes no options.
   */
  optionsSchema?: OptionsSchema;
  /** The rule is kept for compatibility only; `replacedBy` names the rules to use instead. */
  deprecated?: boolean;
  replacedBy?: string[];
  /**
   * What the rule's safe fix does, when its reports carry one (`ctx.report({ fix })`): for the docs, the rules
   * tables and `rules show`. A rule without it offers no fix.
   */
  fix?: string;
  check(resource: Resource, ctx: RuleContext<M>): void;
}

/** @deprecated use `RuleSpec`. */
export type NativeRuleSpec = RuleSpec;

/** The data of a rule built with `defineRule` that reports do not carry: for the docs, the config check and the tester. */
export interface RuleDefinition {
  messages: Readonly<Record<string, string>>;
  optionsSchema?: OptionsSchema;
  deprecated: boolean;
  replacedBy: readonly string[];
  /** docs/rules/<id>.md in the repository, derived from the id (a plugin's own page is its `helpUri`). */
  docsUrl: string;
  /** What its safe fix does; absent when it offers none. */
  fix?: string;
}

/** A rule made by `defineRule`: a `Rule` plus its definition. */
export interface DefinedRule extends Rule {
  readonly definition: RuleDefinition;
}

export function levelForSeverity(severity: Severity): Level {
  return severity === 'critical' || severity === 'high' ? 'error' : severity === 'informational' ? 'note' : 'warning';
}

export function isDefinedRule(rule: Rule): rule is DefinedRule {
  const d = (rule as Partial<DefinedRule>).definition;
  return typeof d === 'object' && d !== null && typeof d.messages === 'object';
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_$][\w$]*)\s*\}\}/g;

/** `messages[id]` with `{{name}}` replaced by `data.name`; a placeholder without data stays as written, so the gap shows. */
export function formatMessage(template: string, data: Readonly<Record<string, unknown>> = {}): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => (Object.hasOwn(data, name) ? String(data[name]) : whole));
}

/** Same test as the ESLint rule ids: letters, digits, dots, dashes and underscores, starting with a letter or digit. */
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * A rule: metadata as data, a check as a pure function of the resource. Used by the native
 * rules (src/rules/native/<id>.ts) and by plugins (`plugins:` in tollgate.yaml). A spec that
 * cannot work (no id, a bad id, a check that is not a function) throws here, where it is written.
 */
export function defineRule<M extends string>(spec: RuleSpec<M>): DefinedRule {
  const { check, level, enabled, messages, optionsSchema, deprecated, replacedBy, equivalents, fix, ...meta } = spec;
  if (typeof meta.id !== 'string' || !ID.test(meta.id))
    throw new TypeError(`defineRule: id ${JSON.stringify(meta.id)} is not a rule id (letters, digits, '.', '-', '_')`);
  if (typeof check !== 'function') throw new TypeError(`defineRule(${meta.id}): check must be a function`);
  if (!Array.isArray(meta.appliesTo) || !meta.appliesTo.every((t) => typeof t === 'string'))
    throw new TypeError(`defineRule(${meta.id}): appliesTo must be a list of resource types`);
  const table: Readonly<Record<string, string>> = messages ?? {};
  return {
    meta: { ...meta, equivalents: equivalents ?? [], kind: 'native', level: level ?? levelForSeverity(meta.severity) },
    enabled: enabled ?? true,
    definition: {
      messages: table,
      ...(optionsSchema ? { optionsSchema } : {}),
      deprecated: deprecated ?? false,
      replacedBy: replacedBy ?? [],
      docsUrl: ruleDocsUrl(meta.id),
      ...(fix !== undefined && { fix }),
    },
    check(resource, ctx) {
      const own = new NativeRuleContext<M>(ctx, (finding) => {
        if (!('messageId' in finding)) return ctx.report(finding);
        const text = Object.hasOwn(table, finding.messageId) ? table[finding.messageId] : undefined;
        // A typo in a message id is the rule's bug: the engine turns it into a rule error on this resource.
        if (text === undefined)
          throw new Error(`unknown messageId '${finding.messageId}' (the rule's messages are: ${Object.keys(table).join(', ') || 'none'})`);
        const { data, messageId, ...rest } = finding;
        ctx.report({ ...rest, messageId, message: formatMessage(text, data) });
      });
      check(resource, own);
    },
  };
}

/**
 * A native rule's context: the engine's, with `report` taking message ids. A class with the clock
 * as a prototype getter, not an object literal with one (made per rule and resource; see
 * RuleCheckContext in engine.ts). The functions stay own properties, for rules that take them out.
 */
class NativeRuleContext<M extends string> implements RuleContext<M> {
  readonly resources: CheckContext['resources'];
  readonly options: CheckContext['options'];
  readonly skip: CheckContext['skip'];
  readonly unknown: CheckContext['unknown'];
  readonly #ctx: CheckContext;
  constructor(
    ctx: CheckContext,
    readonly report: RuleContext<M>['report'],
  ) {
    this.#ctx = ctx;
    this.resources = ctx.resources;
    this.options = ctx.options;
    this.skip = (reason) => ctx.skip(reason);
    this.unknown = (reason) => ctx.unknown(reason);
  }
  // Read when the rule asks: the clock makes the outcome one of today (engine.ts).
  get now(): Date | undefined {
    return this.#ctx.now;
  }
}
