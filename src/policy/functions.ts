import type { Expr } from '../arm/expression/ast.js';
import type { DeploymentContext, EvalContext, FunctionDef, FunctionTable } from '../arm/expression/context.js';
import { FunctionError, parseCached } from '../arm/expression/evaluator.js';
import { ARM_FUNCTIONS, functionTable } from '../arm/functions/index.js';
import { formatDateTime } from '../arm/functions/date.js';
import { expectInt, expectString } from '../arm/functions/define.js';
import { resourceGroupObject } from '../arm/functions/resource.js';
import { isUnknown, Unknown, type Value } from '../resources/value.js';
import { PolicyCompileError } from './errors.js';

/**
 * What the policy-only functions see besides the resource: the scope the resource is deployed
 * to, the request, the assignment, the clock. Whatever is not given is Unknown where a
 * function reads it, never invented.
 */
export interface PolicyEnvironment {
  deployment: DeploymentContext;
  /** `resourceGroup()`; default: built from `deployment`, with unknown tags. */
  resourceGroup?: Value;
  /** `subscription()`; default: built from `deployment`. */
  subscription?: Value;
  /** `requestContext()`; default: `{ apiVersion }` of the resource evaluated. */
  requestContext?: Value;
  /** `policy()`: assignmentId, definitionId, setDefinitionId, definitionReferenceId. */
  policy?: Value;
  /** `utcNow()`: the evaluation time as the host gives it (ISO 8601); absent = unknown. */
  now?: string;
}

/** An EvalContext with what the policy-only functions need. */
export interface PolicyEvalContext extends EvalContext {
  readonly env: PolicyEnvironment;
  /** `current()` and `current('name')` inside a count's `where`. */
  current?(name: string | undefined): Value;
  /** Where the expression is in the definition, for messages. */
  readonly at?: string;
}

/**
 * Template functions Azure Policy does not allow in a policy rule ("All Resource Manager
 * template functions are available to use within a policy rule, except the following"), plus
 * every `list*` function. They stay available inside a deployIfNotExists deployment template,
 * which Tollgate does not evaluate.
 */
export const FORBIDDEN_FUNCTIONS: ReadonlySet<string> = new Set(
  [
    'copyIndex',
    'dateTimeAdd',
    'dateTimeFromEpoch',
    'dateTimeToEpoch',
    'deployment',
    'environment',
    'extensionResourceId',
    'lambda',
    'listAccountSas',
    'listKeys',
    'listSecrets',
    'managementGroup',
    'newGuid',
    'pickZones',
    'providers',
    'reference',
    'resourceId',
    'subscriptionResourceId',
    'tenantResourceId',
    'tenant',
    'variables',
  ].map((n) => n.toLowerCase()),
);

export function isForbidden(name: string): boolean {
  const lower = name.toLowerCase();
  return FORBIDDEN_FUNCTIONS.has(lower) || lower.startsWith('list');
}

function policyContext(ctx: EvalContext): PolicyEvalContext {
  const p = ctx as Partial<PolicyEvalContext>;
  if (!p.env) throw new FunctionError('this function is only available while a policy rule is evaluated');
  return p as PolicyEvalContext;
}

