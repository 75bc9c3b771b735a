import type { ScanResult } from '../evaluate/scan-result.js';
import type { Finding, RuleResult } from '../findings/finding.js';
import type { Diagnostic } from '../load/diagnostic.js';
import { compareKeys, sortUnits } from './order.js';

/**
 * What a shard's JSON report carries besides the usual document (`shard.scan`): the parts of the
 * `ScanResult` that the report leaves out (the units with their resources, the rules' metadata,
 * each rule result's own findings), so that `tollgate merge` rebuilds the result of the whole
 * scan and renders it with the ordinary reporters. Summing printed counts instead would get
 * wrong what is not additive: the rules not run, the files every shard reads, the input
 * problems every shard meets.
 */
export interface ShardScan {
  index: number;
  count: number;
  scan: Omit<ScanResult, 'tool' | 'shard'>;
}

export function shardScan(result: ScanResult): ShardScan | undefined {
  const shard = result.shard;
  if (!shard) return undefined;
  // The scan's own extras (ScanOutput's skipped files) are not part of the report.
  const { tool: _tool, shard: _shard, skipped: _skipped, ...scan } = result as ScanResult & { skipped?: unknown };
  void _tool;
  void _skipped;
  void _shard;
  return {
    index: shard.index,
    count: shard.count,
    scan: {
      ...scan,
      results: scan.results.map((r) => ({ ...r, resource: ref(r.resource), findings: r.findings.map(portable) })),
      findings: scan.findings.map(portable),
      ...(scan.suppressed && { suppressed: scan.suppressed.map(portable) }),
      diagnostics: scan.diagnostics.map(({ stack: _stack, ...d }) => d),
    },
  };
}

// Findings hold the resource they were found on (with its source document): only its identity travels.
function portable(f: Finding): Finding {
  return { ...f, resource: ref(f.resource), origins: f.origins.map((o) => ({ location: o.location, description: o.description })) };
}

function ref(r: { type: string; name: string; id: string }) {
  return { type: r.type, name: r.name, id: r.id };
}

export class MergeError extends Error {}

/** One shard report as `tollgate merge` reads it: the file it came from and its `shard` section. */
export interface ShardInput {
  file: string;
  tool: ScanResult['tool'];
  shard: ShardScan;
}

/**
 * The result of the whole scan from the results of its shards: every shard of one `--shard i/n`
 * set, each once. Units, results and findings are each in exactly one shard and are joined;
 * input problems, which every shard meets, are reported once. An unused suppression from the
 * configuration is unused only if no shard used it; one written in a scanned file is reported
 * by the shard that scanned it.
 */
export function mergeShards(inputs: readonly ShardInput[]): ScanResult {
  const first = inputs[0];
  if (!first) throw new MergeError('no shard reports to merge');
  const count = first.shard.count;
  const seen = new Map<number, string>();
  for (const input of inputs) {
    const { index, count: n } = input.shard;
    if (n !== count) throw new MergeError(`${input.file} is shard ${index}/${n}, but ${first.file} is one of ${count}`);
    const twice = seen.get(index);
    if (twice !== undefined) throw new MergeError(`${twice} and ${input.file} are both shard ${index}/${count}`);
    seen.set(index, input.file);
    if (input.tool.version !== first.tool.version)
      throw new MergeError(`${input.file} was written by Tollgate ${input.tool.version}, ${first.file} by ${first.tool.version}`);
    if (input.shard.scan.compliance)
      throw new MergeError(`${input.file}: reports with initiative compliance (--initiative, --assignment) cannot be merged yet`);
    if (input.shard.scan.baseline) throw new MergeError(`${input.file}: reports compared with a baseline (--baseline) cannot be merged yet`);
    const ids = (r: ShardInput) => r.shard.scan.rules.map((m) => m.id).join('\n');
    if (ids(input) !== ids(first)) throw new MergeError(`${input.file} ran other rules than ${first.file}: shards must be scanned with the same configuration`);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length) throw new MergeError(`shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} missing`);

  const scans = inputs.map((i) => i.shard.scan);
  const files = new Set(scans.flatMap((s) => s.files));
  const suppressed = scans.flatMap((s) => s.suppressed ?? []);
  return {
    tool: first.tool,
    cwd: first.shard.scan.cwd,
    ...(first.shard.scan.paths && { paths: first.shard.scan.paths }),
    files: [...files].sort((a, b) => compareKeys([a], [b])),
    units: sortUnits(scans.flatMap((s) => s.units)),
    rules: first.shard.scan.rules,
    ...(first.shard.scan.notRun && { notRun: first.shard.scan.notRun }),
    results: scans.flatMap((s): RuleResult[] => s.results),
    findings: scans.flatMap((s) => s.findings),
    ...(suppressed.length && { suppressed }),
    diagnostics: mergeDiagnostics(
      scans.map((s) => s.diagnostics),
      files,
    ),
    // The shards ran side by side: the whole took as long as the slowest.
    durationMs: Math.max(...scans.map((s) => s.durationMs)),
  };
}

function mergeDiagnostics(perShard: readonly (readonly Diagnostic[])[], scannedFiles: ReadonlySet<string>): Diagnostic[] {
  const shardsWith = new Map<string, { diagnostic: Diagnostic; shards: number }>();
  for (const list of perShard) {
    const keys = new Set<string>();
    for (const d of list) {
      const key = diagnosticKey(d);
      if (keys.has(key)) continue;
      keys.add(key);
      const entry = shardsWith.get(key);
      if (entry) entry.shards++;
      else shardsWith.set(key, { diagnostic: d, shards: 1 });
    }
  }
  const out: Diagnostic[] = [];
  for (const { diagnostic, shards } of shardsWith.values()) {
    // A configuration suppression not used by this shard may have been used by another.
    const fromConfiguration = diagnostic.code === 'suppression-unused' && !scannedFiles.has(diagnostic.location?.file ?? diagnostic.file ?? '');
    if (fromConfiguration && shards < perShard.length) continue;
    out.push(diagnostic);
  }
  return out;
}

function diagnosticKey(d: Diagnostic): string {
  return [d.code, d.message, d.file, d.location?.file, d.location?.start.line, d.location?.start.column].join('\u0000');
}
