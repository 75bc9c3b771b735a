import { FunctionError } from '../expression/evaluator.js';
import type { EvalContext, FunctionDef } from '../expression/context.js';
import { Unknown, type ObjectValue, type Value } from '../../resources/value.js';
import { expectString, fn } from './define.js';

/** Scope and resource-id functions. */
export const resourceFunctions: FunctionDef[] = [
  fn({ name: 'resourceGroup', minArgs: 0, maxArgs: 0, eager: (_a, ctx) => resourceGroupObject(ctx) }),
  fn({
    name: 'subscription',
    minArgs: 0,
    maxArgs: 0,
    eager: (_a, ctx) => ({
      id: `/subscriptions/${ctx.deployment.subscriptionId}`,
      subscriptionId: ctx.deployment.subscriptionId,
      tenantId: ctx.deployment.tenantId,
      displayName: new Unknown('the subscription display name'),
    }),
  }),
  fn({
    name: 'resourceId',
    minArgs: 2,
    eager: (args, ctx) => {
      const strs = args.map((a) => segmentText(a));
      // Optional leading subscription id and resource group name: the type is the first argument with a '/'.
      const typeAt = strs.findIndex((s) => s.includes('/'));
      if (typeAt < 0 || typeAt > 2) throw new FunctionError('expected a resource type such as Microsoft.Web/sites');
      const sub = typeAt === 2 ? strs[0]! : ctx.deployment.subscriptionId;
      const rg = typeAt >= 1 ? strs[typeAt - 1]! : ctx.deployment.resourceGroup;
      return `/subscriptions/${sub}/resourceGroups/${rg}` + providerPath(strs[typeAt]!, strs.slice(typeAt + 1));
    },
  }),
  fn({
    name: 'subscriptionResourceId',
    minArgs: 2,
    eager: (args, ctx) => {
      const strs = args.map((a) => segmentText(a));
      const typeAt = strs[0]!.includes('/') ? 0 : 1;
      const sub = typeAt === 1 ? strs[0]! : ctx.deployment.subscriptionId;
      return `/subscriptions/${sub}` + providerPath(strs[typeAt]!, strs.slice(typeAt + 1));
    },
  }),
  fn({
    name: 'tenantResourceId',
    minArgs: 2,
    eager: (args) =>
      providerPath(
        expectString(args[0]!),
        args.slice(1).map((a) => segmentText(a)),
      ),
  }),
  // A resource of the same deployment is read from its declaration; anything else is only known to Azure.
  fn({
    name: 'reference',
    minArgs: 1,
    maxArgs: 3,
    eager: ([target, , full], ctx) => {
      const name = expectString(target!, 'the resource');
      const isFull = typeof full === 'string' && full.toLowerCase() === 'full';
      return ctx.resources?.reference(name, isFull) ?? new Unknown(`reference('${name}') reads the deployed resource`);
    },
  }),
  fn({
    name: 'references',
    minArgs: 1,
    maxArgs: 2,
    eager: ([target, full], ctx) => {
      const name = expectString(target!, 'the resource collection');
      return (
        ctx.resources?.references(name, typeof full === 'string' && full.toLowerCase() === 'full') ??
        new Unknown(`references('${name}') reads deployed resources`)
      );
    },
  }),
  fn({
    name: 'resourceInfo',
    minArgs: 1,
    maxArgs: 1,
    eager: ([target], ctx) => {
      const name = expectString(target!, 'the symbolic name');
      if (!ctx.resources) throw new FunctionError('resourceInfo() needs a symbolic resource name of the template');
      return ctx.resources.resourceInfo(name);
    },
  }),
];

export function resourceGroupObject(ctx: EvalContext): ObjectValue {
  const d = ctx.deployment;
  // One per deployment context: values are never changed once built, and definitions call
  // resourceGroup() for every resource (`resourceGroup().managedBy`, three times per resource in
  // the default rule set), each call building the object anew before.
  let made = resourceGroups.get(d);
  if (!made) {
    made = {
      id: `/subscriptions/${d.subscriptionId}/resourceGroups/${d.resourceGroup}`,
      name: d.resourceGroup,
      type: 'Microsoft.Resources/resourceGroups',
      location: d.location,
      // The resource group's tags live in Azure, not in the template.
      tags: new Unknown('the resource group tags are only known to Azure'),
      properties: { provisioningState: 'Succeeded' },
    };
    resourceGroups.set(d, made);
  }
  return made;
}
const resourceGroups = new WeakMap<EvalContext['deployment'], ObjectValue>();

/**
 * A name segment of a resource id function: a string, or an integer written in decimal. ARM
 * accepts integer segments (real templates pass `copyIndex()` or an integer parameter as a name,
 * e.g. `resourceId('Microsoft.Network/virtualNetworks/subnets', vnet, copyIndex())`); other
 * types are still an error, as Tollgate cannot say how ARM would write them.
 */
export function segmentText(v: Value, what = 'argument'): string {
  if (typeof v === 'number' && Number.isInteger(v)) return String(v);
  return expectString(v, what);
}

/**
 * `/providers/Microsoft.X/a/name1/b/name2` from a type and names. A name may itself
 * contain '/' (a full child name), which counts as several segments, as in ARM.
 */
export function providerPath(type: string, names: string[]): string {
  // ARM accepts a trailing '/' on the type ('Microsoft.X/a/'), and real templates rely on it.
  const [namespace, ...types] = segments(type);
  // Empty segments ('vnet/' + 'subnet') are dropped, as ARM normalises the id.
  const nameSegs: string[] = [];
  for (const n of names) nameSegs.push(...segments(n));
  if (types.length !== nameSegs.length) {
    throw new FunctionError(`the type '${type}' needs ${types.length} name segment${types.length === 1 ? '' : 's'}, got ${nameSegs.length}`);
  }
  let out = `/providers/${namespace}`;
  for (let i = 0; i < types.length; i++) out += `/${types[i]}/${nameSegs[i]}`;
  return out;
}

/** Non-empty '/'-separated segments; the common single-segment case allocates nothing more. */
function segments(text: string): string[] {
  if (text.indexOf('/') < 0) return text ? [text] : [];
  return text.split('/').filter((s) => s !== '');
}

export function listFunction(name: string): FunctionDef {
  return fn({
    name,
    minArgs: 1,
    maxArgs: 3,
    acceptsUnknown: true,
    eager: (): Value => new Unknown('list*() returns keys and secrets known only at deployment'),
  });
}
