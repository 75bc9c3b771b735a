import { childNode, propertyKeyNode, type JsonDocument, type JsonNode } from '../load/json-document.js';
import type { LocatedValue, ValueOrigin } from './resource.js';
import type { PathSegment } from './value.js';

/**
 * Walks a property path through the syntax tree of the file that declares a resource
 * (case-insensitive, as ARM reads properties). Stops early at an expression string (the
 * value is computed there) or where the path is not written (the property is absent): the
 * location is then the nearest written ancestor and `exact` is false.
 *
 * `origins` is asked for the node where the walk stopped when that node is an expression.
 */
export function locateInTree(
  document: JsonDocument,
  resourceNode: JsonNode,
  path: readonly PathSegment[],
  origins: (node: JsonNode) => ValueOrigin[],
  isComputed: (node: JsonNode) => boolean,
): LocatedValue {
  let node = resourceNode;
  let exact = true;
  let depth = 0;
  for (const seg of path) {
    if (isComputed(node)) {
      exact = false;
      break;
    }
    const next = childNode(node, seg);
    if (!next) {
      exact = false;
      break;
    }
    node = next;
    depth++;
  }
  // Point at `"key": value` when the node is a property value: that is the line users edit.
  const key = node !== resourceNode ? propertyKeyNode(node) : undefined;
  const start = key ? key.offset : node.offset;
  const end = node.offset + node.length;
  return {
    location: document.file.locationOf(start, end - start),
    exact,
    origins: isComputed(node) ? origins(node) : [],
    node,
    depth,
  };
}
