import type { Finding, RuleIdentity } from './finding.js';
import { pushTo } from '../multimap.js';

/** Two rules check the same thing when one names the other, or both name the same check of another tool. */
export function equivalentRules(a: RuleIdentity, b: RuleIdentity): boolean {
  const x = foldedIdentity(a);
  const y = foldedIdentity(b);
  if (x.named.has(y.id) || y.named.has(x.id)) return true;
  for (const check of x.checks) if (y.checks.has(check)) return true;
  return false;
}

/**
 * A rule's identity in lower case, made once per rule: the merge compares every pair of findings
 * on a resource, and lower-cased every id of both rules for each pair.
 */
interface FoldedIdentity {
  id: string;
  /** The ids it names, any tool. */
  named: ReadonlySet<string>;
  /** `<tool>\0<id>` of each check of another tool it names (tools compare as written). */
  checks: ReadonlySet<string>;
}
const folded = new WeakMap<RuleIdentity, FoldedIdentity>();
function foldedIdentity(r: RuleIdentity): FoldedIdentity {
  let f = folded.get(r);
  if (!f) {
    f = {
      id: r.id.toLowerCase(),
      named: new Set(r.equivalents.map((e) => e.id.toLowerCase())),
      checks: new Set(r.equivalents.map((e) => `${e.tool}\u0000${e.id.toLowerCase()}`)),
    };
    folded.set(r, f);
  }
  return f;
}

const RANK = { error: 0, warning: 1, note: 2 } as const;

/** Where a finding is, for the merge and for spreading suppressions: its file, parameter file and resource. */
function placeKey(f: Finding): string {
  return [f.file, f.parameterFile ?? '', f.resource.id.toLowerCase()].join('\u0000');
}

/** Same property, or one inside the other (`properties` and `properties.keyVault`): rules point at different depths of one defect. */
function samePlace(a: string, b: string): boolean {
  const [outer, inner] = a.length <= b.length ? [a, b] : [b, a];
  return outer === inner || outer === '' || inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);
}

/**
 * A native rule and a built-in policy (or any two equivalent rules) that fail on the same
 * property of the same resource (or on a property and one inside it) are one defect: the most
 * severe finding is kept, and names the others in `alsoReportedBy`.
 */
export function mergeEquivalentFindings(findings: readonly Finding[], rules: ReadonlyMap<string, RuleIdentity>): Finding[] {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    pushTo(groups, placeKey(f), f);
  }
  const dropped = new Set<Finding>();
  const replaced = new Map<Finding, Finding>();
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    // Most severe first; on a tie the native rule, whose message names the exact property and fix.
    const native = (f: Finding) => (rules.get(f.ruleId)?.kind === 'native' ? 0 : 1);
    const remaining = [...group].sort((a, b) => RANK[a.level] - RANK[b.level] || native(a) - native(b));
    while (remaining.length) {
      const keep = remaining.shift()!;
      const meta = rules.get(keep.ruleId);
      const same = remaining.filter((f) => {
        const other = rules.get(f.ruleId);
        return (
          meta !== undefined &&
          other !== undefined &&
          f.ruleId !== keep.ruleId &&
          samePlace((keep.path ?? '').toLowerCase(), (f.path ?? '').toLowerCase()) &&
          equivalentRules(meta, other)
        );
      });
      if (!same.length) continue;
      for (const f of same) {
        remaining.splice(remaining.indexOf(f), 1);
        dropped.add(f);
      }
      // One defect, one fix: a twin's fix serves when the finding kept has none.
      const fix = keep.fix ?? same.find((f) => f.fix)?.fix;
      replaced.set(keep, { ...keep, alsoReportedBy: same.map((f) => f.ruleId), ...(fix && { fix }) });
    }
  }
  // Input order is kept: reporters sort, and JSON consumers see a stable list.
  return findings.filter((f) => !dropped.has(f)).map((f) => replaced.get(f) ?? f);
}

/**
 * A suppression accepts a defect, not one rule's wording of it: the findings that would have
 * been merged with a suppressed finding (equivalent rule, same resource, same property or one
 * inside the other, same parameter file) are suppressed too, with the same suppression.
 * Suppressions are applied before merging, so without this the twin of a suppressed native
 * finding would come back as a new finding. Azure Policy exemptions are not spread: they
 * exempt a resource from one assignment's policy, which says nothing about native rules.
 */
export function suppressEquivalents(
  findings: readonly Finding[],
  suppressed: readonly Finding[],
  rules: ReadonlyMap<string, RuleIdentity>,
): { findings: Finding[]; suppressed: Finding[] } {
  const accepted = new Map<string, Finding[]>();
  for (const s of suppressed) if (s.suppression && !s.suppression.exemption) pushTo(accepted, placeKey(s), s);
  if (!accepted.size) return { findings: [...findings], suppressed: [...suppressed] };
  const kept: Finding[] = [];
  const alsoSuppressed: Finding[] = [];
  for (const f of findings) {
    const meta = rules.get(f.ruleId);
    const twin = meta
      ? accepted.get(placeKey(f))?.find((s) => {
          const other = rules.get(s.ruleId);
          return (
            other !== undefined &&
            s.ruleId !== f.ruleId &&
            samePlace((s.path ?? '').toLowerCase(), (f.path ?? '').toLowerCase()) &&
            equivalentRules(meta, other)
          );
        })
      : undefined;
    if (twin) alsoSuppressed.push({ ...f, suppression: twin.suppression! });
    else kept.push(f);
  }
  return { findings: kept, suppressed: [...suppressed, ...alsoSuppressed] };
}
