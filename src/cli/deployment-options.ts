import { Option, type Command } from 'commander';
import { DEFAULT_DEPLOYMENT, type DeploymentContext } from '../arm/expression/context.js';
import { CLOUD_NAMES } from '../arm/functions/environment.js';

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
}

export function addDeploymentOptions(cmd: Command): Command {
  const d = DEFAULT_DEPLOYMENT;
  return cmd
    .option('--subscription-id <id>', `deployment subscription id (default ${d.subscriptionId}; config: deployment.subscriptionId)`)
    .option('--resource-group <name>', `deployment resource group name (default ${d.resourceGroup}; config: deployment.resourceGroup)`)
    .option('--location <location>', `resource group location (default ${d.location}; config: deployment.location)`)
    .option('--tenant-id <id>', `tenant id (default ${d.tenantId}; config: deployment.tenantId)`)
    .option('--management-group <id>', `management group for managementGroup() and management-group templates (default ${d.managementGroup}; config: deployment.managementGroup)`)
    .addOption(new Option('--cloud <name>', `cloud for environment() (default ${d.environment}; config: deployment.environment)`).choices(CLOUD_NAMES))
    .option('--deployment-name <name>', `deployment().name (default ${d.deploymentName}; config: deployment.deploymentName)`)
    .option('--now <time>', 'deployment clock for utcNow(), ISO 8601 (default: none, utcNow() is unknown; config: deployment.now)');
}

/** The flags that were given, as deployment-context fields (flags win over the config file). */
export function deploymentFromFlags(flags: DeploymentFlags): Partial<DeploymentContext> | string {
  if (flags.now !== undefined && Number.isNaN(Date.parse(flags.now))) return `the deployment clock (--now, deployment.now) must be an ISO 8601 time such as 2026-01-31T12:00:00Z, not '${flags.now}'`;
  const out: Partial<DeploymentContext> = {};
  if (flags.subscriptionId) out.subscriptionId = flags.subscriptionId;
  if (flags.resourceGroup) out.resourceGroup = flags.resourceGroup;
  if (flags.location) out.location = flags.location;
  if (flags.tenantId) out.tenantId = flags.tenantId;
  if (flags.managementGroup) out.managementGroup = flags.managementGroup;
  if (flags.cloud) out.environment = flags.cloud;
  if (flags.deploymentName) out.deploymentName = flags.deploymentName;
  if (flags.now) out.now = new Date(flags.now).toISOString();
  return out;
}
