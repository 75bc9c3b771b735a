import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Resource } from '../../resources/resource.js';
import { getPath, isUnknown } from '../../resources/value.js';

/** The resource types that hold an API Management policy document. */
export const POLICY_TYPES = [
  'Microsoft.ApiManagement/service/policies',
  'Microsoft.ApiManagement/service/apis/policies',
  'Microsoft.ApiManagement/service/apis/operations/policies',
  'Microsoft.ApiManagement/service/products/policies',
  'Microsoft.ApiManagement/service/apis/resolvers/policies',
];
export const GLOBAL_POLICY = 'Microsoft.ApiManagement/service/policies';

/** An element of a parsed policy document. */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

export class PolicyXmlError extends Error {}

/** The inline policy XML of a resource, or why it cannot be read before deployment. */
export function policyXml(resource: Resource): { xml: string } | { unknown: string } | { skip: string } {
  const format = getPath(resource.body, 'properties.format');
  const value = getPath(resource.body, 'properties.value');
  if (isUnknown(format) || isUnknown(value)) return { unknown: 'the policy document is not known before deployment' };
  if (typeof format === 'string' && /-link$/i.test(format)) return { unknown: `the policy is linked (${format}), not inline` };
  if (typeof value !== 'string' || !value.trim()) return { skip: 'the policy has no inline document' };
  return { xml: value };
}

/**
 * Policy expressions (`@(…)`, `@{…}`) may hold quotes, `<` and `&&` that XML forbids; API
 * Management reads them anyway. They are escaped (balanced, aware of C# string literals)
 * before the document goes to a real XML parser.
 */
export function escapeExpressions(xml: string): string {
  let out = '';
  let i = 0;
  while (i < xml.length) {
    const at = xml.indexOf('@', i);
    if (at < 0 || at + 1 >= xml.length) break;
    const open = xml[at + 1];
    if (open !== '(' && open !== '{') {
      out += xml.slice(i, at + 1);
      i = at + 1;
      continue;
    }
    const end = expressionEnd(xml, at + 1);
    out +=
      xml.slice(i, at) +
      xml
        .slice(at, end)
        .replace(/&(?![a-zA-Z]+;|#\d+;|#x[0-9a-fA-F]+;)/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/"/g, '&quot;');
    i = end;
  }
  return out + xml.slice(i);
}

/** The index just after the bracket that closes the one at `start`, skipping C# string and char literals. */
function expressionEnd(text: string, start: number): number {
  const close = text[start] === '(' ? ')' : '}';
  const openCh = text[start]!;
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'") {
      // A literal inside the expression: skip to its end (\-escapes).
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === '\\') i++;
      continue;
    }
    if (c === openCh) depth++;
    else if (c === close && --depth === 0) return i + 1;
  }
  return text.length;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  preserveOrder: true,
  trimValues: true,
  parseTagValue: false,
  parseAttributeValue: false,
});

/**
 * The parsed policy document of a resource (its inline XML, from policyXml): parsed once for all
 * the rules that read it (validation and parsing were a fifth of the rules' time on the corpora).
 * The elements are shared: callers only read them.
 */
export function resourcePolicy(resource: Resource, xml: string): readonly XmlElement[] {
  let parsed = parsedPolicies.get(resource);
  if (!parsed || parsed.xml !== xml) {
    try {
      parsed = { xml, elements: parsePolicy(xml) };
    } catch (err) {
      if (!(err instanceof PolicyXmlError)) throw err;
      parsed = { xml, error: err };
    }
    parsedPolicies.set(resource, parsed);
  }
  if ('error' in parsed) throw parsed.error;
  return parsed.elements;
}
const parsedPolicies = new WeakMap<Resource, { xml: string; elements: XmlElement[] } | { xml: string; error: PolicyXmlError }>();

/** Parses a policy document; a document that is not XML is a PolicyXmlError with line and column. */
export function parsePolicy(xml: string): XmlElement[] {
  const escaped = escapeExpressions(xml);
  // A document type declaration would let a template declare entities (expansion bombs), and
  // the parser throws plain errors on broken ones: refused before parsing.
  const doctype = /<!DOCTYPE/i.exec(escaped);
  if (doctype)
    throw new PolicyXmlError(
      `the policy XML has a document type declaration (<!DOCTYPE) at offset ${doctype.index}, which Tollgate does not read (policy documents have none; entities declared there could expand without bound)`,
    );
  const valid = XMLValidator.validate(escaped);
  if (valid !== true) throw new PolicyXmlError(`the policy XML is invalid at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`);
  try {
    return toElements(parser.parse(escaped) as unknown[]);
  } catch (err) {
    // What the validator let through and the parser still rejects is the document's problem.
    throw new PolicyXmlError(`the policy XML is invalid: ${(err as Error).message}`);
  }
}

function toElements(nodes: unknown[]): XmlElement[] {
  const out: XmlElement[] = [];
  for (const node of nodes) {
    const entries = Object.entries(node as Record<string, unknown>).filter(([k]) => k !== ':@' && k !== '#text');
    for (const [name, children] of entries) {
      const kids = Array.isArray(children) ? children : [];
      const text = kids
        .map((k) => (k as Record<string, unknown>)['#text'])
        .filter((t) => t !== undefined)
        .join('');
      out.push({ name, attributes: ((node as Record<string, unknown>)[':@'] ?? {}) as Record<string, string>, children: toElements(kids), text: String(text) });
    }
  }
  return out;
}

/** Every element named `name` (ignoring case) at any depth. */
export function findAll(elements: readonly XmlElement[], name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (list: readonly XmlElement[]) => {
    for (const e of list) {
      if (e.name.toLowerCase() === name.toLowerCase()) out.push(e);
      walk(e.children);
    }
  };
  walk(elements);
  return out;
}
