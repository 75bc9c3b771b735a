import ignore from 'ignore';
import type { Diagnostic } from '../load/diagnostic.js';
import type { JsonDocument } from '../load/json-document.js';
import type { SourceLocation } from '../load/source-file.js';
import type { Finding, RuleIdentity, Suppression } from './finding.js';
import { isAtOrUnder, type Resource } from '../resources/resource.js';
import { getPath, isObject, type Value } from '../resources/value.js';
import { fold } from '../case-fold.js';
import { wildcardMatch } from '../wildcard.js';
import { fail, ok, type Result } from '../result.js';

/**
 * Reads the suppressions written on a resource declaration (ARM keeps resource `metadata`):
 * `"metadata": { "tollgate": { "suppress": [{ "rule": "…", "reason": "…", "expires": "2027-01-31" }] } }`.
 * A malformed entry (no rule, no reason, a bad date) is a warning and suppresses nothing.
 */
export function suppressionsOnResource(resource: Resource, diagnostics: Diagnostic[]): Suppression[] {
  const list = getPath(resource.body, ['metadata', 'tollgate', 'suppress']);
  if (list === undefined) return [];
  const at = (i?: number) => resource.source.locate(i === undefined ? ['metadata', 'tollgate', 'suppress'] : ['metadata', 'tollgate', 'suppress', i]).location;
  if (!Array.isArray(list)) {
    diagnostics.push(invalid(at(), 'metadata.tollgate.suppress must be a list of { rule, reason, expires? }'));
    return [];
  }
  const out: Suppression[] = [];
  list.forEach((entry: Value, i) => {
    const parsed = parseEntry(entry);
    if (!parsed.ok) diagnostics.push(invalid(at(i), parsed.error));
    else out.push({ ...parsed.value, kind: 'inSource', location: at(i) });
  });
  return out;
}

/** Suppressions written as comments in a Bicep file, by the line they apply to. */
export interface CommentSuppressions {
  /** `// tollgate-disable-next-line …`: keyed by the 1-based line that follows the comment. */
  nextLine: Map<number, Suppression[]>;
  /** `// tollgate-disable-file …`: every finding of the rule in this file. */
  file: Suppression[];
  all: Suppression[];
}

const COMMENT = /^\s*tollgate-disable-(next-line|file)\b\s*(.*)$/;
const commentCache = new WeakMap<JsonDocument, CommentSuppressions>();

/**
 * Reads `// tollgate-disable-next-line <rule> [expires:YYYY-MM-DD] <reason>` and
 * `// tollgate-disable-file <rule> [expires:YYYY-MM-DD] <reason>` from a Bicep file's comments
 * (once per file). A comment without a reason or with a bad date is a warning and suppresses nothing.
 */
export function suppressionsInComments(document: JsonDocument, diagnostics: Diagnostic[]): CommentSuppressions {
  const cached = commentCache.get(document);
  if (cached) return cached;
  const out: CommentSuppressions = { nextLine: new Map(), file: [], all: [] };
  commentCache.set(document, out);
  const comments = (document as { comments?: readonly { start: number; end: number; text: string; directive?: boolean }[] }).comments ?? [];
  for (const c of comments) {
    if (c.directive) continue;
    const m = COMMENT.exec(c.text);
    if (!m) continue;
    const location = document.file.locationOf(c.start, c.end - c.start);
    const words = m[2]!.trim().split(/\s+/).filter(Boolean);
    const rule = words.shift();
    let expires: string | undefined;
    if (words[0]?.startsWith('expires:')) expires = words.shift()!.slice('expires:'.length);
    const reason = words.join(' ');
    const problem = !rule
      ? 'a tollgate-disable comment needs the rule it suppresses'
      : !reason
        ? `the suppression of ${rule} needs a reason after the rule id: accepting a risk must say why`
        : expires !== undefined && !isCalendarDate(expires)
          ? `the suppression of ${rule} has an invalid expires: date (use expires:2027-01-31)`
          : undefined;
    if (problem) {
      diagnostics.push(invalid(location, problem));
      continue;
    }
    const suppression: Suppression = { rule: rule!, reason, expires, kind: 'inSource', location };
    out.all.push(suppression);
    if (m[1] === 'file') out.file.push(suppression);
    else {
      const line = location.start.line + 1;
      out.nextLine.set(line, [...(out.nextLine.get(line) ?? []), suppression]);
    }
  }
  return out;
}

function parseEntry(entry: Value): Result<Pick<Suppression, 'rule' | 'reason' | 'expires'>> {
  if (!isObject(entry)) return fail('a suppression must be an object { rule, reason, expires? }');
  const rule = getPath(entry, ['rule']);
  const reason = getPath(entry, ['reason']);
  const expires = getPath(entry, ['expires']);
  if (typeof rule !== 'string' || !rule) return fail('a suppression needs the `rule` it suppresses');
  if (typeof reason !== 'string' || !reason.trim()) return fail(`the suppression of ${rule} needs a \`reason\`: accepting a risk must say why`);
  if (expires !== undefined && (typeof expires !== 'string' || !isCalendarDate(expires)))
    return fail(`the suppression of ${rule} has an invalid \`expires\` (use a date such as 2027-01-31)`);
  return ok({ rule, reason, expires: expires as string | undefined });
}

