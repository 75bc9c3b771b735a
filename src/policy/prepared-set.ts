import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { packageRoot, packageVersion } from '../package-root.js';
import type { DefaultCatalog, RuleRecipe } from './catalog.js';
import { listDefinitions } from './catalog.js';

import type { Initiative, InitiativeGroup } from './initiative.js';
import { deferredPolicyRule } from './policy-rule.js';

// The default rule set, prepared at build time (scripts/prepare-default-set.mjs): a scan without
// configuration used to read ~50 catalog files, decompress two built-in shelves (740 KB) and parse
// 250 definitions and a 370 KB initiative at every start, about 25 ms of `tollgate scan` on a small
// repository. The prepared file holds what that load made (each rule's definition and options,
// the diagnostics, the initiatives, the references skipped) as one JSON document; the rules are
// made again from it by the same deferredPolicyRule, so they are the same rules. A test compares
// the two loads.
//
// It is a build product, as dist/ is: `npm run build` makes it again. So that an edit to the
// shipped files without a build is not hidden, it records the size of every file the load read,
// and a file of another size (or a version of Tollgate other than its own) sends the load back to
// the files.

const FORMAT = 1;
const FILE = path.join('dist', 'default-set.json');

interface Prepared {
  format: number;
  version: string;
  /** Package-relative path and size of each file the load read. */
  files: [string, number][];
  recipes: RuleRecipe[];
  diagnostics: DefaultCatalog['diagnostics'];
  initiatives: (Omit<Initiative, 'groups'> & { groups: [string, InitiativeGroup][] })[];
  skipped: DefaultCatalog['skipped'];
}

/** The files the default set is made from, package-relative (see DEFAULT_INITIATIVES: the benchmark's file). */
function sourceFiles(root: string): string[] {
  const policies = listDefinitions(path.join(root, 'catalog', 'policies')).flatMap((f) => [f, f.replace(/\.json$/i, '.tollgate.json')]);
  return [
    ...policies.map((f) => path.relative(root, f).split(path.sep).join('/')),
    'catalog/initiatives/AzureSecurityCenter.json',
    'catalog/builtin/definitions-default.ndjson.br',
    'catalog/builtin/definitions-older-default.ndjson.br',
  ];
}

function sizeOf(root: string, rel: string): number {
  try {
    return statSync(path.join(root, rel)).size;
  } catch {
    return -1;
  }
}

/** The prepared default set as JSON text, from a catalog computed from the files (every rule made by deferredPolicyRule). */
export function preparedJson(catalog: DefaultCatalog): string {
  const recipes = catalog.made ?? [];
  if (recipes.length !== catalog.rules.length || recipes.some((r) => r === undefined))
    throw new Error('the default set has rules not made by deferredPolicyRule: it cannot be prepared');
  const prepared: Prepared = {
    format: FORMAT,
    version: packageVersion(),
    files: sourceFiles(packageRoot()).map((f) => [f, sizeOf(packageRoot(), f)]),
    recipes: recipes as RuleRecipe[],
    diagnostics: catalog.diagnostics,
    initiatives: catalog.initiatives.map((i) => ({ ...i, groups: [...i.groups] })),
    skipped: catalog.skipped,
  };
  return JSON.stringify(prepared);
}

/**
 * The default set from the prepared file; undefined when there is none, or it does not match the
 * files or this version. `root`: the package (a test's copy).
 */
export function preparedDefaultPolicies(root = packageRoot()): DefaultCatalog | undefined {
  let prepared: Prepared;
  try {
    prepared = JSON.parse(readFileSync(path.join(root, FILE), 'utf8')) as Prepared;
  } catch {
    return undefined;
  }
  if (prepared.format !== FORMAT || prepared.version !== packageVersion()) return undefined;
  const files = sourceFiles(root);
  if (files.length !== prepared.files.length || prepared.files.some(([f, size], i) => f !== files[i] || sizeOf(root, f) !== size)) return undefined;
  return {
    rules: prepared.recipes.map((r) => deferredPolicyRule(r.definition, r.options)),
    definitions: prepared.recipes.map((r) => r.definition),
    diagnostics: prepared.diagnostics,
    unmatchedEffects: [],
    rejectedEffects: [],
    initiatives: prepared.initiatives.map((i) => ({ ...i, groups: new Map(i.groups) })),
    skipped: prepared.skipped,
  };
}
