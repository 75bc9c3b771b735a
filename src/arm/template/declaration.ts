import { childNode, type JsonNode } from '../../load/json-document.js';
import type { CopyIndexes } from './template-scope.js';

/**
 * Where a resource is declared, in words that survive a change of deployment context and most
 * edits: the declaring file, the path from the file's root to the declaration, and the copy
 * indexes of the instance. Baselines use it as the resource's identity instead of the
 * evaluated name, which `uniqueString(resourceGroup().id)` or `--resource-group` changes.
 *
 * A path segment is an object key (a languageVersion 2.0 / Bicep symbolic name, `properties`,
 * `template`, …) or, for an item of a `resources` array, its type and name as written (the
 * expression text, not its value), so that a resource added above does not renumber the ones
 * after it. Two items written alike in one array are told apart by their order among
 * themselves; items without a literal type and name fall back to their position.
 */
export function declarationPath(node: JsonNode): string {
  const segments: string[] = [];
  let n = node;
  while (n.parent) {
    const p = n.parent;
    if (p.type === 'property') {
      segments.push(String(p.children?.[0]?.value));
      if (!p.parent) break;
      n = p.parent;
      continue;
    }
    if (p.type === 'array') segments.push(itemIdentities(p).get(n) ?? '?');
    n = p;
  }
  return `/${segments.reverse().map(escapeSegment).join('/')}`;
}

/** `copyIndex()` values of the instance, named loops by name (the innermost also as `#`). */
export function copiesText(copies: CopyIndexes): string {
  if (!copies.size) return '';
  return `[${[...copies]
    .map(([name, i]) => `${name ?? '#'}=${i}`)
    .sort()
    .join(',')}]`;
}

// Per array, computed once: a template with thousands of resources and findings must not
// compare every item with every other for each finding.
const identities = new WeakMap<JsonNode, Map<JsonNode, string>>();

function itemIdentities(array: JsonNode): Map<JsonNode, string> {
  let out = identities.get(array);
  if (out) return out;
  out = new Map();
  const seen = new Map<string, number>();
  (array.children ?? []).forEach((item, index) => {
    const type = childNode(item, 'type')?.value;
    const name = childNode(item, 'name')?.value;
    if (typeof type !== 'string' || typeof name !== 'string') {
      out!.set(item, `#${index}`);
      return;
    }
    // ARM compares types and names ignoring case.
    const written = `${type.toLowerCase()}:${name.toLowerCase()}`;
    const nth = seen.get(written) ?? 0;
    seen.set(written, nth + 1);
    out!.set(item, nth ? `${written}~${nth}` : written);
  });
  identities.set(array, out);
  return out;
}

/** JSON Pointer escaping (RFC 6901), so a `/` inside a name cannot fake a level. */
function escapeSegment(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}
