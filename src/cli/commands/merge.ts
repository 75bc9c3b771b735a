import fs from 'node:fs';
import { JsonSyntaxError, parseJson } from '../../load/json-parser.js';
import { formatNamed, render } from '../../report/index.js';
import type { MERGE_FORMATS } from '../../report/formats.js';
import { defaultReportUrl, parseMaxChars } from '../job-summary.js';
import { mergeShards, MergeError, type ShardInput } from '../../report/shard-report.js';
import { EXIT, exitCodeFor, type FailOn } from '../exit-code.js';
import { isDirectory } from '../../load/file-kind.js';
import { writeOrSay } from '../write-output.js';

export interface MergeFlags {
  format: (typeof MERGE_FORMATS)[number];
  output?: string;
  failOn?: FailOn;
  maxChars?: string;
  reportUrl?: string;
}

/**
 * `tollgate merge FILES...`: the report of the whole scan from the JSON reports of its shards.
 * The exit code is the one the single scan would have had (3 input errors, 1 findings, 0).
 */
export function runMerge(files: string[], flags: MergeFlags): number {
  if (flags.output !== undefined && isDirectory(flags.output)) return usage(`cannot write ${flags.output}: is a directory`);
  const maxChars = parseMaxChars(flags.maxChars);
  if (!maxChars.ok) return usage(maxChars.error);
  const inputs: ShardInput[] = [];
  for (const file of files) {
    const read = readShardReport(file);
    if (typeof read === 'string') return usage(read);
    inputs.push(read);
  }
  let merged;
  try {
    merged = mergeShards(inputs);
  } catch (err) {
    if (err instanceof MergeError) return usage(err.message);
    throw err;
  }
  const format = formatNamed(flags.format) ?? 'json';
  const text = render(format, merged, { color: false, maxChars: maxChars.value, reportUrl: defaultReportUrl(flags.reportUrl, process.env) });
  if (flags.output !== undefined) {
    if (!writeOrSay(flags.output, text)) return EXIT.inputErrors;
  } else process.stdout.write(text.endsWith('\n') ? text : text + '\n');
  return exitCodeFor(merged, flags.failOn ?? 'error');
}

function usage(message: string): number {
  process.stderr.write(`tollgate: merge: ${message}\n`);
  return EXIT.usage;
}

/** A shard report, or why not (naming the file, and the line and column of a JSON syntax error). */
function readShardReport(file: string): ShardInput | string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    return `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    // JSON.parse's message has no line and column: Tollgate's own parser says where.
    const where = syntaxError(text);
    const at = where ? lineColumn(text, where.offset) : undefined;
    return `${file}${at ? `:${at.line}:${at.column}` : ''}: not valid JSON (${where?.message ?? (err as Error).message})`;
  }
  const report = doc as { tool?: { name?: unknown; version?: unknown }; shard?: { index?: unknown; count?: unknown; scan?: unknown } };
  if (typeof report !== 'object' || report === null || report.tool?.name !== 'tollgate' || typeof report.tool.version !== 'string')
    return `${file}: not a Tollgate JSON report (write the shards with \`tollgate scan --shard I/N -f json\`)`;
  const shard = report.shard;
  if (!shard || typeof shard.index !== 'number' || typeof shard.count !== 'number' || typeof shard.scan !== 'object' || shard.scan === null)
    return `${file}: a Tollgate JSON report without a shard section: scan with --shard I/N to write a report that can be merged`;
  const scan = shard.scan as Record<string, unknown>;
  const lists = ['files', 'units', 'rules', 'results', 'findings', 'diagnostics'].filter((key) => !Array.isArray(scan[key]));
  if (lists.length || typeof scan['cwd'] !== 'string' || typeof scan['durationMs'] !== 'number')
    return `${file}: shard.scan is incomplete (${[...lists, ...(typeof scan['cwd'] !== 'string' ? ['cwd'] : []), ...(typeof scan['durationMs'] !== 'number' ? ['durationMs'] : [])].join(', ')}): write it again with \`tollgate scan --shard I/N -f json\``;
  return { file, tool: { name: 'tollgate', version: report.tool.version }, shard: shard as ShardInput['shard'] };
}

function syntaxError(text: string): JsonSyntaxError | undefined {
  try {
    parseJson(text);
  } catch (err) {
    if (err instanceof JsonSyntaxError) return err;
  }
  return undefined;
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}
