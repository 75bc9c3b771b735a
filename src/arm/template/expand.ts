import type { Diagnostic } from '../../load/diagnostic.js';
import type { JsonDocument } from '../../load/json-document.js';
import type { Resource } from '../../resources/resource.js';
import type { ObjectValue, Value } from '../../resources/value.js';
import type { DeploymentContext, FunctionTable } from '../expression/context.js';
export { DEFAULT_DEPLOYMENT } from '../expression/context.js';
import { ARM_FUNCTIONS } from '../functions/index.js';
import { DeploymentExpansion, type ExpansionRun, type LinkedLoader } from './deployment-expansion.js';
import { checkParameterFile } from './parameter-file.js';
import { TemplateScope } from './template-scope.js';
export { MAX_COPY_COUNT } from './limits.js';

export interface ExpandOptions {
  deployment: DeploymentContext;
  functions?: FunctionTable;
  /** Reads linked templates (`templateLink.relativePath`); without it they stay unexpanded, with a note. */
  loadLinked?: LinkedLoader;
  /** Values for parameters that have no value and no default (from the configuration). */
  parameterDefaults?: Readonly<Record<string, Value>>;
}

export interface Expansion {
  resources: Resource[];
  diagnostics: Diagnostic[];
  /** The template's outputs, evaluated on demand (`tollgate expand` shows them). */
  outputs(): ObjectValue;
  /** Values of secure parameters, to be masked wherever values are printed. */
  secrets: ReadonlySet<string>;
}

/**
 * Expands a template (with at most one parameter file) into the resources it deploys, nested
 * and linked deployments included, the way Azure Resource Manager would.
 */
export function expandTemplate(template: JsonDocument, parameterFile: JsonDocument | undefined, options: ExpandOptions): Expansion {
  const run: ExpansionRun = { diagnostics: [], resources: [], functions: options.functions ?? ARM_FUNCTIONS, loadLinked: options.loadLinked };
  const fallback = options.parameterDefaults ? new Map(Object.entries(options.parameterDefaults).map(([k, v]) => [k.toLowerCase(), v])) : undefined;
  const scope = new TemplateScope(template, template.root, { file: parameterFile, fallback }, run.functions, options.deployment, run.diagnostics);
  checkParameterFile(scope);
  const top = new DeploymentExpansion(scope, template.root, run, 0, new Map(), true);
  top.expand();
  return { resources: run.resources, diagnostics: run.diagnostics, outputs: () => top.outputs(), secrets: scope.secrets };
}
