import { appendFileSync } from 'node:fs';
import type { ScanResult } from '../evaluate/scan-result.js';
import { formatPrComment } from '../report/pr-comment.js';
import { PR_COMMENT_MAX_CHARS, PR_COMMENT_MIN_CHARS } from '../report/formats.js';
import { visible } from '../report/visible.js';
import { fail, ok, type Result } from '../result.js';

/**
 * GitHub shows at most 1 MiB of a step's summary. Characters are counted as UTF-16 code units and
 * one can take 3 bytes of UTF-8, so this many characters always fit.
 */
export const JOB_SUMMARY_MAX_CHARS = 300_000;

/**
 * With `--format github` in a GitHub Actions step (`GITHUB_STEP_SUMMARY` names the step's
 * summary file), the Markdown summary goes to the job's summary page. Appended, not replaced:
 * the file is the step's, and other commands of the step may have written to it. A summary that
 * cannot be written is said on standard error and does not fail the scan: the reports did not
 * depend on it. Returns the file written, if any.
 */
export function appendJobSummary(result: ScanResult, env: NodeJS.ProcessEnv, reportUrl: string | undefined): string | undefined {
  const file = env['GITHUB_STEP_SUMMARY'];
  if (!file) return undefined;
  try {
    appendFileSync(file, formatPrComment(result, { maxChars: JOB_SUMMARY_MAX_CHARS, reportUrl }) + '\n');
    return file;
  } catch (err) {
    process.stderr.write(visible(`tollgate: cannot append the job summary to ${file}: ${(err as Error).message}\n`, 'lf'));
    return undefined;
  }
}

/**
 * Where the complete report is, for the pr-comment format's last line: `--report-url`, else on
 * GitHub Actions the run's page (its log and the SARIF upload), else nothing (the reporter then
 * says how to make it).
 */
export function defaultReportUrl(flag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (flag) return flag;
  const [server, repository, run] = [env['GITHUB_SERVER_URL'], env['GITHUB_REPOSITORY'], env['GITHUB_RUN_ID']];
  return env['GITHUB_ACTIONS'] === 'true' && server && repository && run ? `${server}/${repository}/actions/runs/${run}` : undefined;
}

/** `--max-chars N`: a whole number from the minimum the comment needs; absent, the pull-request limit. */
export function parseMaxChars(text: string | undefined): Result<number> {
  if (text === undefined) return ok(PR_COMMENT_MAX_CHARS);
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < PR_COMMENT_MIN_CHARS)
    return fail(`--max-chars must be a whole number of at least ${PR_COMMENT_MIN_CHARS}, not '${text}'`);
  return ok(n);
}
