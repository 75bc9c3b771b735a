import path from 'node:path';
import { DEFAULT_DEPLOYMENT } from '../../arm/expression/context.js';
import { evaluateBicepParamValues, expandTemplate } from '../../arm/template/expand.js';
import { classify } from '../../input/classify.js';
import { linkedFileLoader, remoteLinkResolver } from '../../input/linked-files.js';
import { ConfigError, type TollgateConfig } from '../../config/config.js';
import { readConfig } from '../read-config.js';
import { Sandbox } from '../../load/sandbox.js';
import type { Diagnostic } from '../../load/diagnostic.js';
import type { JsonDocument } from '../../load/json-document.js';
import { formatLocation } from '../../load/format-location.js';
import { deploymentFromFlags, environmentFromFlags, type DeploymentFlags } from '../deployment-options.js';
import { EXIT } from '../exit-code.js';
import { visible } from '../../report/visible.js';
import { isDirectory } from '../../load/file-kind.js';
import { writeOrSay } from '../write-output.js';
import { fail, ok, type Result } from '../../result.js';

export interface ExpandFlags extends DeploymentFlags {
  parameters?: string;
  output?: string;
  /** A file, `false` for --no-config, undefined to look for one (as `scan` does). */
  config?: string | false;
}

/**
 * `tollgate expand`: what the template deploys, as JSON: every resource (nested and linked
 * deployments expanded) with its id, where it is declared and its evaluated body, and the
 * template's outputs. Unknown values print as `<unknown: why>`.
 */
export function runExpand(templatePath: string, flags: ExpandFlags): number {
  const cwd = process.cwd();
  // The configuration `scan` would use for this template: its deployment, env, links and Bicep
  // module mirror apply here too (flags win), so expand shows what scan checks.
  let config: TollgateConfig;
  try {
    config = readConfig([templatePath], flags.config, cwd, flags.parameters ? [flags.parameters] : []);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`tollgate: ${err.message}\n`);
    return EXIT.usage;
  }
  const configured = deploymentFromFlags({ ...config.deployment, cloud: config.deployment?.environment });
  if (!configured.ok) {
    process.stderr.write(`tollgate: ${configured.error}\n`);
    return EXIT.usage;
  }
  const deploymentRead = deploymentFromFlags(flags);
  if (!deploymentRead.ok) {
    process.stderr.write(`tollgate: ${deploymentRead.error}\n`);
    return EXIT.usage;
  }
  const deployment = { ...configured.value, ...deploymentRead.value };
  if (flags.output !== undefined && isDirectory(flags.output)) {
    process.stderr.write(`tollgate: cannot write ${flags.output}: is a directory\n`);
    return EXIT.usage;
  }
  const environmentRead = environmentFromFlags(flags.env);
  if (!environmentRead.ok) {
    process.stderr.write(`tollgate: ${environmentRead.error}\n`);
    return EXIT.usage;
  }
  const environment = { ...config.env, ...environmentRead.value };
  // What the template reads (linked templates, modules, load*()) stays inside the sandbox its path
  // and the parameter file's make, as in `scan`.
  const sandbox = Sandbox.forPaths([templatePath, ...(flags.parameters ? [flags.parameters] : [])], {
    cwd,
    environment,
    ...(config.bicep?.moduleCache !== undefined && { moduleMirror: config.bicep.moduleCache }),
  });
  // Problems found while reading (Bicep lowering: a load*() refused by the sandbox) are reported with the expansion's.
  const loading: Diagnostic[] = [];
  const templateRead = readAs(templatePath, 'template', cwd, sandbox, loading);
  if (!templateRead.ok) return templateRead.error;
  const template = templateRead.value;
  const parameterRead = flags.parameters ? readAs(flags.parameters, 'parameters', cwd, sandbox, loading) : undefined;
  if (parameterRead && !parameterRead.ok) return parameterRead.error;
  const parameterDoc = parameterRead?.value;

  const context = { ...DEFAULT_DEPLOYMENT, ...deployment };
  const loadLinked = linkedFileLoader(sandbox, cwd);
  const expansion = expandTemplate(template, parameterDoc, { deployment: context, loadLinked, resolveRemoteLink: remoteLinkResolver(config.links) });
  const diagnostics = [...loading, ...expansion.diagnostics];
  // Visible: file names and messages quote the template (an ESC there would act on the terminal).
  for (const d of diagnostics) process.stderr.write(visible(`${formatLocation(d)}: ${d.severity}: ${d.message} [${d.code}]`, 'lf') + '\n');
  const out = {
    template: template.file.path,
    ...(parameterDoc && { parameters: parameterDoc.file.path }),
    deployment: context,
    resources: expansion.resources.map((r) => ({
      id: r.id,
      type: r.type,
      name: r.name,
      ...(r.apiVersion && { apiVersion: r.apiVersion }),
      declaredAt: formatLocation({ location: r.source.location }),
      ...(r.conditionUnknown && { conditionUnknown: r.conditionUnknown }),
      body: r.body,
    })),
    outputs: expansion.outputs(),
  };
  const text = JSON.stringify(out, maskSecrets(expansion.secrets), 2) + '\n';
  if (flags.output) {
    if (!writeOrSay(flags.output, text)) return EXIT.inputErrors;
  } else process.stdout.write(text);
  return diagnostics.some((d) => d.severity === 'error') ? EXIT.inputErrors : EXIT.ok;
}

function readAs(file: string, kind: 'template' | 'parameters', cwd: string, sandbox: Sandbox, diagnostics: Diagnostic[]): Result<JsonDocument, number> {
  const c = classify({ absPath: path.resolve(cwd, file), explicit: true }, cwd, sandbox, evaluateBicepParamValues);
  if (c.ok && c.file.kind === kind) {
    diagnostics.push(...(c.file.diagnostics ?? []));
    return ok(c.file.document);
  }
  const why = !c.ok && !c.skipped ? c.diagnostic : { message: kind === 'template' ? 'not an ARM template' : 'not a parameter file', file };
  process.stderr.write(visible(`${formatLocation(why)}: error: ${why.message}`, 'lf') + '\n');
  return fail(EXIT.inputErrors);
}

/** A JSON replacer that prints `<secret>` for values of secure parameters, also inside longer strings. */
function maskSecrets(secrets: ReadonlySet<string>): ((key: string, value: unknown) => unknown) | undefined {
  if (!secrets.size) return undefined;
  const list = [...secrets].sort((a, b) => b.length - a.length);
  return (_key, value) => (typeof value === 'string' ? list.reduce((text, secret) => text.split(secret).join('<secret>'), value) : value);
}
