import type { Resource } from '../resources/resource.js';
import { getProperty, isObject, type ObjectValue } from '../resources/value.js';
import type { PolicyTarget } from './field.js';

/**
 * Related resources that Azure creates with their parent, so an existence effect
 * (auditIfNotExists / deployIfNotExists) can be decided without the deployment declaring them.
 *
 * Only what Azure's resource model states is here: an App Service app (and each slot) always has
 * the configuration resource `config/web`, whose properties are the app's `siteConfig`
 * (Microsoft.Web/sites/config 'web' is the SiteConfig object the site's `properties.siteConfig`
 * sets at creation; 40 built-in definitions audit it, e.g. "App Service apps should use the latest
 * TLS version"). Azure fills the settings a deployment leaves out with service defaults that are not
 * published per API version, so a setting absent here is *not known*, never absent: a condition
 * that a missing setting would decide is undecided (`unsetIsUnknown`).
 */
interface ImpliedChild {
  /** The parent type, lower case. */
  parent: string;
  /** The related type the effect asks for, lower case, and the name it has. */
  type: string;
  name: string;
  /** Where the parent's body holds the child's properties. */
  from: string;
  why: string;
}

const IMPLIED: readonly ImpliedChild[] = [
  {
    parent: 'microsoft.web/sites',
    type: 'microsoft.web/sites/config',
    name: 'web',
    from: 'siteConfig',
    why: 'every App Service app has its web configuration (config/web), set from its siteConfig',
  },
  {
    parent: 'microsoft.web/sites/slots',
    type: 'microsoft.web/sites/slots/config',
    name: 'web',
    from: 'siteConfig',
    why: 'every App Service slot has its web configuration (config/web), set from its siteConfig',
  },
];

/** A related target whose unset properties are not known (Azure's defaults fill them): why. */
export interface ImpliedTarget extends PolicyTarget {
  readonly unsetIsUnknown: string;
  /** For a child built from the parent's body: where a child property is written in the parent. */
  readonly parentPath?: (childPath: string) => string;
}

function impliedChild(parentType: string, relatedType: string): ImpliedChild | undefined {
  const parent = parentType.toLowerCase();
  const type = relatedType.toLowerCase();
  return IMPLIED.find((c) => c.parent === parent && c.type === type);
}

/**
 * The child Azure creates with `resource`, when the effect asks for it (its type, and its name if
 * the effect names one) and the deployment does not declare it.
 */
export function impliedRelated(resource: Resource, relatedType: string, relatedName: string | undefined): ImpliedTarget | undefined {
  const child = impliedChild(resource.type, relatedType);
  if (!child || (relatedName !== undefined && relatedName.toLowerCase() !== child.name)) return undefined;
  const props = getProperty(resource.body, 'properties');
  const set = isObject(props) ? getProperty(props, child.from) : undefined;
  const body: ObjectValue = { name: child.name, type: relatedType, properties: isObject(set) ? set : {} };
  return {
    type: relatedType,
    name: `${resource.name}/${child.name}`,
    id: `${resource.id}/${child.type.split('/').pop()}/${child.name}`,
    ...(resource.apiVersion !== undefined ? { apiVersion: resource.apiVersion } : {}),
    body,
    unsetIsUnknown: `${child.why}; a setting the deployment leaves out takes Azure's default, which is not known before deployment`,
    parentPath: (childPath) => childPath.replace(/^properties\./i, `properties.${child.from}.`),
  };
}

/** A declared child of a kind Azure fills with defaults: its unset settings are not known either. */
export function withDefaultsUnknown(parentType: string, related: Resource): PolicyTarget | ImpliedTarget {
  const child = impliedChild(parentType, related.type);
  if (!child || related.name.split('/').pop()?.toLowerCase() !== child.name) return related;
  return {
    ...related,
    unsetIsUnknown: `a setting the deployment's ${child.type.split('/').slice(-2).join('/')} '${child.name}' leaves out takes Azure's default, which is not known before deployment`,
  };
}

export function isImplied(target: PolicyTarget): target is ImpliedTarget {
  return typeof (target as Partial<ImpliedTarget>).unsetIsUnknown === 'string';
}
