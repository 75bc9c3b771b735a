import type { DeploymentContext } from '../expression/context.js';

/**
 * The id ARM gives a resource-group-scoped resource: type segments interleaved with name
 * segments. Extension resources and other scopes come with the full expansion engine.
 */
export function resourceIdFor(type: string, name: string, d: DeploymentContext): string {
  const [namespace, ...types] = type.split('/');
  const names = name.split('/');
  let id = `/subscriptions/${d.subscriptionId}/resourceGroups/${d.resourceGroup}/providers/${namespace}`;
  types.forEach((t, i) => (id += `/${t}/${names[i] ?? '<unknown>'}`));
  return id;
}