/**
 * A date that exists: `YYYY-MM-DD` (anything after it must still parse as a date). Date.parse
 * alone is not enough: V8 reads 2021-02-30 as 2 March, and 2020-13-45 as no date at all, which
 * as an expiry would mean "never".
 */
export function isCalendarDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (!m || Number.isNaN(Date.parse(text))) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function invalid(location: SourceLocation, message: string): Diagnostic {
  return { severity: 'warning', code: 'suppression-invalid', message, file: location.file, location };
}

/** Does this suppression name this rule (by its id or any equivalent id, ignoring case)? */
export function namesRule(suppression: Pick<Suppression, 'rule'>, meta: Pick<RuleIdentity, 'id' | 'equivalents'>): boolean {
  const wanted = suppression.rule.toLowerCase();
  return wanted === '*' || wanted === meta.id.toLowerCase() || meta.equivalents.some((e) => e.id.toLowerCase() === wanted);
}

/** Is the suppression still in force on `today` (a date: expiry is about the calendar, not the deployment clock)? */
export function isExpired(suppression: Pick<Suppression, 'expires'>, today: Date): boolean {
  if (!suppression.expires) return false;
  // A suppression expiring on a day is in force until the end of the day before.
  return Date.parse(suppression.expires.slice(0, 10)) <= Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
}

/** Glob match for configuration suppressions (gitignore syntax for files, `*` wildcards for types and names). */
export function globMatches(pattern: string | undefined, text: string): boolean {
  if (pattern === undefined) return true;
  // Not a regular expression: `*a*a*a…b` would backtrack exponentially on a long name.
  return wildcardMatch(fold(pattern), fold(text));
}

export function fileMatches(pattern: string | undefined, file: string): boolean {
  if (pattern === undefined) return true;
  return ignore().add(pattern).ignores(file.replace(/^\.\//, ''));
}

/**
 * Applies suppressions to a scan's findings. Suppressed findings move out of `findings` (so
 * they no longer fail the run) into `suppressed`, each with the suppression that matched. An
 * expired suppression suppresses nothing and says so on the finding; a suppression that
 * matched nothing is reported as unused.
 */
export function applySuppressions(
  findings: readonly Finding[],
  rulesById: ReadonlyMap<string, RuleIdentity>,
  candidates: (finding: Finding) => readonly Suppression[],
  allSuppressions: readonly Suppression[],
  today: Date,
): { findings: Finding[]; suppressed: Finding[]; diagnostics: Diagnostic[] } {
  // The same template expanded with several parameter files yields equal suppressions: count use by place.
  const used = new Set<string>();
  const kept: Finding[] = [];
  const suppressed: Finding[] = [];
  for (const finding of findings) {
    const meta = rulesById.get(finding.ruleId);
    const matching = meta ? candidates(finding).filter((s) => namesRule(s, meta)) : [];
    matching.forEach((s) => used.add(suppressionKey(s)));
    const active = matching.find((s) => !isExpired(s, today));
    if (active) {
      suppressed.push({
        ...finding,
        suppression: {
          kind: active.kind,
          justification: active.reason,
          expires: active.expires,
          location: active.location,
          ...(active.exemption ? { exemption: active.exemption } : {}),
        },
      });
      continue;
    }
    const expired = matching[0];
    kept.push(expired ? { ...finding, message: `${finding.message} (its suppression expired on ${expired.expires}: ${expired.reason})` } : finding);
  }
  const reported = new Set<string>();
  const diagnostics: Diagnostic[] = allSuppressions
    .filter((s) => {
      const key = suppressionKey(s);
      if (used.has(key) || reported.has(key)) return false;
      reported.add(key);
      return true;
    })
    .map((s) => ({
      severity: 'warning' as const,
      code: 'suppression-unused',
      message: s.exemption
        ? `the exemption ${s.exemption.name} (${s.rule}) matches no finding`
        : `the suppression of ${s.rule}${s.kind === 'external' ? ' in the configuration' : ''} matches no finding; remove it`,
      ...(s.location ? { file: s.location.file, location: s.location } : {}),
    }));
  return { findings: kept, suppressed, diagnostics };
}

function suppressionKey(s: Suppression): string {
  const at = s.location ? `${s.location.file}:${s.location.start.line}:${s.location.start.column}` : '';
  return [s.kind, s.rule.toLowerCase(), at, s.resourceType ?? '', s.resourceName ?? '', s.file ?? '', s.scope ?? '', s.exemption?.name ?? '', s.reason].join(
    '\u0000',
  );
}

/** Exemptions: no scope covers everything scanned. */
export function scopeMatches(scope: string | undefined, resourceId: string): boolean {
  return scope === undefined || isAtOrUnder(scope, resourceId);
}
