/**
 * The three inputs the rule tester makes from one case: an ARM template, a Bicep file and an
 * export (the ARM GET shape). Each is written the way a user would write it, so the real scan
 * pipeline (discover, load, expand, evaluate) runs on it.
 */

export type Shape = 'arm' | 'bicep' | 'export';
export const SHAPES: readonly Shape[] = ['arm', 'bicep', 'export'];

/** A resource as written in an ARM template: type, apiVersion, name, and any other top-level key (location, sku, properties, …). */
export interface ResourceInput {
  type: string;
  apiVersion: string;
  name: string;
  properties?: unknown;
  [key: string]: unknown;
}

const TEMPLATE_SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
const SUBSCRIPTION = '00000000-0000-0000-0000-000000000000';
const RESOURCE_GROUP = 'rg-tollgate-test';

/** Keys of a template resource that are deployment instructions, not part of the resource's body. */
const TEMPLATE_ONLY = new Set(['condition', 'copy', 'dependsOn', 'comments', 'scope', 'existing', 'import']);

export function armTemplate(resources: readonly ResourceInput[], parameters?: Readonly<Record<string, unknown>>): string {
  return JSON.stringify({ $schema: TEMPLATE_SCHEMA, contentVersion: '1.0.0.0', ...(parameters ? { parameters } : {}), resources }, null, 2) + '\n';
}

/** Why a case cannot be written in Bicep or as an export: ARM expressions, deployment keys. Undefined when it can. */
export function notPortable(resources: readonly ResourceInput[], shape: 'bicep' | 'export'): string | undefined {
  for (const r of resources) {
    const instruction = Object.keys(r).find((k) => TEMPLATE_ONLY.has(k));
    if (instruction) return `resource '${r.name}' uses '${instruction}', which only an ARM template has (${ownText(shape)})`;
    const expression = findExpression(r);
    if (expression !== undefined) return `resource '${r.name}' holds the ARM expression ${JSON.stringify(expression)} (${ownText(shape)})`;
    if (shape === 'bicep') {
      const fraction = findFraction(r);
      if (fraction !== undefined) return `resource '${r.name}' holds the number ${fraction}, which Bicep writes only with json('…')`;
    }
  }
  return undefined;
}

function ownText(shape: 'bicep' | 'export'): string {
  return `give the case its own ${shape === 'bicep' ? 'bicep text' : 'export'} to test it`;
}

function findExpression(v: unknown): string | undefined {
  if (typeof v === 'string') return /^\[[^[][\s\S]*\]$/.test(v.trim()) ? v : undefined;
  if (Array.isArray(v))
    for (const x of v) {
      const e = findExpression(x);
      if (e !== undefined) return e;
    }
  else if (v && typeof v === 'object')
    for (const x of Object.values(v)) {
      const e = findExpression(x);
      if (e !== undefined) return e;
    }
  return undefined;
}

function findFraction(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? undefined : v;
  if (Array.isArray(v))
    for (const x of v) {
      const f = findFraction(x);
      if (f !== undefined) return f;
    }
  else if (v && typeof v === 'object')
    for (const x of Object.values(v)) {
      const f = findFraction(x);
      if (f !== undefined) return f;
    }
  return undefined;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function bicepString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t').replace(/\$\{/g, '\\${')}'`;
}

function bicepValue(v: unknown, indent: string): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return bicepString(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const inner = `${indent}  `;
  if (Array.isArray(v)) return v.length ? `[\n${v.map((x) => `${inner}${bicepValue(x, inner)}\n`).join('')}${indent}]` : '[]';
  const entries = Object.entries(v as Record<string, unknown>);
  if (!entries.length) return '{}';
  return `{\n${entries.map(([k, x]) => `${inner}${IDENTIFIER.test(k) ? k : bicepString(k)}: ${bicepValue(x, inner)}\n`).join('')}${indent}}`;
}

/** The resources as a Bicep file: one `resource` declaration each, with the same keys and values. */
export function bicepFile(resources: readonly ResourceInput[]): string {
  return resources
    .map((r, i) => {
      const { type, apiVersion, ...body } = r;
      return `resource r${i} '${type}@${apiVersion}' = ${bicepValue(body, '')}\n`;
    })
    .join('\n');
}

/** The resources as `GET` returns them: a full id, the leaf name, and the body. */
export function exportFile(resources: readonly ResourceInput[]): string {
  const list = resources.map((r) => {
    const { type, name, ...body } = r;
    const types = type.split('/');
    const names = name.split('/');
    const segments = [`${types[0]}/${types[1]}/${names[0]}`];
    for (let i = 2; i < types.length; i++) segments.push(`${types[i]}/${names[i - 1] ?? ''}`);
    return {
      id: `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RESOURCE_GROUP}/providers/${segments.join('/')}`,
      name: names[names.length - 1],
      type,
      ...body,
    };
  });
  return JSON.stringify(list, null, 2) + '\n';
}
