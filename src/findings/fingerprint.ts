import { createHash } from 'node:crypto';
import type { Finding } from './finding.js';

/**
 * A finding's identity within one scan (dedupe across parameter files, JUnit) and for version 1
 * baselines: rule, file, evaluated resource and property, never line numbers (a
 * line added above must not make an old finding new). The parameter file is part of it only
 * when the offending value comes from that file: a defect written in the template is one
 * defect, whichever parameter file it was expanded with.
 */
export function fingerprint(f: Pick<Finding, 'ruleId' | 'resource' | 'path' | 'file' | 'parameterFile' | 'origins'>): string {
  const fromParameterFile = f.parameterFile !== undefined && f.origins.some((o) => o.location.file === f.parameterFile);
  const parts = [f.ruleId, f.resource.type.toLowerCase(), f.resource.name.toLowerCase(), f.path ?? '', f.file, fromParameterFile ? f.parameterFile! : ''];
  // NUL cannot occur in any part, so different splits of the same characters never collide.
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}

/**
 * A finding's identity across runs, for baselines (version 2) and SARIF `partialFingerprints`
 * (`tollgate/v2`): rule, scanned file, where the resource is declared (declaring file, path to
 * the declaration, copy indexes: never an evaluated name, so changing `--resource-group` or
 * `--subscription-id` neither makes every baselined finding new nor resets every code-scanning
 * alert) and property, plus the parameter file when the offending value comes from it.
 * Exported resources have no declaration: their real type and name identify them.
 */
export function baselineFingerprint(f: Pick<Finding, 'ruleId' | 'resource' | 'path' | 'file' | 'parameterFile' | 'origins' | 'declaration'>): string {
  const fromParameterFile = f.parameterFile !== undefined && f.origins.some((o) => o.location.file === f.parameterFile);
  const where = f.declaration ?? `${f.resource.type.toLowerCase()}\u0001${f.resource.name.toLowerCase()}`;
  const parts = ['baseline/2', f.ruleId, f.file, where, f.path ?? '', fromParameterFile ? f.parameterFile! : ''];
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}