/** The policy-only functions, and those whose meaning differs from a template's. */
const POLICY_ONLY: FunctionDef[] = [
  {
    name: 'field',
    minArgs: 1,
    maxArgs: 1,
    eager: ([path], ctx) => {
      if (typeof path !== 'string') throw new FunctionError('field() takes a field name');
      if (!ctx.field) throw new PolicyCompileError('field() is only available while evaluating a resource');
      return ctx.field(path);
    },
  },
  {
    name: 'current',
    minArgs: 0,
    maxArgs: 1,
    eager: ([name], ctx) => {
      if (name !== undefined && typeof name !== 'string') throw new FunctionError('current() takes the name of a count iteration');
      const current = (ctx as Partial<PolicyEvalContext>).current;
      if (!current) throw new FunctionError('current() is only available inside the where of a count');
      return current(name);
    },
  },
  {
    name: 'policy',
    minArgs: 0,
    maxArgs: 0,
    eager: (_a, ctx) =>
      policyContext(ctx).env.policy ?? {
        assignmentId: new Unknown('the policy assignment id'),
        definitionId: new Unknown('the policy definition id'),
        setDefinitionId: new Unknown('the policy set definition id'),
        definitionReferenceId: new Unknown('the policy definition reference id'),
      },
  },
  {
    name: 'requestContext',
    minArgs: 0,
    maxArgs: 0,
    eager: (_a, ctx) => policyContext(ctx).env.requestContext ?? { apiVersion: new Unknown('the API version of the request') },
  },
  {
    name: 'resourceGroup',
    minArgs: 0,
    maxArgs: 0,
    eager: (_a, ctx) => policyContext(ctx).env.resourceGroup ?? resourceGroupObject(ctx),
  },
  {
    name: 'subscription',
    minArgs: 0,
    maxArgs: 0,
    eager: (_a, ctx) => {
      const env = policyContext(ctx).env;
      if (env.subscription !== undefined) return env.subscription;
      const d = env.deployment;
      return {
        id: `/subscriptions/${d.subscriptionId}`,
        subscriptionId: d.subscriptionId,
        tenantId: d.tenantId,
        displayName: new Unknown('the subscription display name'),
      };
    },
  },
  {
    // "Unlike an ARM template, this property can be used outside defaultValue": the evaluation time.
    name: 'utcNow',
    minArgs: 0,
    maxArgs: 1,
    eager: ([format], ctx) => {
      const now = policyContext(ctx).env.now;
      if (now === undefined) return new Unknown('utcNow() is the time of evaluation (set a clock with --now)');
      if (format === undefined) return now;
      return formatDateTime(new Date(now), expectString(format, 'the format'));
    },
  },
  {
    name: 'addDays',
    minArgs: 2,
    maxArgs: 2,
    eager: ([dateTime, days]) => addDays(expectString(dateTime!, 'the date and time'), expectInt(days!, 'the number of days')),
  },
  {
    name: 'ipRangeContains',
    minArgs: 2,
    maxArgs: 2,
    eager: ([range, target]) => {
      const outer = parseRange(expectString(range!, 'the range'));
      const inner = parseRange(expectString(target!, 'the target range'));
      if (outer.v6 !== inner.v6) throw new FunctionError(`cannot compare an ${outer.v6 ? 'IPv6' : 'IPv4'} range with an ${inner.v6 ? 'IPv6' : 'IPv4'} one`);
      return outer.lo <= inner.lo && inner.hi <= outer.hi;
    },
  },
];

/** The shared ARM library without the functions policy rules may not use, plus the policy-only ones. */
export const POLICY_FUNCTIONS: FunctionTable = functionTable(
  [...ARM_FUNCTIONS.values()].filter((f) => !isForbidden(f.name)),
  POLICY_ONLY,
);

/**
 * Checks an expression of a policy rule once, when the definition is compiled: it parses,
 * calls only functions available in policy rules, with an argument count they take.
 */
export function checkPolicyExpression(text: string, at: string): void {
  let expr: Expr;
  try {
    expr = parseCached(text);
  } catch (err) {
    throw new PolicyCompileError(`cannot parse expression ${text}: ${(err as Error).message}`, at);
  }
  walk(expr, at);
}

function walk(expr: Expr, at: string): void {
  switch (expr.kind) {
    case 'property':
      walk(expr.object, at);
      return;
    case 'index':
      walk(expr.object, at);
      walk(expr.index, at);
      return;
    case 'call': {
      if (isForbidden(expr.name)) throw new PolicyCompileError(`the function '${expr.name}' is not available in policy rules`, at);
      const fn = POLICY_FUNCTIONS.get(expr.name.toLowerCase());
      if (!fn) throw new PolicyCompileError(`unknown function '${expr.name}'`, at);
      const n = expr.args.length;
      if (n < fn.minArgs || (fn.maxArgs !== undefined && n > fn.maxArgs)) {
        const range = fn.maxArgs === undefined ? `at least ${fn.minArgs}` : fn.minArgs === fn.maxArgs ? `${fn.minArgs}` : `${fn.minArgs} to ${fn.maxArgs}`;
        throw new PolicyCompileError(`'${expr.name}' takes ${range} argument${range === '1' ? '' : 's'}, not ${n}`, at);
      }
      for (const a of expr.args) walk(a, at);
      return;
    }
    default:
      return;
  }
}

