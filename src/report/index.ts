import type { ScanResult } from '../evaluate/scan-result.js';
import { formatJson } from './json.js';
import { formatPretty, type PrettyOptions } from './pretty.js';
import { formatSarif } from './sarif.js';
import { formatHtml } from './html.js';
import { formatJunit } from './junit.js';
import { formatMarkdown } from './markdown.js';
import { formatCsv } from './csv.js';
import { formatGithub } from './github.js';

import { FORMATS, type FormatName } from './formats.js';
export { FORMATS, type FormatName };

/** Only the pretty format reads these; the machine formats never colour and are always complete. */
export type RenderOptions = PrettyOptions;

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
  }
}

export function isFormatName(value: string): value is FormatName {
  return (FORMATS as readonly string[]).includes(value);
}
