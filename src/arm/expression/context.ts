import type { Value } from '../../resources/value.js';
import type { Budget } from './budget.js';

/** A thunk: an argument evaluated only when a lazy function asks for it. */
export type Lazy = () => Value;

/**
 * One entry of the function table. Most functions are eager: their arguments are evaluated
 * first and an Unknown argument makes the result Unknown. Lazy functions (`if`, `and`, `or`,
 * `coalesce`) get thunks, as ARM only evaluates the branch it takes.
 */
export interface FunctionDef {
  name: string;
  minArgs: number;
  /** Omitted = any number. */
  maxArgs?: number;
  eager?: (args: Value[], ctx: EvalContext) => Value;
  lazy?: (args: Lazy[], ctx: EvalContext) => Value;
  /** Eager functions that want to see Unknown arguments themselves instead of returning Unknown. */
  acceptsUnknown?: boolean;
  /**
   * Functions that take lambdas (`map`, `filter`, …): the argument positions that must be
   * `lambda(...)` expressions. Those arrive compiled in `lambdas`, the others evaluated in `values`.
   */
  lambdaArgs?: readonly number[];
  withLambdas?: (values: Value[], lambdas: LambdaFn[], ctx: EvalContext) => Value;
}

/** A compiled `lambda('x', body)`: call it with the values of its variables. */
export interface LambdaFn {
  readonly arity: number;
  (...args: Value[]): Value;
}

/** Keyed by lower-case name: ARM function names are case-insensitive. */
export type FunctionTable = ReadonlyMap<string, FunctionDef>;

/** Who is deploying where. Every value has a default and can be set by the user. */
export interface DeploymentContext {
  subscriptionId: string;
  tenantId: string;
  resourceGroup: string;
  location: string;
  deploymentName: string;
  /** Management group id for management-group-scoped templates and `managementGroup()`. */
  managementGroup: string;
  /** Cloud name for `environment()` (AzureCloud, AzureUSGovernment, AzureChinaCloud). */
  environment: string;
  /**
   * The deployment clock (ISO 8601, UTC). Without it `utcNow()` is unknown: scans must not
   * depend on when they run unless the user asks for it.
   */
  now?: string;
  /**
   * `deployment().properties.templateLink.uri`: the `file:` URL of the template being expanded,
   * set per template by the expander (the top template and each linked one), never by the user.
   * Azure gives the URL a template was deployed from; a scan deploys from the file, so links
   * built from it (`_artifactsLocation`) resolve beside the file. Absent for inline templates.
   */
  templateLink?: string;
}

/** The deployment context when the user sets none: placeholders, visible as such in ids. */
export const DEFAULT_DEPLOYMENT: DeploymentContext = {
  subscriptionId: '00000000-0000-0000-0000-000000000000',
  tenantId: '00000000-0000-0000-0000-000000000000',
  resourceGroup: 'tollgate-rg',
  location: 'eastus',
  deploymentName: 'tollgate',
  managementGroup: 'tollgate-mg',
  environment: 'AzureCloud',
};

/**
 * What an expression can see. The evaluator and the function library are shared by the
 * template expander and the policy engine; each host supplies the hooks its functions need.
 */
export interface EvalContext {
  functions: FunctionTable;
  deployment: DeploymentContext;
  parameter?(name: string): Value;
  variable?(name: string): Value;
  copyIndex?(loopName: string | undefined): number;
  /** Azure Policy's `field()`: a property of the resource being evaluated. */
  field?(path: string): Value;
  /** The resources of the deployment being expanded, for `reference()` and friends. */
  resources?: ResourceLookup;
  /**
   * Azure Policy reads a missing object property as null (its built-in "Inherit a tag from the
   * resource group" relies on `resourceGroup().tags[name]` for a missing tag); templates fail.
   */
  missingPropertyIsNull?: boolean;
  /** `lambdaVariables('x')` inside a lambda body. */
  lambdaVariable?(name: string): Value;
  /** The work this evaluation may still do (template expansion sets one per scan unit). */
  budget?: Budget;
}

/** What `reference()`, `references()` and `resourceInfo()` see: the resources of the same deployment. */
export interface ResourceLookup {
  /** `target` is a resource id, a resource name or (languageVersion 2.0) a symbolic name. */
  reference(target: string, full: boolean): Value;
  references(symbolicName: string, full: boolean): Value;
  resourceInfo(symbolicName: string): Value;
}