/** `addDays('2024-01-30T00:00:00Z', 5)` = `2024-02-04T00:00:00Z`; the input's precision is kept. */
function addDays(text: string, days: number): string {
  const t = Date.parse(/(?:Z|[+-]\d\d:?\d\d)$/i.test(text) || !/T/.test(text) ? text : `${text}Z`);
  if (Number.isNaN(t)) throw new FunctionError(`'${text}' is not a date and time`);
  const iso = new Date(t + days * 86_400_000).toISOString();
  if (!/T/.test(text)) return iso.slice(0, 10);
  return /\.\d/.test(text) ? iso : iso.replace(/\.\d{3}Z$/, 'Z');
}

interface IpRange {
  v6: boolean;
  lo: bigint;
  hi: bigint;
}

/** An address, a CIDR range, or `first-last`, IPv4 or IPv6, as `ipRangeContains` takes them. */
function parseRange(text: string): IpRange {
  const s = text.trim();
  const bad = () => new FunctionError(`'${text}' is not an IP address, a CIDR range or a range of addresses`);
  if (!s) throw bad();
  const dash = s.indexOf('-');
  if (dash > 0) {
    const a = parseIp(s.slice(0, dash).trim());
    const b = parseIp(s.slice(dash + 1).trim());
    if (!a || !b || a.v6 !== b.v6 || a.n > b.n) throw bad();
    return { v6: a.v6, lo: a.n, hi: b.n };
  }
  const slash = s.indexOf('/');
  const ip = parseIp(slash < 0 ? s : s.slice(0, slash));
  if (!ip) throw bad();
  const bits = ip.v6 ? 128 : 32;
  if (slash < 0) return { v6: ip.v6, lo: ip.n, hi: ip.n };
  const prefixText = s.slice(slash + 1);
  const prefix = Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText) || prefix > bits) throw bad();
  const hostBits = BigInt(bits - prefix);
  const lo = (ip.n >> hostBits) << hostBits;
  return { v6: ip.v6, lo, hi: lo + (1n << hostBits) - 1n };
}

function parseIp(text: string): { v6: boolean; n: bigint } | undefined {
  const v4 = parseV4(text);
  if (v4 !== undefined) return { v6: false, n: v4 };
  if (!text.includes(':')) return undefined;
  // An embedded IPv4 tail (::ffff:10.0.0.1) is two groups.
  let body = text;
  const lastColon = text.lastIndexOf(':');
  const tail = parseV4(text.slice(lastColon + 1));
  if (tail !== undefined) body = `${text.slice(0, lastColon + 1)}${(tail >> 16n).toString(16)}:${(tail & 0xffffn).toString(16)}`;
  if (!/^[0-9a-fA-F:]+$/.test(body) || (body.match(/::/g) ?? []).length > 1) return undefined;
  const [head, rest] = body.includes('::') ? body.split('::') : [body, undefined];
  const groups = (x: string | undefined) => (x ? x.split(':') : []);
  const h = groups(head);
  const t = groups(rest);
  const missing = 8 - h.length - t.length;
  if ((rest === undefined && missing !== 0) || missing < 0) return undefined;
  const all = [...h, ...Array<string>(rest === undefined ? 0 : missing).fill('0'), ...t];
  if (!all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return { v6: true, n: all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n) };
}

function parseV4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
}

/** True when `v` is an Unknown or holds one anywhere. */
export function containsUnknown(v: Value | undefined): boolean {
  if (isUnknown(v)) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (v !== null && typeof v === 'object') return Object.values(v).some(containsUnknown);
  return false;
}
