import type { Diagnostic } from '../../load/diagnostic.js';
import type { JsonDocument } from '../../load/json-document.js';
import type { Resource } from '../../resources/resource.js';
import type { ObjectValue, Value } from '../../resources/value.js';
import type { DeploymentContext, FunctionTable } from '../expression/context.js';
import { DEFAULT_DEPLOYMENT } from '../expression/context.js';
export { DEFAULT_DEPLOYMENT };
import { ARM_FUNCTIONS } from '../functions/index.js';
import { DeploymentExpansion } from './deployment-expansion.js';
import type { ExpansionRun, LinkedLoader, RemoteLinkResolver } from './expansion-run.js';
import { checkParameterFile } from './parameter-file.js';
import type { NotFollowed } from './not-followed.js';
import { templateLinkOf } from './nested-deployment.js';
import { TemplateScope } from './template-scope.js';
import { Budget, LimitExceeded, TOO_DEEP, type BudgetLimits } from '../expression/budget.js';
import { DEFAULT_UNIT_TIMEOUT_SECONDS, MAX_UNIT_BUILT, MAX_UNIT_DEPLOYMENTS, MAX_UNIT_RESOURCES, MAX_UNIT_STEPS } from './limits.js';
export { MAX_COPY_COUNT } from './limits.js';

export interface ExpandOptions {
  deployment: DeploymentContext;
  functions?: FunctionTable;
  /** Reads linked templates (`templateLink.relativePath`); without it they stay unexpanded, with a note. */
  loadLinked?: LinkedLoader;
  /** Maps an absolute link URL to a file under the scan root (the configuration's `links:`); without it remote links stay unread. */
  resolveRemoteLink?: RemoteLinkResolver;
  /** Values for parameters that have no value and no default (from the configuration). */
  parameterDefaults?: Readonly<Record<string, Value>>;
  /** Overrides of the per-unit limits (tests; `timeoutMs` from `--unit-timeout`). */
  limits?: Partial<BudgetLimits>;
}

/** The per-unit limits when none are given. */
export const DEFAULT_LIMITS: BudgetLimits = {
  steps: MAX_UNIT_STEPS,
  built: MAX_UNIT_BUILT,
  resources: MAX_UNIT_RESOURCES,
  deployments: MAX_UNIT_DEPLOYMENTS,
  timeoutMs: DEFAULT_UNIT_TIMEOUT_SECONDS * 1000,
};

export interface Expansion {
  resources: Resource[];
  diagnostics: Diagnostic[];
  /** The template's outputs, evaluated on demand (`tollgate expand` shows them). */
  outputs(): ObjectValue;
  /** Values of secure parameters, to be masked wherever values are printed. */
  secrets: ReadonlySet<string>;
  /** Nested deployments and modules not followed, and why (their resources are not checked). */
  notFollowed: NotFollowed[];
}

/**
 * Expands a template (with at most one parameter file) into the resources it deploys, nested
 * and linked deployments included, the way Azure Resource Manager would.
 */
export function expandTemplate(template: JsonDocument, parameterFile: JsonDocument | undefined, options: ExpandOptions): Expansion {
  const run: ExpansionRun = {
    diagnostics: [],
    resources: [],
    functions: options.functions ?? ARM_FUNCTIONS,
    loadLinked: options.loadLinked,
    resolveRemoteLink: options.resolveRemoteLink,
    notFollowed: [],
  };
  const fallback = options.parameterDefaults ? new Map(Object.entries(options.parameterDefaults).map(([k, v]) => [k.toLowerCase(), v])) : undefined;
  const budget = new Budget({ ...DEFAULT_LIMITS, ...options.limits });
  const deployment = { ...options.deployment, templateLink: options.deployment.templateLink ?? templateLinkOf(template) };
  const scope = new TemplateScope(template, template.root, { file: parameterFile, fallback }, run.functions, deployment, run.diagnostics, undefined, budget);
  let top: DeploymentExpansion | undefined;
  guarded(run.diagnostics, template, () => {
    checkParameterFile(scope);
    top = new DeploymentExpansion(scope, template.root, run, 0, new Map(), true);
    top.expand();
  });
  budget.finish();
  const outputs = (): ObjectValue => {
    let out: ObjectValue = {};
    // A limit hit here was already reported if the expansion hit it; otherwise it is news.
    guarded(budget.exhausted ? [] : run.diagnostics, template, () => {
      if (top) out = top.outputs();
    });
    return out;
  };
  // What was produced before a limit stopped the unit is kept: those resources are complete.
  return { resources: run.resources, diagnostics: run.diagnostics, outputs, secrets: scope.secrets, notFollowed: run.notFollowed ?? [] };
}

/**
 * Runs a unit's expansion so that a limit ends it with one diagnostic instead of an exception.
 * A stack overflow is caught too, as a last resort: the depth limits are meant to prevent it,
 * and if one is missed the unit must still end with a diagnostic, not take the scan with it.
 */
function guarded(diagnostics: Diagnostic[], template: JsonDocument, run: () => void): void {
  try {
    run();
  } catch (err) {
    if (err instanceof LimitExceeded) {
      diagnostics.push({
        severity: 'error',
        code: `limit-${err.kind}`,
        message: `${err.message}; the expansion of this template stopped here`,
        file: err.file ?? template.file.path,
        location: err.location,
      });
      return;
    }
    if (err instanceof RangeError && /call stack/i.test(err.message)) {
      diagnostics.push({ severity: 'error', code: 'limit-depth', message: `${TOO_DEEP}; the expansion of this template stopped`, file: template.file.path });
      return;
    }
    throw err;
  }
}

/**
 * The computed values of a `.bicepparam` file (vars, interpolation, functions, imports), lowered
 * to a template whose outputs are the values: discovery reads the file, this stage evaluates it.
 */
export function evaluateBicepParamValues(template: JsonDocument): { outputs: Record<string, unknown>; diagnostics: Diagnostic[] } {
  const expansion = expandTemplate(template, undefined, { deployment: DEFAULT_DEPLOYMENT });
  return { outputs: expansion.outputs() as Record<string, unknown>, diagnostics: expansion.diagnostics };
}
