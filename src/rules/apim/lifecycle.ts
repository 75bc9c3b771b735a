import { readFileSync } from 'node:fs';
import path from 'node:path';
import { normaliseLocation } from '../../arm/functions/zones.js';
import { packageRoot } from '../../package-root.js';

export const PSRULE = 'https://azure.github.io/PSRule.Rules.Azure/en/rules/';

export const DAY = 86_400_000;

/** `2021-08-01-preview` -> a comparable date; undefined when it is not an API version. */
export function apiVersionDate(v: string): number | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})(-preview)?$/i.exec(v.trim());
  return m ? Date.parse(m[1]!) : undefined;
}

let zoneRegions: Set<string> | undefined;

/** Regions where API Management offers availability zones (shipped data, see catalog/SOURCES.md). */
export function regionsWithZones(): Set<string> {
  if (!zoneRegions) {
    const data = JSON.parse(readFileSync(path.join(packageRoot(), 'catalog', 'zones', 'microsoft.apimanagement.service.json'), 'utf8')) as {
      zoneMappings: { location: string; zones: string[] }[];
    };
    zoneRegions = new Set(data.zoneMappings.filter((z) => z.zones.length > 0).map((z) => normaliseLocation(z.location)));
  }
  return zoneRegions;
}
