import type { ScanResult } from '../evaluate/scan-result.js';
import type { Finding } from '../findings/finding.js';
import { sortDiagnostics } from './order.js';
import { coverageOf } from './coverage.js';
import { CANNOT_RUN } from '../evaluate/rules-not-run.js';
import { bySeriousness, cell, code, coverageDetails, coverageSummary, findingRow, headLines, inputErrorLine, TABLE_HEAD } from './markdown.js';

import { PR_COMMENT_MAX_CHARS, PR_COMMENT_MIN_CHARS } from './formats.js';

/** When the comment must be cut, the most input errors it lists before the findings (the rest are counted). */
const INPUT_ERRORS_SHOWN = 20;

export interface PrCommentOptions {
  /** The most characters (UTF-16 code units: never fewer than GitHub counts) the comment may have. Default 65,000. */
  maxChars?: number;
  /** Where the complete report is (a URL, or words), named in the line that says what was left out. */
  reportUrl?: string;
}

/**
 * `--format pr-comment`: the Markdown report cut to fit a pull-request comment. The verdict, the
 * counts and the coverage line always; then input errors (at most 20), the findings most serious first, the
 * definitions that cannot run and the coverage details, each while it fits; last, when anything
 * was cut, one line with what was left out (counts by level and by rule) and where the full
 * report is. A report that fits whole has all of it, and no such line.
 */
export function formatPrComment(result: ScanResult, options: PrCommentOptions = {}): string {
  const max = Math.max(options.maxChars ?? PR_COMMENT_MAX_CHARS, PR_COMMENT_MIN_CHARS);
  const coverage = coverageOf(result);
  const findings = bySeriousness(result.findings);
  const inputs = sortDiagnostics(result.diagnostics.filter((d) => d.severity === 'error'));
  const cannot = coverage.items.rulesNotRun.filter((x) => CANNOT_RUN.has(x.reason));
  const [coverageHeading, ...coverageRest] = coverageSummary(coverage);
  // coverageSummary is: heading, blank, counts, then the cannot-run block (blank, title, blank, items).
  const coverageLine = coverageRest.slice(0, 2);
  const cannotTitle = coverageRest.slice(2, 5);
  const cannotItems = coverageRest.slice(5);

  const sections: Section[] = [
    { title: ['', '#### Input errors', ''], items: inputs.map(inputErrorLine) },
    { title: ['', findingsHeading(findings.length, findings.length), '', ...TABLE_HEAD], items: findings.map(findingRow) },
    { title: cannotTitle, items: cannotItems },
  ];
  const details = coverageDetails(coverage);
  const head = [...headLines(result), '', coverageHeading!, ...coverageLine];
  const whole = render(
    head,
    sections,
    sections.map((s) => s.items.length),
    details,
  );
  if (whole.length <= max) return whole;

  // Fill greedily, in the order of the sections, leaving room for the line that says what was cut.
  const tailRoom = Math.min(3_000, Math.floor(max / 10));
  let used = length(head) + tailRoom;
  const kept = sections.map(() => 0);
  sections.forEach((s, i) => {
    // The definitions that cannot run only after every finding; input errors never crowd the findings out.
    if (i === 2 && kept[1]! < sections[1]!.items.length) return;
    for (const item of i === 0 ? s.items.slice(0, INPUT_ERRORS_SHOWN) : s.items) {
      const cost = (kept[i] === 0 ? length(s.title) : 0) + item.length + 1;
      if (used + cost > max) return;
      used += cost;
      kept[i]!++;
    }
  });
  sections[1]!.title[1] = findingsHeading(kept[1]!, findings.length);
  const left = omitted(findings.slice(kept[1]), inputs.length - kept[0]!, cannot.length - kept[2]!, details.length > 0, max, options.reportUrl);
  return render(head, sections, kept, [], fitTo(left, tailRoom));
}

interface Section {
  /** Lines before the first item (written only when an item is). */
  title: string[];
  items: string[];
}

function render(head: readonly string[], sections: readonly Section[], kept: readonly number[], details: readonly string[], tail?: string): string {
  const out = [...head];
  sections.forEach((s, i) => {
    if (kept[i]! > 0) out.push(...s.title, ...s.items.slice(0, kept[i]));
  });
  out.push(...details);
  if (tail) out.push('', tail);
  return out.join('\n') + '\n';
}

const length = (lines: readonly string[]) => lines.reduce((sum, l) => sum + l.length + 1, 0);

function findingsHeading(shown: number, total: number): string {
  return `#### ${shown < total ? `The ${shown} most serious of ${total} findings` : 'Findings'}`;
}

/**
 * The last line: what the comment does not show, counted by level and by rule (most frequent
 * first), and where the rest is.
 */
function omitted(findings: readonly Finding[], inputs: number, cannot: number, details: boolean, max: number, reportUrl: string | undefined): string {
  const n = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;
  const parts: string[] = [];
  if (findings.length) {
    const level = (l: string) => findings.filter((f) => f.level === l).length;
    const byRule = new Map<string, number>();
    for (const f of findings) byRule.set(f.ruleId, (byRule.get(f.ruleId) ?? 0) + 1);
    const rules = [...byRule].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([id, count]) => `${code(id)} ${count}`);
    parts.push(
      `${n(findings.length, 'finding')} (${n(level('error'), 'error')}, ${n(level('warning'), 'warning')}, ${n(level('note'), 'note')}; by rule: ${rules.join(', ')})`,
    );
  }
  if (inputs) parts.push(n(inputs, 'input error'));
  if (cannot) parts.push(`${cannot} definition${cannot === 1 ? '' : 's'} that cannot run`);
  if (details) parts.push('the coverage details');
  const where = reportUrl ? cell(reportUrl) : 'run `tollgate scan -f markdown` (or `-f html`) on this revision';
  return `**Left out** to stay under ${max.toLocaleString('en-US')} characters: ${parts.join('; ')}. The full report: ${where}.`;
}

/**
 * The tail cut to its room: the list of rules is what grows, so it is shortened, rule by rule,
 * to a count of the rules not named.
 */
function fitTo(tail: string, room: number): string {
  if (tail.length < room) return tail;
  const m = /^(.*by rule: )(.*?)(\).*)$/s.exec(tail);
  if (!m) return tail.slice(0, room - 2) + '…';
  const rules = m[2]!.split(', ');
  let shown = rules.length;
  const build = (k: number) => `${m[1]}${rules.slice(0, k).join(', ')}, and ${rules.length - k} more rules${m[3]}`;
  while (shown > 0 && build(shown).length >= room) shown--;
  return build(shown);
}
