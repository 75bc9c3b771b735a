import { fingerprint } from './fingerprint.js';
import type { Finding } from './finding.js';

/**
 * A template scanned with several parameter files repeats every defect written in the template
 * itself once per file. Those become one finding listing the parameter files it holds for;
 * a defect whose value comes from a parameter file stays one finding per file.
 */
export function dedupeAcrossParameterFiles(findings: readonly Finding[]): Finding[] {
  const byKey = new Map<string, Finding>();
  const out: Finding[] = [];
  for (const f of findings) {
    if (f.parameterFile === undefined) {
      out.push(f);
      continue;
    }
    // Same identity and same message: the parameter file made no difference.
    const key = `${fingerprint(f)}\u0000${f.message}`;
    const first = byKey.get(key);
    if (!first) {
      const copy = { ...f, parameterFiles: [f.parameterFile] };
      byKey.set(key, copy);
      out.push(copy);
      continue;
    }
    first.parameterFiles!.push(f.parameterFile);
  }
  for (const f of out) if (f.parameterFiles && f.parameterFiles.length === 1) delete f.parameterFiles;
  return out;
}
