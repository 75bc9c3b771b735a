import type { FunctionDef, FunctionTable } from '../expression/context.js';
import { arrayFunctions } from './array.js';
import { cidrFunctions } from './cidr.js';
import { collectionFunctions } from './collection.js';
import { comparisonFunctions } from './comparison.js';
import { dateFunctions } from './date.js';
import { deploymentFunctions } from './deployment.js';
import { encodingFunctions } from './encoding.js';
import { lambdaFunctions } from './lambda.js';
import { logicalFunctions } from './logical.js';
import { numericFunctions } from './numeric.js';
import { objectFunctions } from './object.js';
import { listFunction, resourceFunctions } from './resource.js';
import { scopeFunctions } from './scope.js';
import { stringFunctions } from './string.js';
import { tollgateFunctions } from './tollgate.js';

/** Builds a table keyed by lower-case name; later definitions override earlier ones. */
export function functionTable(...groups: FunctionDef[][]): FunctionTable {
  const table = new Map<string, FunctionDef>();
  for (const group of groups) for (const def of group) table.set(def.name.toLowerCase(), def);
  return table;
}

// Any function whose name starts with `list` is a list operation on a resource (listKeys,
// listSecrets, listClusterAdminCredential, …): the evaluator falls back to the `list*` entry.
const LIST_FUNCTIONS = [listFunction('list*')];

/** Every template function Tollgate implements: the one library the expander and the policy engine share. */
export const ARM_FUNCTIONS: FunctionTable = functionTable(
  stringFunctions,
  logicalFunctions,
  comparisonFunctions,
  collectionFunctions,
  arrayFunctions,
  objectFunctions,
  numericFunctions,
  encodingFunctions,
  dateFunctions,
  cidrFunctions,
  lambdaFunctions,
  deploymentFunctions,
  resourceFunctions,
  scopeFunctions,
  LIST_FUNCTIONS,
  tollgateFunctions,
);
