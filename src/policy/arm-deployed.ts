import type { Diagnostic } from '../load/diagnostic.js';
import { readJsonValueFirst, type JsonDocument } from '../load/json-document.js';
import type { Value } from '../resources/value.js';

/**
 * Policy files written for an ARM deployment. Libraries such as the Azure Landing Zones keep each
 * definition, initiative, assignment or exemption as the resource an ARM template deploys
 * (`type: Microsoft.Authorization/policyDefinitions`, `apiVersion`, `name`, `properties`), so the
 * policy language's own expressions are escaped for ARM: `"[[parameters('effect')]"`. ARM reads a
 * string that starts with `[[` as the literal string that starts with `[` (the documented escape of
 * template syntax), so what Azure stores, and then evaluates, is `"[parameters('effect')]"`. Read
 * as the policy file it is, the escaped text is a literal string, and every such definition fails
 * to compile or compares against the wrong value. These files are read as Azure has them after the
 * deployment: one level of `[[` removed from each string that ARM reads as escaped, with a note saying so.
 */
const POLICY_RESOURCE_TYPES = new Set([
  'microsoft.authorization/policydefinitions',
  'microsoft.authorization/policysetdefinitions',
  'microsoft.authorization/policyassignments',
  'microsoft.authorization/policyexemptions',
]);

/** Whether a file is a policy resource as an ARM template declares it: its type and an apiVersion at the top. */
export function isArmPolicyResource(json: unknown): boolean {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return false;
  const o = json as Record<string, unknown>;
  return typeof o['type'] === 'string' && POLICY_RESOURCE_TYPES.has(o['type'].toLowerCase()) && typeof o['apiVersion'] === 'string';
}

/**
 * ARM reads a string as an expression when it starts with `[` and ends with `]`; `[[` escapes the
 * first bracket of such a string. One that does not end with `]` is a literal as written
 * (learn.microsoft.com/azure/azure-resource-manager/templates/template-expressions#escape-characters).
 */
function isEscaped(text: string): boolean {
  return text.startsWith('[[') && text.endsWith(']');
}

/** The value with ARM's `[[` escape undone once at the start of every string (keys too: ARM reads them alike), and how many it changed. */
export function unescapeArmStrings(value: Value): { value: Value; changed: number } {
  let changed = 0;
  const walk = (v: Value): Value => {
    if (typeof v === 'string') {
      if (!isEscaped(v)) return v;
      changed++;
      return v.slice(1);
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      const out: Record<string, Value> = Object.create(null) as Record<string, Value>;
      for (const [k, child] of Object.entries(v)) {
        const key = isEscaped(k) ? (changed++, k.slice(1)) : k;
        out[key] = walk(child);
      }
      return out;
    }
    return v;
  };
  return { value: walk(value), changed };
}

/**
 * Reads a policy file (definition, initiative, assignment or exemption). One written as the
 * resource of an ARM deployment is read as Azure stores it after that deployment, with an `info`
 * note; any other is read as it is.
 */
export function readPolicyFile(abs: string, shown: string): { doc: JsonDocument; note?: Diagnostic } {
  const doc = readJsonValueFirst(abs, shown);
  if (!isArmPolicyResource(doc.value)) return { doc };
  const { value, changed } = unescapeArmStrings(doc.value as Value);
  if (changed === 0) return { doc };
  const deployed: JsonDocument = {
    file: doc.file,
    value,
    // Positions stay the file's own: an escaped string sits where its unescaped value is read from.
    get root() {
      return doc.root;
    },
  };
  return {
    doc: deployed,
    note: {
      severity: 'info',
      code: 'policy-arm-resource',
      message: `${shown} is a ${(doc.value as { type: string }).type} resource of an ARM template: read as Azure stores it after the deployment (ARM's [[ escape undone in ${changed} string${changed === 1 ? '' : 's'})`,
      file: shown,
    },
  };
}
