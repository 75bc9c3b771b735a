import type { FunctionDef } from '../expression/context.js';
import { FunctionError } from '../expression/evaluator.js';
import { Unknown, type Value } from '../../resources/value.js';
import { expectInt, expectString, fn } from './define.js';
import { providerPath, segmentText } from './resource.js';
import { cloudEnvironment } from './environment.js';
import { zonesFor } from './zones.js';

/**
 * Scope functions that the foundation did not need: tenant, management group, the deployer,
 * the cloud, extension and management-group resource ids, zones. What only Azure knows (display
 * names, the deployer's identity) is Unknown, never invented.
 */
export const scopeFunctions: FunctionDef[] = [
  fn({
    name: 'tenant',
    minArgs: 0,
    maxArgs: 0,
    eager: (_a, ctx) => ({
      tenantId: ctx.deployment.tenantId,
      countryCode: new Unknown('the tenant country code'),
      displayName: new Unknown('the tenant display name'),
    }),
  }),
  fn({
    name: 'managementGroup',
    minArgs: 0,
    maxArgs: 1,
    eager: (args, ctx) => {
      const name = args[0] === undefined ? ctx.deployment.managementGroup : expectString(args[0], 'the management group');
      return {
        id: `/providers/Microsoft.Management/managementGroups/${name}`,
        name,
        type: '/providers/Microsoft.Management/managementGroups',
        properties: {
          tenantId: ctx.deployment.tenantId,
          displayName: new Unknown('the management group display name'),
          details: new Unknown('the management group details'),
        },
      };
    },
  }),
  fn({
    name: 'deployer',
    minArgs: 0,
    maxArgs: 0,
    eager: (_a, ctx) => ({
      objectId: new Unknown('the deploying principal'),
      tenantId: ctx.deployment.tenantId,
      userPrincipalName: new Unknown('the deploying principal'),
    }),
  }),
  fn({ name: 'environment', minArgs: 0, maxArgs: 0, eager: (_a, ctx) => cloudEnvironment(ctx.deployment.environment) }),
  // Extensibility (Bicep `extension`) configuration is supplied at deployment time.
  fn({
    name: 'extensions',
    minArgs: 0,
    maxArgs: 1,
    eager: (args) => new Unknown(`the configuration of extension${args[0] === undefined ? 's' : ` '${String(args[0])}'`}`),
  }),
  fn({
    name: 'fail',
    minArgs: 1,
    maxArgs: 1,
    // ARM stops the deployment with this message; an `if` branch not taken is never evaluated.
    eager: ([message]) => {
      throw new FunctionError(`the template fails the deployment: ${expectString(message!, 'the message')}`);
    },
  }),
  fn({
    name: 'extensionResourceId',
    minArgs: 3,
    eager: ([scope, type, ...names]) =>
      expectString(scope!, 'the scope resource id').replace(/\/+$/, '') +
      providerPath(
        expectString(type!, 'the resource type'),
        names.map((n) => segmentText(n, 'a name')),
      ),
  }),
  fn({
    name: 'managementGroupResourceId',
    minArgs: 2,
    eager: (args, ctx) => {
      const strs = args.map((a) => segmentText(a));
      // An optional leading management group name; the type is the first argument with a '/'.
      const typeAt = strs[0]!.includes('/') ? 0 : 1;
      const group = typeAt === 1 ? strs[0]! : ctx.deployment.managementGroup;
      return `/providers/Microsoft.Management/managementGroups/${group}` + providerPath(strs[typeAt]!, strs.slice(typeAt + 1));
    },
  }),
  fn({
    name: 'pickZones',
    minArgs: 3,
    maxArgs: 5,
    eager: ([namespace, type, location, count, offset]) => {
      expectString(namespace!, 'the provider namespace');
      expectString(type!, 'the resource type');
      const zones = zonesFor(expectString(location!, 'the location'));
      const n = count === undefined ? 1 : expectInt(count, 'the number of zones');
      const skip = offset === undefined ? 0 : expectInt(offset, 'the offset');
      return zones.slice(skip, skip + n);
    },
  }),
  // Live provider metadata (deprecated in ARM) is not available offline.
  fn({ name: 'providers', minArgs: 1, maxArgs: 2, eager: ([ns]): Value => new Unknown(`providers('${String(ns)}') reads live provider metadata`) }),
  fn({
    name: 'bool',
    minArgs: 1,
    maxArgs: 1,
    eager: ([v]) => {
      if (typeof v === 'boolean') return v;
      if (typeof v === 'number') return v !== 0;
      if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
      throw new FunctionError(`cannot convert ${JSON.stringify(v)} to a boolean`);
    },
  }),
];
