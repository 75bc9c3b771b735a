import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { ConfigError, configEffects, configSuppressions, type TollgateConfig } from '../../config/config.js';
import { readConfig } from '../read-config.js';
import { render } from '../../report/index.js';
import { planOutputs, type OutputPlan } from '../output-plan.js';
import { loadRuleSet, scanWith, type ScanOptions, type ScanOutput } from '../../scan.js';
import { WORKER_THRESHOLD, workerPool } from '../../pipeline/worker-pool.js';
import { loadPolicyInputs } from '../../policy/policy-inputs.js';
import { EXIT, exitCodeFor, type FailOn } from '../exit-code.js';
import { BaselineError, baselineOf, compareWithBaseline, readBaseline } from '../../findings/baseline.js';
import { deploymentFromFlags, environmentFromFlags, type DeploymentFlags } from '../deployment-options.js';
import { isDirectory } from '../../load/file-kind.js';
import { writeOrSay } from '../write-output.js';
import { createProgress } from '../progress.js';
import { visible } from '../../report/visible.js';
import { checkRuleOptions, loadPlugins } from '../../config/plugins.js';
import { NATIVE_RULES } from '../../rules/index.js';
import type { Rule } from '../../rules/rule.js';
import { changedFiles } from '../changed-files.js';
import { fail, ok, type Result } from '../../result.js';
import { parseShard } from '../../shard.js';
import { appendJobSummary, defaultReportUrl, parseMaxChars } from '../job-summary.js';

export interface ScanFlags extends DeploymentFlags {
  /** One or more formats (repeatable, comma-separated). */
  format?: string[] | string;
  /** `FILE`, or `FORMAT=FILE` (repeatable). */
  output?: string[] | string;
  parameters?: string[];
  exclude?: string[];
  effect?: string[];
  color: boolean;
  include?: string[];
  failOn?: FailOn;
  skipUnrecognized?: boolean;
  showSuppressed?: boolean;
  /** Report only findings not in this baseline file. */
  baseline?: string;
  /** `tollgate baseline write FILE`: record the findings instead of reporting them. */
  writeBaseline?: string;
  verbose?: boolean;
  quiet?: boolean;
  /** A file, `false` for --no-config, undefined to look for one. */
  config?: string | false;
  /** `default` or `all` (every rule, off-by-default ones too, equivalent findings not merged). */
  rules?: string;
  /** `--rule ID`: only these rules run. */
  rule?: string[];
  /** `--skip-rule ID`: these rules do not run. */
  skipRule?: string[];
  /** `--no-inline-suppressions`: false. */
  inlineSuppressions?: boolean;
  policy?: string[];
  initiative?: string[];
  assignment?: string[];
  exemption?: string[];
  /** Stack traces of internal errors on standard error. */
  debug?: boolean;
  /** `--unit-timeout SECONDS`: the time limit per scan unit (0: none). */
  unitTimeout?: string;
  /** `--changed-since REF`: scan what the files changed since the git REF belong to. */
  changedSince?: string;
  /** `--standalone`: templates only used as linked templates or modules are scanned on their own too. */
  standalone?: boolean;
  /** `--shard I/N`: only the units of this shard. */
  shard?: string;
  /** `--jobs N`: threads that scan units (default: the available cores; 1: this thread only). */
  jobs?: string;
  /** `--cache DIR`: the result cache. */
  cache?: string;
  /** The scan worker's module (src/cli/scan-worker.ts, beside main.ts in both builds): set by main.ts. */
  workerEntry?: URL;
  /** `--no-worker-threshold` (hidden, for tests): workers for any scan, however small (the threshold is for speed, not results). */
  workerThreshold?: boolean;
  /** `tollgate fix`: takes the result (after baseline filtering) instead of the reports, and gives the exit code. */
  afterScan?: (result: ScanOutput, failOn: FailOn) => number | Promise<number>;
  /** `--max-chars N`: the size limit of the pr-comment format. */
  maxChars?: string;
  /** `--report-url URL`: where the pr-comment format says the full report is. */
  reportUrl?: string;
}

/** What a scan worker is started with (src/cli/scan-worker.ts). */
export interface WorkerData {
  paths: string[];
  flags: ScanFlags;
  cwd: string;
  scanned: string[];
}

