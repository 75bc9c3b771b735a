/** The report formats, in their own module so that the CLI's help lists them without loading the reporters. */
export const FORMATS = ['pretty', 'json', 'sarif', 'html', 'junit', 'markdown', 'pr-comment', 'csv', 'github', 'gitlab'] as const;
export type FormatName = (typeof FORMATS)[number];

/** Other names a format answers to on the command line: GitLab calls its report Code Quality. */
export const FORMAT_ALIASES: Readonly<Record<string, FormatName>> = { codequality: 'gitlab' };

/** A format's own name for a name or alias (lower-cased), or undefined for an unknown one. */
export function formatNamed(name: string): FormatName | undefined {
  const n = name.trim().toLowerCase();
  return (FORMATS as readonly string[]).includes(n) ? (n as FormatName) : Object.hasOwn(FORMAT_ALIASES, n) ? FORMAT_ALIASES[n] : undefined;
}

/** The formats `tollgate merge` writes a merged report in (`codequality` is GitLab's name for `gitlab`). */
export const MERGE_FORMATS = ['json', 'sarif', 'junit', 'markdown', 'pr-comment', 'gitlab', 'codequality'] as const;

/** GitHub refuses a pull-request comment (and an issue body) of more than 65,536 characters; this leaves room for a bot's own header. */
export const PR_COMMENT_MAX_CHARS = 65_000;
/** Below this the verdict, the counts and the line saying what was left out may not fit. */
export const PR_COMMENT_MIN_CHARS = 5_000;
