import path from 'node:path';
import { ConfigError, configEffects, configSuppressions, findConfig, loadConfig, type TollgateConfig } from '../config/config.js';
import { checkRuleOptions, loadPlugins } from '../config/plugins.js';
import { loadRuleSet, type RuleSet, type ScanOptions } from '../scan.js';
import { loadPolicyInputs } from '../policy/policy-inputs.js';
import { NATIVE_RULES } from '../rules/index.js';
import type { Rule } from '../rules/rule.js';
import { Sandbox } from '../load/sandbox.js';
import type { DeploymentContext } from '../arm/expression/context.js';

/** What a scan needs from a configuration file, read once per file and reused for every edit. */
export interface ScanSettings {
  /** The configuration file, absolute; undefined when none was found. */
  configFile?: string;
  ruleSet: RuleSet;
  options: Omit<ScanOptions, 'paths' | 'cwd' | 'ruleSet'>;
  /** A configuration that could not be used: the scan runs with the defaults, and the editor is told where the problem is. */
  problem?: { message: string; line: number; column: number };
}

/**
 * The settings for files under `cwd` whose configuration is `configFile` (found the way `tollgate scan`
 * finds it: tollgate.yaml, .tollgate.yaml, … in the file's folder or a folder above). The mapping of the
 * configuration to scan options is the one `tollgate scan` makes without flags.
 */
export async function settingsFor(configFile: string | undefined, cwd: string): Promise<ScanSettings> {
  if (configFile === undefined) return { ruleSet: loadRuleSet(), options: {} };
  try {
    const confineTo = Sandbox.forPaths([cwd], { cwd, registryCache: false });
    const config = loadConfig(configFile, path.relative(cwd, configFile) || configFile, { confineTo });
    const plugins: readonly Rule[] = config.plugins?.length ? await loadPlugins(config, NATIVE_RULES) : [];
    checkRuleOptions(config, [...NATIVE_RULES, ...plugins]);
    return { configFile, ...fromConfig(config, cwd, plugins) };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { configFile, ruleSet: loadRuleSet(), options: {}, problem: problemAt(err.message) };
  }
}

/** The configuration file that applies to a file: the nearest one at or above its folder. */
export function configFileFor(absPath: string): string | undefined {
  return findConfig(absPath);
}

function fromConfig(config: TollgateConfig, cwd: string, plugins: readonly Rule[]): Pick<ScanSettings, 'ruleSet' | 'options'> {
  const spec = {
    policies: config.policy?.definitions ?? [],
    initiatives: config.policy?.initiatives ?? [],
    assignments: config.policy?.assignments ?? [],
    exemptions: config.policy?.exemptions ?? [],
  };
  const anyPolicy = Object.values(spec).some((l) => l.length > 0);
  const ruleSet = loadRuleSet(configEffects(config), config.rules ?? {}, {
    plugins,
    ...(anyPolicy ? { policies: loadPolicyInputs(spec, cwd) } : {}),
    ...(config.defaultRules ? { defaults: config.defaultRules } : {}),
  });
  if (ruleSet.effectErrors.length) throw new ConfigError(`${config.origin?.file ?? 'configuration'}: ${ruleSet.effectErrors.join('; ')}`);
  const { environment, now, ...deployment } = config.deployment ?? {};
  const context: Partial<DeploymentContext> = { ...deployment };
  if (environment) context.environment = environment;
  if (now !== undefined && Number.isNaN(Date.parse(now)))
    // As `tollgate scan` says it (src/cli/deployment-options.ts), at the configuration file.
    throw new ConfigError(
      `${config.origin?.file ?? 'configuration'}: the deployment clock (deployment.now) must be an ISO 8601 time such as 2026-01-31T12:00:00Z, not '${now}'`,
    );
  if (now !== undefined) context.now = new Date(now).toISOString();
  return {
    ruleSet,
    options: {
      exclude: config.exclude ?? [],
      include: config.include ?? [],
      links: config.links,
      parameterDefaults: config.parameters,
      suppressions: configSuppressions(config),
      deployment: context,
      env: { ...config.env },
      ...(config.bicep?.moduleCache !== undefined && { bicepModuleCache: config.bicep.moduleCache }),
    },
  };
}

/** `file:line:column: message` (how ConfigError says where) -> the position, for a diagnostic in the configuration file. */
function problemAt(message: string): ScanSettings['problem'] {
  const m = /^.*?:(\d+):(\d+): (.*)$/s.exec(message);
  return m ? { message: m[3]!, line: Number(m[1]), column: Number(m[2]) } : { message, line: 1, column: 1 };
}
