import type { ScanResult } from '../evaluate/scan-result.js';
import { formatJson } from './json.js';
import { formatPretty, type PrettyOptions } from './pretty.js';
import { formatSarif } from './sarif.js';
import { formatHtml } from './html.js';
import { formatJunit } from './junit.js';
import { formatMarkdown } from './markdown.js';
import { formatCsv } from './csv.js';
import { formatGithub } from './github.js';
import { formatGitlab } from './gitlab.js';
import { formatPrComment, type PrCommentOptions } from './pr-comment.js';

import { FORMATS, FORMAT_ALIASES, formatNamed, type FormatName } from './formats.js';
export { FORMATS, FORMAT_ALIASES, formatNamed, type FormatName };

/** The pretty format reads its options, pr-comment its size limit; the machine formats never colour and are always complete. */
export type RenderOptions = PrettyOptions & PrCommentOptions;

export function render(format: FormatName, result: ScanResult, options: RenderOptions): string {
  switch (format) {
    case 'pretty':
      return formatPretty(result, options);
    case 'json':
      return formatJson(result);
    case 'sarif':
      return formatSarif(result);
    case 'html':
      return formatHtml(result);
    case 'junit':
      return formatJunit(result);
    case 'markdown':
      return formatMarkdown(result);
    case 'csv':
      return formatCsv(result);
    case 'github':
      return formatGithub(result);
    case 'gitlab':
      return formatGitlab(result);
    case 'pr-comment':
      return formatPrComment(result, options);
  }
}

export function isFormatName(value: string): value is FormatName {
  return (FORMATS as readonly string[]).includes(value);
}