/** A number, or a promise of one when the configuration names plugins (ES modules load asynchronously). */
export function runScan(paths: string[], flags: ScanFlags): number | Promise<number> {
  const cwd = process.cwd();
  let config: TollgateConfig = {};
  try {
    config = readConfig(paths, flags.config, cwd, flags.parameters);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`tollgate: ${err.message}\n`);
    return EXIT.usage;
  }
  if (!config.plugins?.length) return scanWithConfig(paths, flags, cwd, config, []);
  return loadPlugins(config, NATIVE_RULES).then(
    (plugins) => scanWithConfig(paths, flags, cwd, config, plugins),
    (err: unknown) => {
      if (!(err instanceof ConfigError)) throw err;
      process.stderr.write(`tollgate: ${err.message}\n`);
      return EXIT.usage;
    },
  );
}

/** A scan worker's setup: the configuration read and plugins loaded as the main thread did, then the same scanSetup. */
export async function workerScanOptions(data: WorkerData): Promise<ScanOptions> {
  const config = readConfig(data.paths, data.flags.config, data.cwd, data.flags.parameters);
  const plugins = config.plugins?.length ? await loadPlugins(config, NATIVE_RULES) : [];
  const setup = scanSetup(data.paths, data.flags, data.cwd, config, plugins, data.scanned);
  if (typeof setup === 'number') throw new Error(`the scan's settings did not load in a worker (exit code ${setup})`);
  return setup.options;
}

/**
 * The configuration and the files the rule set comes from (policy, initiative, assignment and
 * exemption files; plugins), for the result cache's key: a change to any of them is a new key.
 */
function configIdentity(config: TollgateConfig, spec: Record<string, readonly string[]>, cwd: string): string {
  const contentOf = (given: string): unknown => {
    const file = path.resolve(cwd, given);
    try {
      const stat = statSync(file);
      if (stat.isFile()) return createHash('sha256').update(readFileSync(file)).digest('hex');
      // A folder of policy files: what is in it (a definition or exemption edited, added or removed).
      if (stat.isDirectory()) return [given, folderContent(file)];
      return given;
    } catch {
      // An initiative given by name, not by file.
      return given;
    }
  };
  return JSON.stringify({ config, policies: Object.values(spec).map((list) => list.map(contentOf)), plugins: (config.plugins ?? []).map(contentOf) });
}

