import path from 'node:path';
import { FORMATS, formatNamed, type FormatName } from '../report/index.js';
import { fail, ok, type Result } from '../result.js';

/** Each requested format and where it goes: a file, or standard output (undefined). */
export type OutputPlan = { format: FormatName; file?: string }[];

/**
 * Reads `--format` (repeatable or comma-separated) and `--output` (`FILE` for a single format,
 * or `FORMAT=FILE`, repeatable). At most one format may go to standard output, each format gets
 * at most one file, and no two formats share a file. A failure is the usage error to print.
 */
export function planOutputs(formats: readonly string[] | string | undefined, outputs: readonly string[] | string | undefined): Result<OutputPlan> {
  const asList = (v: readonly string[] | string | undefined) => (v === undefined ? [] : typeof v === 'string' ? [v] : [...v]);
  const wanted = asList(formats)
    .flatMap((f) => f.split(','))
    .map((f) => f.trim().toLowerCase())
    .filter(Boolean);
  const chosen: FormatName[] = [];
  for (const name of wanted.length ? wanted : ['pretty']) {
    const f = formatNamed(name);
    if (!f) return fail(`unknown format '${name}' (one of ${FORMATS.join(', ')})`);
    if (!chosen.includes(f)) chosen.push(f);
  }
  const files = new Map<FormatName, string>();
  for (const o of asList(outputs)) {
    const eq = o.indexOf('=');
    const named = eq > 0 ? formatNamed(o.slice(0, eq)) : undefined;
    let format: FormatName;
    let file: string;
    if (named) {
      if (!chosen.includes(named)) return fail(`--output ${o}: the format '${named}' was not asked for with --format`);
      format = named;
      file = o.slice(eq + 1);
    } else if (eq === 0) {
      return fail(`--output ${o}: name the format before '=' (e.g. --output sarif=tollgate.sarif)`);
    } else {
      if (chosen.length !== 1) return fail(`--output ${o}: with several formats, name each file as FORMAT=FILE (e.g. --output sarif=tollgate.sarif)`);
      format = chosen[0]!;
      file = o;
    }
    if (!file) return fail(`--output ${o}: no file name`);
    const earlier = files.get(format);
    if (earlier !== undefined) return fail(`--output: ${format} is written to one file, got both ${earlier} and ${file}`);
    const clash = [...files].find(([, f]) => path.resolve(f) === path.resolve(file));
    if (clash) return fail(`--output: ${clash[0]} and ${format} would both be written to ${file}`);
    files.set(format, file);
  }
  const plan = chosen.map((format) => ({ format, file: files.get(format) }));
  const toStdout = plan.filter((p) => p.file === undefined);
  if (toStdout.length > 1) {
    const names = toStdout.map((p) => p.format);
    return fail(
      `${names.slice(0, -1).join(', ')} and ${names.at(-1)} would ${names.length === 2 ? 'both' : 'all'} go to standard output: give all but one a file with --output FORMAT=FILE`,
    );
  }
  return ok(plan);
}
