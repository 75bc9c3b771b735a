import type { DeploymentContext } from '../expression/context.js';
import type { TargetScope } from './template-scope.js';

/** `/providers/Microsoft.X/a/n1/b/n2`: type segments interleaved with name segments. */
function providerSegments(type: string, name: string): string {
  const [namespace, ...types] = type.split('/');
  const names = name.split('/');
  let path = `/providers/${namespace}`;
  types.forEach((t, i) => (path += `/${t}/${names[i] ?? '<unknown>'}`));
  return path;
}

/** The id of the scope a template deploys to. */
export function scopeIdFor(scope: TargetScope, d: DeploymentContext): string {
  switch (scope) {
    case 'resourceGroup':
      return `/subscriptions/${d.subscriptionId}/resourceGroups/${d.resourceGroup}`;
    case 'subscription':
      return `/subscriptions/${d.subscriptionId}`;
    case 'managementGroup':
      return `/providers/Microsoft.Management/managementGroups/${d.managementGroup}`;
    case 'tenant':
      return '';
  }
}

/**
 * The id ARM gives a resource: under the deployment's scope, or under `extensionScope` for an
 * extension resource (its `scope` property: a resource id, or languageVersion 2.0's
 * `Microsoft.X/type/name` form, which is relative to the deployment's scope).
 */
export function resourceIdFor(type: string, name: string, d: DeploymentContext, scope: TargetScope = 'resourceGroup', extensionScope?: string): string {
  let base = scopeIdFor(scope, d);
  if (extensionScope !== undefined) {
    const parts = extensionScope.replace(/^\/+|\/+$/g, '').split('/');
    base = extensionScope.startsWith('/') ? extensionScope.replace(/\/+$/, '') : relativeScopeId(parts, base);
  }
  return base + providerSegments(type, name);
}

function relativeScopeId(parts: string[], base: string): string {
  // `Microsoft.X/t1/t2/n1/n2` lists the types, then the names.
  const half = Math.floor((parts.length - 1) / 2);
  const type = parts.slice(0, half + 1).join('/');
  const name = parts.slice(half + 1).join('/');
  return base + providerSegments(type, name);
}