/** Each file under a folder (the walk order of policy folders: sorted, recursive) with the hash of its content. */
function folderContent(dir: string): [string, string][] {
  const out: [string, string][] = [];
  const walk = (at: string) => {
    let entries;
    try {
      entries = readdirSync(at, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch {
      return;
    }
    for (const entry of entries) {
      const abs = path.join(at, entry.name);
      if (entry.isDirectory()) walk(abs);
      else if (entry.isFile()) {
        try {
          out.push([path.relative(dir, abs), createHash('sha256').update(readFileSync(abs)).digest('hex')]);
        } catch {
          out.push([path.relative(dir, abs), 'unreadable']);
        }
      }
    }
  };
  walk(dir);
  return out;
}

/** What a scan is set up with: its options (rule set included) and where its reports go; or the exit code of a usage error, already said. */
interface ScanSetup {
  options: ScanOptions;
  plan: OutputPlan;
  /** `--max-chars` (pr-comment) and `--report-url` (pr-comment, the job summary). */
  maxChars: number;
  reportUrl: string | undefined;
}

/**
 * Flags and configuration -> scan options and rule set. Worker threads (scan-worker.ts) call it too,
 * with the same flags and the paths the main thread settled on (`scanned`, after --changed-since),
 * so that they run the same rules with the same settings.
 */
export function scanSetup(
  paths: string[],
  flags: ScanFlags,
  cwd: string,
  config: TollgateConfig,
  plugins: readonly Rule[],
  scanned?: string[],
): ScanSetup | number {
  // The command line's reports, else the configuration's (`output`), else pretty to the terminal.
  const fromConfig = flags.format === undefined && flags.output === undefined && config.output;
  const planned = fromConfig
    ? planOutputs(
        config.output?.formats,
        Object.entries(config.output?.files ?? {}).map(([format, file]) => `${format}=${file}`),
      )
    : planOutputs(flags.format, flags.output);
  if (!planned.ok) {
    process.stderr.write(`tollgate: ${fromConfig ? 'output in the configuration: ' : ''}${planned.error}\n`);
    return EXIT.usage;
  }
  const plan = planned.value;
  // Before the scan, so that nothing is scanned for a report that cannot be written.
  const folder = [...plan.map((p) => p.file), flags.writeBaseline].find((f) => f !== undefined && isDirectory(f));
  if (folder !== undefined) {
    process.stderr.write(`tollgate: cannot write ${folder}: is a directory\n`);
    return EXIT.usage;
  }
  const maxChars = parseMaxChars(flags.maxChars);
  if (!maxChars.ok) return usageError(maxChars.error);
  const reportUrl = defaultReportUrl(flags.reportUrl, process.env);
  const parsedEffects = parseEffects(flags.effect ?? []);
  if (!parsedEffects.ok) return usageError(parsedEffects.error);
  const flagEffects = parsedEffects.value;
  // Flags win over the configuration file.
  const effects = Object.assign(Object.create(null) as Record<string, string>, configEffects(config), flagEffects);
  const deploymentRead = deploymentFromFlags({ ...config.deployment, cloud: config.deployment?.environment });
  if (!deploymentRead.ok) return usageError(deploymentRead.error);
  const deployment = deploymentRead.value;
  const fromFlagsRead = deploymentFromFlags(flags);
  if (!fromFlagsRead.ok) return usageError(fromFlagsRead.error);
  const fromFlags = fromFlagsRead.value;
  const envRead = environmentFromFlags(flags.env);
  if (!envRead.ok) return usageError(envRead.error);
  const envFromFlags = envRead.value;
  if (flags.rules !== undefined && flags.rules !== 'default' && flags.rules !== 'all') {
    process.stderr.write(`tollgate: --rules must be default or all, not '${flags.rules}'\n`);
    return EXIT.usage;
  }
  const spec = {
    policies: [...(config.policy?.definitions ?? []), ...(flags.policy ?? [])],
    initiatives: [...(config.policy?.initiatives ?? []), ...(flags.initiative ?? [])],
    assignments: [...(config.policy?.assignments ?? []), ...(flags.assignment ?? [])],
    exemptions: [...(config.policy?.exemptions ?? []), ...(flags.exemption ?? [])],
  };
  const anyPolicy = Object.values(spec).some((l) => l.length > 0);
  try {
    checkRuleOptions(config, [...NATIVE_RULES, ...plugins]);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`tollgate: ${err.message}\n`);
    return EXIT.usage;
  }
  const ruleSet = loadRuleSet(effects, config.rules ?? {}, {
    all: flags.rules === 'all',
    plugins,
    ...(anyPolicy ? { policies: loadPolicyInputs(spec, cwd) } : {}),
    ...(config.defaultRules ? { defaults: config.defaultRules } : {}),
    ...(flags.rule ? { only: flags.rule } : {}),
    ...(flags.skipRule ? { skip: flags.skipRule } : {}),
  });
  if (ruleSet.effectErrors.length) {
    for (const e of ruleSet.effectErrors) process.stderr.write(`tollgate: ${e}\n`);
    return EXIT.usage;
  }
  // Warnings about rule settings point at the key in the configuration file.
  for (const d of ruleSet.diagnostics) {
    if (d.configKey?.[0] !== 'rules' || !config.origin) continue;
    const key = d.configKey[1];
    const at = key === undefined ? undefined : config.origin.ruleKeys[key];
    d.file = config.origin.file;
    if (at) d.location = { file: config.origin.file, start: at, end: { line: at.line, column: at.column + key!.length } };
  }
  const unitTimeout = flags.unitTimeout === undefined ? undefined : Number(flags.unitTimeout);
  if (unitTimeout !== undefined && (!Number.isFinite(unitTimeout) || unitTimeout < 0 || flags.unitTimeout!.trim() === '')) {
    process.stderr.write(`tollgate: --unit-timeout must be a number of seconds (0: no limit), not '${flags.unitTimeout}'\n`);
    return EXIT.usage;
  }
  const shard = flags.shard === undefined ? undefined : parseShard(flags.shard);
  if (shard && !shard.ok) return usageError(shard.error);
  if (scanned === undefined && flags.changedSince !== undefined) {
    const changed = changedFiles(flags.changedSince, paths, cwd);
    if ('error' in changed) {
      process.stderr.write(`tollgate: ${changed.error}\n`);
      return EXIT.usage;
    }
    if (flags.verbose) process.stderr.write(`changed since ${flags.changedSince}: ${changed.length} file${changed.length === 1 ? '' : 's'}\n`);
    scanned = changed;
  }
  const options: ScanOptions = {
    unitTimeoutSeconds: unitTimeout,
    ruleSet,
    paths: scanned ?? paths,
    cwd,
    exclude: [...(config.exclude ?? []), ...(flags.exclude ?? [])],
    include: [...(config.include ?? []), ...(flags.include ?? [])],
    // Every changed file is named, a README as much as a template: what is not a deployment file is skipped.
    skipUnrecognized: flags.skipUnrecognized || flags.changedSince !== undefined,
    standalone: flags.standalone,
    links: config.links,
    parameterDefaults: config.parameters,
    suppressions: configSuppressions(config),
    inlineSuppressions: flags.inlineSuppressions !== false,
    parameters: flags.parameters,
    deployment: { ...deployment, ...fromFlags },
    env: { ...config.env, ...envFromFlags },
    ...(config.bicep?.moduleCache !== undefined && { bicepModuleCache: config.bicep.moduleCache }),
    debug: flags.debug,
    ...(shard && { shard: shard.value }),
    ...(flags.cache !== undefined && { cache: flags.cache, cacheIdentity: configIdentity(config, spec, cwd) }),
  };
  return { options, plan, maxChars: maxChars.value, reportUrl };
}

async function scanWithConfig(paths: string[], flags: ScanFlags, cwd: string, config: TollgateConfig, plugins: readonly Rule[]): Promise<number> {
  const setup = scanSetup(paths, flags, cwd, config, plugins);
  if (typeof setup === 'number') return setup;
  const { options, plan, maxChars, reportUrl } = setup;
  const jobs = flags.jobs === undefined ? defaultJobs() : Number(flags.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) return usageError(`--jobs must be a whole number of threads, 1 or more, not '${flags.jobs}'`);
  // A long scan keeps its heap near what it holds: the garbage of units already done is collected
  // sooner, so peak memory follows the largest unit rather than the number of files (docs/cli.md, Scale).
  setFlagsFromString('--heap-growing-percent=50');
  // V8 optimizes a function once it has run this much bytecode (67,584 by default). A scan runs
  // much of its code briefly, over many small units: with the default, the optimizing compiler (on
  // V8's own threads) spent CPU on code that hardly ran after. With 1,000,000, CLI A/B medians of 9:
  // 20 MB JSON corpus --jobs 1 CPU 3.00 -> 2.26 s, wall 2.07 -> 1.90 s; --jobs 2 wall 2.09 -> 1.87 s;
  // `scan examples/` the same (136 against 140 ms); 3,000,000 no better. Set before any worker
  // starts: V8's flags are the process's.
  setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET}`);
  options.boundHeap = true;
  const progress = createProgress(process.stderr);
  options.onProgress = (done, total) => progress.update(done, total);
  const runner =
    jobs > 1 && flags.workerEntry
      ? workerPool({
          entry: flags.workerEntry,
          data: { paths, flags: { ...flags, workerEntry: undefined, afterScan: undefined }, cwd, scanned: options.paths } satisfies WorkerData,
          jobs,
          ...WORKER_THRESHOLD,
          ...(flags.workerThreshold === false && { minUnits: 0, minSize: 0 }),
        })
      : undefined;
  const result = await scanWith(options, runner);
  progress.finish();
  // The reports carry the message of an internal error; its stack is for a bug report only.
  // File names and messages from the input are made visible (an ESC in a name would act on the terminal).
  for (const d of result.diagnostics)
    if (d.stack) process.stderr.write(visible(`tollgate: internal error while scanning ${d.file ?? ''}:\n${d.stack}\n`, 'lf'));
  if (flags.verbose) for (const s of result.skipped) process.stderr.write(`skipped ${visible(s.path)}: ${visible(s.reason)}\n`);
  if (flags.verbose && runner?.started)
    process.stderr.write(`scanned in ${runner.started + 1} threads (${runner.started} worker${runner.started === 1 ? '' : 's'} and the main thread)\n`);
  if (flags.verbose && result.cache) process.stderr.write(`result cache: ${result.cache.hits} units reused, ${result.cache.misses} scanned\n`);
  if (flags.writeBaseline) {
    const baseline = baselineOf(result.findings, new Date());
    if (!writeOrSay(flags.writeBaseline, JSON.stringify(baseline, null, 2) + '\n')) return EXIT.inputErrors;
    process.stdout.write(`wrote ${baseline.findings.length} finding${baseline.findings.length === 1 ? '' : 's'} to ${flags.writeBaseline}\n`);
    // Input that could not be read is still an error: the baseline would silently miss it.
    return result.diagnostics.some((d) => d.severity === 'error') ? EXIT.inputErrors : EXIT.ok;
  }
  if (flags.baseline) {
    let baseline;
    try {
      baseline = readBaseline(path.resolve(cwd, flags.baseline), flags.baseline);
    } catch (err) {
      if (!(err instanceof BaselineError)) throw err;
      process.stderr.write(`tollgate: ${err.message}\n`);
      return EXIT.usage;
    }
    if (baseline.version === 1) {
      // Still honoured (by the old identity), but tied to the deployment context: say how to move on.
      process.stderr.write(
        `tollgate: ${flags.baseline} is a version 1 baseline, whose entries name resources by their evaluated names (a change of --resource-group or --subscription-id makes them new); write it again with \`tollgate baseline write\` (see docs/cli.md)\n`,
      );
    }
    const compared = compareWithBaseline(result.findings, baseline);
    result.findings = compared.fresh;
    result.baseline = { file: flags.baseline, known: compared.known, fixed: compared.fixed };
  }
  if (flags.afterScan) return flags.afterScan(result, flags.failOn ?? config.failOn ?? 'error');
  // A report that cannot be written (a full disk, no permission) is said, the others are still
  // written, and the run fails as an incomplete result does.
  let unwritten = false;
  for (const { format, file } of plan) {
    const color =
      !file && format === 'pretty' && flags.color && Boolean(process.stdout.isTTY) && !('NO_COLOR' in process.env && process.env['NO_COLOR'] !== '');
    const options = { color, verbose: flags.verbose, quiet: flags.quiet, showSuppressed: flags.showSuppressed, maxChars, reportUrl };
    const text = render(format, result, options);
    if (file) unwritten = !writeOrSay(file, text) || unwritten;
    else if (text) process.stdout.write(text.endsWith('\n') ? text : text + '\n');
  }
  // Annotations for GitHub Actions: the job's summary page gets the Markdown summary too.
  if (plan.some((p) => p.format === 'github')) appendJobSummary(result, process.env, reportUrl);
  return unwritten ? EXIT.inputErrors : exitCodeFor(result, flags.failOn ?? config.failOn ?? 'error');
}

