import type { JsonDocument, JsonNode } from '../load/json-document.js';
import type { SourceLocation } from '../load/source-file.js';
import type { ObjectValue, PathSegment } from './value.js';

/**
 * One concrete resource that a deployment would create (or that an export describes),
 * after expansion: full type and name, every expression evaluated (or Unknown).
 */
export interface Resource {
  /** Full type, e.g. `Microsoft.ApiManagement/service/backends`. */
  type: string;
  /** Full name, e.g. `apim-contoso/payments`. */
  name: string;
  /** Resource id, e.g. `/subscriptions/…/resourceGroups/…/providers/Microsoft.ApiManagement/service/apim-contoso/backends/payments`. */
  id: string;
  apiVersion?: string;
  /** The expanded resource body as ARM would see it: `properties`, `sku`, `identity`, `location`, `tags`, … */
  body: ObjectValue;
  parent?: Resource;
  children: Resource[];
  /** Set when the resource's `condition` could not be decided: it is checked as if deployed. */
  conditionUnknown?: string;
  source: ResourceSource;
}

/** Where a resource came from, and how to point at its properties. */
export interface ResourceSource {
  kind: 'template' | 'export';
  /** The file that declares the resource. */
  document: JsonDocument;
  /** The parameter file the template was expanded with, if any. */
  parameterFile?: JsonDocument;
  /** Where the resource itself is declared. */
  location: SourceLocation;
  /**
   * Templates: the declaration's identity independent of the deployment context (declaring
   * file, path to the declaration, copy indexes, the deployments it is nested in), for baselines.
   */
  readonly declaration?: string;
  /** Finds where a property is written and where its value came from. */
  locate(path: readonly PathSegment[]): LocatedValue;
}

export interface LocatedValue {
  /** The place in the declaring file: the property's value, or the nearest written ancestor. */
  location: SourceLocation;
  /** True when `location` is the property itself, false when it is an ancestor (property absent or computed). */
  exact: boolean;
  /** Where the value was set when not written literally there: a parameter default, a parameter file entry, a variable. */
  origins: ValueOrigin[];
  /** The syntax node where the walk stopped (the value itself when `exact`): what a fix edits. Absent for exports. */
  node?: JsonNode;
  /** How many segments of the path were found written (all of them when `exact`). */
  depth?: number;
}

export interface ValueOrigin {
  location: SourceLocation;
  /** e.g. `parameter 'backendUrl' (value in parameter file)`. */
  description: string;
}

/** Resources produced by one scan unit: a template with one parameter file (or none), or an export file. */
export interface ResourceSet {
  /** Display path of the template or export file. */
  file: string;
  parameterFile?: string;
  resources: Resource[];
}

/** The last segment of a resource name: `svc/backends/x` -> `x`. */
/** Is the resource id at or under the scope id (`/subscriptions/x/resourceGroups/rg` covers its resources)? Ids ignore case. */
export function isAtOrUnder(scope: string, resourceId: string): boolean {
  const s = scope.toLowerCase().replace(/\/+$/, '');
  const id = resourceId.toLowerCase();
  return id === s || id.startsWith(`${s}/`);
}

export function leafName(resource: Pick<Resource, 'name'>): string {
  const i = resource.name.lastIndexOf('/');
  return i < 0 ? resource.name : resource.name.slice(i + 1);
}
