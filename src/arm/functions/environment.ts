import { FunctionError } from '../expression/evaluator.js';
import type { ObjectValue } from '../../resources/value.js';

interface Cloud {
  name: string;
  portal: string;
  resourceManager: string;
  /** The classic management audience, listed first in `authentication.audiences`. */
  managementCore: string;
  login: string;
  graph: string;
  acr: string;
  keyvault: string;
  sql: string;
  storage: string;
  frontDoor: string;
}

// Public endpoint facts from Microsoft's `environment()` documentation and `az cloud show`.
const CLOUDS: Cloud[] = [
  {
    name: 'AzureCloud',
    portal: 'https://portal.azure.com',
    resourceManager: 'https://management.azure.com/',
    managementCore: 'https://management.core.windows.net/',
    login: 'https://login.microsoftonline.com/',
    graph: 'https://graph.windows.net/',
    acr: '.azurecr.io',
    keyvault: '.vault.azure.net',
    sql: '.database.windows.net',
    storage: 'core.windows.net',
    frontDoor: 'azurefd.net',
  },
  {
    name: 'AzureUSGovernment',
    portal: 'https://portal.azure.us',
    resourceManager: 'https://management.usgovcloudapi.net/',
    managementCore: 'https://management.core.usgovcloudapi.net/',
    login: 'https://login.microsoftonline.us/',
    graph: 'https://graph.windows.net/',
    acr: '.azurecr.us',
    keyvault: '.vault.usgovcloudapi.net',
    sql: '.database.usgovcloudapi.net',
    storage: 'core.usgovcloudapi.net',
    frontDoor: 'azurefd.us',
  },
  {
    name: 'AzureChinaCloud',
    portal: 'https://portal.azure.cn',
    resourceManager: 'https://management.chinacloudapi.cn/',
    managementCore: 'https://management.core.chinacloudapi.cn/',
    login: 'https://login.chinacloudapi.cn/',
    graph: 'https://graph.chinacloudapi.cn/',
    acr: '.azurecr.cn',
    keyvault: '.vault.azure.cn',
    sql: '.database.chinacloudapi.cn',
    storage: 'core.chinacloudapi.cn',
    frontDoor: 'azurefd.cn',
  },
];

export const CLOUD_NAMES = CLOUDS.map((c) => c.name);

/** The `environment()` object of a cloud, in the shape ARM returns. */
export function cloudEnvironment(name: string): ObjectValue {
  const c = CLOUDS.find((x) => x.name.toLowerCase() === name.toLowerCase());
  if (!c) throw new FunctionError(`unknown cloud '${name}' (known: ${CLOUD_NAMES.join(', ')})`);
  return {
    name: c.name,
    portal: c.portal,
    resourceManager: c.resourceManager,
    graph: c.graph,
    graphAudience: c.graph,
    authentication: { loginEndpoint: c.login, audiences: [c.managementCore, c.resourceManager], tenant: 'common', identityProvider: 'AAD' },
    suffixes: { acrLoginServer: c.acr, keyvaultDns: c.keyvault, sqlServerHostname: c.sql, storage: c.storage, azureFrontDoorEndpointSuffix: c.frontDoor },
  };
}