function usageError(message: string): number {
  process.stderr.write(`tollgate: ${message}\n`);
  return EXIT.usage;
}

/** `--effect guid=Deny` -> { guid: 'Deny' }; a malformed entry is a usage error. */
function parseEffects(entries: string[]): Result<Record<string, string>> {
  // No prototype: `--effect __proto__=Deny` is a key like any other (then reported as naming no definition), not a prototype change.
  const out = Object.create(null) as Record<string, string>;
  for (const e of entries) {
    const i = e.lastIndexOf('=');
    if (i <= 0 || i === e.length - 1) return fail(`--effect expects <policy>=<effect>, got '${e}'`);
    out[e.slice(0, i)] = e.slice(i + 1);
  }
  return ok(out);
}

/** Bytecode a function runs before V8 optimizes it, in a scan (see scanWithConfig). */
const INTERRUPT_BUDGET = 1_000_000;

/**
 * Threads for a scan when --jobs is not given: every core, but one thread on a machine of two
 * cores or fewer. There one thread already keeps the second core partly busy (V8's compiler and
 * collector), and the bench measured `--jobs 2` no faster: 0.93-1.07x of `--jobs 1` on 20 MB, with
 * a worker's memory on top (docs/performance.md); --jobs still asks for it.
 */
function defaultJobs(): number {
  const cores = availableParallelism();
  return cores <= 2 ? 1 : cores;
}
