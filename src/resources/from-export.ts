import { childNode, nodeValue, type JsonDocument, type JsonNode } from '../load/json-document.js';
import { locateInTree } from './locate.js';
import type { Resource } from './resource.js';
import { getProperty, isObject, type ObjectValue } from './value.js';

/**
 * Exported live resources: the ARM GET shape (`id`, `name`, `type`, `properties`), a list
 * (`{ "value": [...] }` or a bare array), or PowerShell's `Get-AzResource` shape
 * (`Name`, `ResourceType`, `ResourceId`, `Properties`), with child resources nested under
 * `resources`. Property case does not matter, as in ARM.
 */
export function looksLikeExport(value: unknown): boolean {
  const items = exportItems(value);
  return items !== undefined && items.length > 0 && items.every((i) => isResourceShape(i));
}

function exportItems(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (isListResponse(value)) return getProperty(value, 'value') as unknown[];
  return isObject(value) ? [value] : undefined;
}

/** An ARM list response: `{ "value": [...] }`, perhaps with a `nextLink`. */
function isListResponse(value: unknown): value is ObjectValue {
  return isObject(value) && !isResourceShape(value) && Array.isArray(getProperty(value, 'value')) && Object.keys(value).length <= 2;
}

function isResourceShape(v: unknown): boolean {
  if (!isObject(v)) return false;
  const type = getProperty(v, 'type') ?? getProperty(v, 'resourceType');
  const name = getProperty(v, 'name') ?? getProperty(v, 'resourceName');
  const hasBody = getProperty(v, 'id') !== undefined || getProperty(v, 'resourceId') !== undefined || getProperty(v, 'properties') !== undefined;
  return typeof type === 'string' && /^[A-Za-z0-9.]+\/[^/]/.test(type) && typeof name === 'string' && hasBody;
}

export function resourcesFromExport(doc: JsonDocument): Resource[] {
  const out: Resource[] = [];
  const root = doc.root;
  // The same three shapes `looksLikeExport` accepts: an array, a list response, one resource.
  const listNode = root.type === 'array' ? root : isListResponse(doc.value) ? childNode(root, 'value') : undefined;
  const nodes = listNode ? (listNode.children ?? []) : [root];
  for (const node of nodes) addResource(doc, node, undefined, out);
  return out;
}

function addResource(doc: JsonDocument, node: JsonNode, parent: Resource | undefined, out: Resource[]): void {
  const raw = nodeObject(node);
  if (!raw || !isResourceShape(raw)) return;
  const type = String(getProperty(raw, 'type') ?? getProperty(raw, 'resourceType'));
  const id = stringProp(raw, 'id') ?? stringProp(raw, 'resourceId');
  const name = fullName(type, String(getProperty(raw, 'name') ?? getProperty(raw, 'resourceName')), id, parent);
  const body: ObjectValue = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k.toLowerCase() === 'resources') continue;
    Object.defineProperty(body, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  setCanonical(body, 'type', type);
  setCanonical(body, 'name', name);
  const resource: Resource = {
    type,
    name,
    id: id ?? `/providers/${type}/${name}`,
    apiVersion: stringProp(raw, 'apiVersion'),
    body,
    parent,
    children: [],
    source: {
      kind: 'export',
      document: doc,
      location: doc.file.locationOf(node.offset, 1),
      locate: (path) =>
        locateInTree(
          doc,
          node,
          path,
          () => [],
          () => false,
        ),
    },
  };
  out.push(resource);
  parent?.children.push(resource);
  const children = childNode(node, 'resources');
  for (const child of children?.type === 'array' ? (children.children ?? []) : []) addResource(doc, child, resource, out);
}

/**
 * ARM GET returns a child's leaf name only (`payments`, type `…/service/backends`): the full
 * name comes from the id, or from the parent when the id is missing.
 */
function fullName(type: string, name: string, id: string | undefined, parent: Resource | undefined): string {
  const typeSegments = type.split('/').length - 1;
  if (name.split('/').length === typeSegments) return name;
  if (id) {
    const m = /\/providers\/[^/]+\/(.+)$/i.exec(id);
    if (m) {
      const parts = m[1]!.split('/');
      const names = parts.filter((_, i) => i % 2 === 1);
      if (names.length === typeSegments) return names.join('/');
    }
  }
  if (parent) return `${parent.name}/${name}`;
  return name;
}

function setCanonical(body: ObjectValue, key: string, value: string): void {
  for (const k of Object.keys(body)) if (k.toLowerCase() === key && k !== key) delete body[k];
  body[key] = value;
}

function stringProp(o: ObjectValue, key: string): string | undefined {
  const v = getProperty(o, key);
  return typeof v === 'string' ? v : undefined;
}

function nodeObject(node: JsonNode): ObjectValue | undefined {
  return node.type === 'object' ? (nodeValue(node) as ObjectValue) : undefined;
}
