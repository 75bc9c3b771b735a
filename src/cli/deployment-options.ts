import { Option, type Command } from 'commander';
import { DEFAULT_DEPLOYMENT, type DeploymentContext } from '../arm/expression/context.js';
import { CLOUD_NAMES } from '../arm/functions/environment.js';
import { fail, ok, type Result } from '../result.js';

/** The deployment-context flags, shared by `scan` and `expand`. */
export interface DeploymentFlags {
  subscriptionId?: string;
  resourceGroup?: string;
  location?: string;
  tenantId?: string;
  managementGroup?: string;
  cloud?: string;
  deploymentName?: string;
  now?: string;
  /** `NAME=VALUE` for Bicep's readEnvironmentVariable() (repeatable). */
  env?: string[];
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function addDeploymentOptions(cmd: Command): Command {
  const d = DEFAULT_DEPLOYMENT;
  return cmd
    .option('--subscription-id <id>', `deployment subscription id (default ${d.subscriptionId}; config: deployment.subscriptionId)`)
    .option('--resource-group <name>', `deployment resource group name (default ${d.resourceGroup}; config: deployment.resourceGroup)`)
    .option('--location <location>', `resource group location (default ${d.location}; config: deployment.location)`)
    .option('--tenant-id <id>', `tenant id (default ${d.tenantId}; config: deployment.tenantId)`)
    .option(
      '--management-group <id>',
      `management group for managementGroup() and management-group templates (default ${d.managementGroup}; config: deployment.managementGroup)`,
    )
    .addOption(new Option('--cloud <name>', `cloud for environment() (default ${d.environment}; config: deployment.environment)`).choices(CLOUD_NAMES))
    .option('--deployment-name <name>', `deployment().name (default ${d.deploymentName}; config: deployment.deploymentName)`)
    .option('--now <time>', 'deployment clock for utcNow(), ISO 8601 (default: none, utcNow() is unknown; config: deployment.now)')
    .option(
      '--env <name=value>',
      "value of an environment variable for Bicep's readEnvironmentVariable() (repeatable; config: env). The real environment is never read: a variable not given is unknown",
      collect,
    );
}

/**
 * `--env NAME=VALUE` entries as a map (the first '=' splits, so values may contain '='); a
 * malformed entry is a usage error.
 */
export function environmentFromFlags(entries: readonly string[] = []): Result<Record<string, string>> {
  // No prototype: a variable named __proto__ stays data.
  const out = Object.create(null) as Record<string, string>;
  for (const e of entries) {
    const i = e.indexOf('=');
    if (i <= 0) return fail(`--env expects NAME=VALUE, got '${e}'`);
    out[e.slice(0, i)] = e.slice(i + 1);
  }
  return ok(out);
}

/** The flags that were given, as deployment-context fields (flags win over the config file). */
export function deploymentFromFlags(flags: DeploymentFlags): Result<Partial<DeploymentContext>> {
  if (flags.now !== undefined && Number.isNaN(Date.parse(flags.now)))
    return fail(`the deployment clock (--now, deployment.now) must be an ISO 8601 time such as 2026-01-31T12:00:00Z, not '${flags.now}'`);
  const out: Partial<DeploymentContext> = {};
  if (flags.subscriptionId) out.subscriptionId = flags.subscriptionId;
  if (flags.resourceGroup) out.resourceGroup = flags.resourceGroup;
  if (flags.location) out.location = flags.location;
  if (flags.tenantId) out.tenantId = flags.tenantId;
  if (flags.managementGroup) out.managementGroup = flags.managementGroup;
  if (flags.cloud) out.environment = flags.cloud;
  if (flags.deploymentName) out.deploymentName = flags.deploymentName;
  if (flags.now) out.now = new Date(flags.now).toISOString();
  return ok(out);
}
