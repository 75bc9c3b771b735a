import { catalogCoverage, defaultSetCoverage, initiativeCoverage, type Coverage } from '../../policy/coverage.js';
import { coverageText } from '../../policy/coverage-page.js';
import { initiativeByName } from '../../policy/initiative-names.js';
import { EXIT } from '../exit-code.js';

export interface PolicyCoverageFlags {
  initiative?: string;
  default?: boolean;
  format?: 'text' | 'json';
}

/**
 * `tollgate policy coverage`: for each definition (the whole built-in catalog, one initiative,
 * or the default rule set), whether a template can decide it before deployment, with counts.
 */
export function runPolicyCoverage(flags: PolicyCoverageFlags): number {
  let coverage: Coverage;
  let scope: string;
  if (flags.initiative !== undefined && flags.default) {
    process.stderr.write('tollgate: --initiative and --default choose different sets: give one\n');
    return EXIT.usage;
  }
  if (flags.initiative !== undefined) {
    const found = initiativeByName(flags.initiative);
    if ('problem' in found) {
      process.stderr.write(`tollgate: --initiative '${flags.initiative}': not a built-in initiative (${found.problem})\n`);
      return EXIT.usage;
    }
    coverage = initiativeCoverage(found.initiative);
    scope = `initiative ${found.shown}, ${found.initiative.references.length} references at the initiative's default values`;
  } else if (flags.default) {
    coverage = defaultSetCoverage();
    scope = 'the default rule set (API Management pack, Microsoft cloud security benchmark and additions)';
  } else {
    coverage = catalogCoverage();
    scope = 'every built-in definition (public cloud), at its default effect';
  }
  if (flags.format === 'json') {
    process.stdout.write(`${JSON.stringify({ scope, total: coverage.rows.length, counts: coverage.counts, definitions: coverage.rows }, null, 2)}\n`);
  } else {
    process.stdout.write(coverageText(coverage, scope));
  }
  return EXIT.ok;
}
