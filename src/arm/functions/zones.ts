/**
 * Regions with availability zones (normalised names: lower case, no spaces). Every such region
 * has zones 1, 2 and 3. A region not listed has none, and `pickZones` returns `[]` for it.
 * Source: Microsoft's list of Azure regions with availability zone support (facts, 2026).
 */
const ZONE_REGIONS = new Set(
  (
    'australiaeast brazilsouth canadacentral centralindia centralus chinanorth3 eastasia eastus eastus2 francecentral germanywestcentral ' +
    'israelcentral italynorth japaneast japanwest koreacentral mexicocentral newzealandnorth northeurope norwayeast polandcentral qatarcentral ' +
    'southafricanorth southcentralus southeastasia spaincentral swedencentral switzerlandnorth uaenorth uksouth usgovvirginia westeurope westus2 westus3'
  ).split(' '),
);

export function normaliseLocation(location: string): string {
  return location.replace(/\s+/g, '').toLowerCase();
}

export function zonesFor(location: string): string[] {
  return ZONE_REGIONS.has(normaliseLocation(location)) ? ['1', '2', '3'] : [];
}
