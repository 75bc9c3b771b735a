import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Document, LineCounter, Node as YamlNode } from 'yaml';
import { SHIPPED_INITIATIVES } from '../policy/policy-inputs.js';
import { matchInitiative } from '../policy/initiative-names.js';
import { PACK_ONLY } from '../policy/default-set.js';
import { packageRoot } from '../package-root.js';
import { isCalendarDate } from '../findings/suppressions.js';
import type { DeploymentContext } from '../arm/expression/context.js';
import { didYouMean } from '../did-you-mean.js';
import { Sandbox } from '../load/sandbox.js';
import type { Suppression } from '../findings/finding.js';

/** The configuration file's contents, as the schema in schema/tollgate.schema.json describes them. */
export interface TollgateConfig {
  include?: string[];
  exclude?: string[];
  parameters?: { files: string; values: Record<string, unknown> }[];
  suppressions?: { rule: string; reason: string; expires?: string; resourceType?: string; resourceName?: string; file?: string }[];
  failOn?: 'error' | 'warning' | 'note' | 'never';
  deployment?: Partial<Omit<DeploymentContext, 'now'>> & { now?: string };
  rules?: Record<string, RuleSettings>;
  /**
   * `rules.default`, taken out of `rules` when read: the initiatives whose built-in definitions
   * join the API Management pack in the default rule set (`apim`: the pack alone). Unset: `mcsb`.
   */
  defaultRules?: string[];
  /** Azure Policy inputs: paths relative to the configuration file (initiatives may be shipped short names). */
  policy?: { definitions?: string[]; initiatives?: string[]; assignments?: string[]; exemptions?: string[] };
  /** Default reports when the command line names none: formats, and a file per format (absolute once read). */
  output?: { formats?: string[]; files?: Record<string, string> };
  /** URL prefixes of linked templates and the folders they map to (absolute once read). */
  links?: Record<string, string>;
  /** Environment variables for Bicep's readEnvironmentVariable() (text once read). */
  env?: Record<string, string>;
  /** Rule modules to load (absolute once read). */
  plugins?: string[];
  /** Bicep settings: `moduleCache`, a folder of registry modules for offline scans (absolute once read). */
  bicep?: { moduleCache?: string };
  /**
   * Filled in when read, not written by users: the file as shown, where each `rules` key is and
   * where each suppression starts (by index), for messages about them.
   */
  origin?: {
    file: string;
    ruleKeys: Record<string, { line: number; column: number }>;
    suppressions?: { line: number; column: number }[];
    /** Where each option key of `rules.<key>.options` is, by rule key then option name. */
    optionKeys?: Record<string, Record<string, { line: number; column: number }>>;
    /** Where each `plugins` entry is, by index. */
    plugins?: { line: number; column: number }[];
  };
}

/** A rule's settings in the configuration (keyed by rule id, policy guid or display name). */
export interface RuleSettings {
  effect?: string;
  enabled?: boolean;
  level?: 'error' | 'warning' | 'note';
  severity?: 'critical' | 'high' | 'medium' | 'low' | 'informational';
  options?: Record<string, unknown>;
  parameters?: Record<string, unknown>;
}

/** A configuration file that cannot be used: bad usage, exit code 2, with file:line:column. */
export class ConfigError extends Error {}

export const CONFIG_NAMES = ['tollgate.yaml', '.tollgate.yaml', 'tollgate.yml', '.tollgate.yml', 'tollgate.json', '.tollgate.json'];

/** Looks for a configuration file in `start` (a file's folder, or a folder) and each folder above it. */
export function findConfig(start: string): string | undefined {
  let dir = existsSync(start) && statSync(start).isDirectory() ? start : path.dirname(start);
  for (;;) {
    for (const name of CONFIG_NAMES) {
      const candidate = path.join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

let validator: ValidateFunction | undefined;

/** Alias expansions a configuration may make; a real one makes a handful. */
const MAX_ALIAS_COUNT = 100;

// Ajv and yaml are loaded only when there is a configuration file to read: together they
// would add about a third to the start-up time of every scan.
const load = createRequire(import.meta.url);
const yamlLib = () => load('yaml') as typeof import('yaml');
const ajvLib = () => load('ajv') as typeof import('ajv');

/**
 * Reads and validates a configuration file (YAML, or JSON, which YAML reads too). Every
 * problem names the file, line and column of the offending key or value.
 */
export interface LoadConfigOptions {
  /**
   * Set for a configuration that was found (not given with -c): it may sit in the scanned tree,
   * written by whoever wrote the templates, so the files it names (reports to write, policy files
   * to read) must stay inside this sandbox or the configuration's own work tree.
   */
  confineTo?: Sandbox;
}

/**
 * The schema's validator: the one `npm run build` compiled (scripts/prepare-config-validator.mjs,
 * dist/config-validator.cjs) while the schema hashes as it did then, else compiled now. Loading
 * Ajv and compiling the schema cost ~100 ms of every scan with a configuration file.
 */
export function configValidator(): ValidateFunction {
  if (validator) return validator;
  const schemaText = readFileSync(path.join(packageRoot(), 'schema', 'tollgate.schema.json'), 'utf8');
  try {
    const built = load(path.join(packageRoot(), 'dist', 'config-validator.cjs')) as ValidateFunction & { schemaSha256?: unknown };
    if (built.schemaSha256 === createHash('sha256').update(schemaText).digest('hex')) return (validator = built);
  } catch {
    // not built (a checkout without `npm run build`, the action's bundle): compiled below
  }
  return (validator = compileConfigValidator(schemaText));
}

/**
 * Ajv's options for the schema, here and at build time. verbose: an error carries its schema, whose
 * known keys make the "did you mean" of an unknown key.
 */
export const CONFIG_SCHEMA_OPTIONS = { allErrors: false, strict: true, verbose: true } as const;

/** The validator compiled now. */
export function compileConfigValidator(schemaText: string): ValidateFunction {
  return new (ajvLib().Ajv)(CONFIG_SCHEMA_OPTIONS).compile(JSON.parse(schemaText));
}

export function loadConfig(file: string, shownAs = file, options: LoadConfigOptions = {}): TollgateConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${shownAs}: cannot read the configuration file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  const { LineCounter, parseDocument } = yamlLib();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const firstError = doc.errors[0];
  if (firstError) {
    const at = lines.linePos(firstError.pos[0]);
    throw new ConfigError(`${shownAs}:${at.line}:${at.col}: ${firstError.message.split('\n')[0]}`);
  }
  let value: unknown;
  try {
    // An alias bomb ("billion laughs": aliases of aliases of lists) would expand to gigabytes:
    // the yaml package counts alias expansions and stops; say so with the file's name.
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {};
  } catch (err) {
    throw new ConfigError(`${shownAs}: cannot read the configuration file: ${(err as Error).message}`);
  }
  const validate = configValidator();
  if (!validate(value)) {
    const error = validate.errors![0]!;
    const { node, what } = offendingNode(doc, error);
    const at = node?.range ? lines.linePos(node.range[0]) : { line: 1, col: 1 };
    throw new ConfigError(`${shownAs}:${at.line}:${at.col}: ${what}`);
  }
  const config = value as TollgateConfig;
  const { isMap, isScalar, isSeq } = yamlLib();
  const rulesNode = doc.get('rules', true);
  // Keyed by what the user wrote: without a prototype, `rules: { __proto__: … }` is a key like any other.
  const ruleKeys = Object.create(null) as Record<string, { line: number; column: number }>;
  const optionKeys = Object.create(null) as Record<string, Record<string, { line: number; column: number }>>;
  if (isMap(rulesNode)) {
    for (const pair of rulesNode.items) {
      if (isScalar(pair.key) && pair.key.range) {
        const at = lines.linePos(pair.key.range[0]);
        ruleKeys[String(pair.key.value)] = { line: at.line, column: at.col };
        const options = isMap(pair.value) ? pair.value.get('options', true) : undefined;
        if (!isMap(options)) continue;
        const here = (optionKeys[String(pair.key.value)] = Object.create(null) as Record<string, { line: number; column: number }>);
        for (const o of options.items) {
          if (!isScalar(o.key) || !o.key.range) continue;
          const p = lines.linePos(o.key.range[0]);
          here[String(o.key.value)] = { line: p.line, column: p.col };
        }
      }
    }
  }
  const pluginsNode = doc.get('plugins', true);
  const pluginsAt = isSeq(pluginsNode)
    ? pluginsNode.items.map((item) => lines.linePos((item as YamlNode).range?.[0] ?? 0)).map((p) => ({ line: p.line, column: p.col }))
    : [];
  // Where each suppression is (an unused one is reported there), and a calendar check of its
  // date: the schema's pattern lets 2021-02-30 through, which would never expire.
  const suppressionsNode = doc.get('suppressions', true);
  const suppressionAt: { line: number; column: number }[] = [];
  if (isSeq(suppressionsNode)) {
    suppressionsNode.items.forEach((item, i) => {
      const start = lines.linePos((item as YamlNode).range?.[0] ?? 0);
      suppressionAt.push({ line: start.line, column: start.col });
      // The schema asks for a non-empty reason; blanks are no reason either (as in templates and Bicep comments).
      const reason = config.suppressions?.[i]?.reason;
      if (reason !== undefined && !reason.trim()) {
        const node = doc.getIn(['suppressions', i, 'reason'], true) as YamlNode | undefined;
        const at = node?.range ? lines.linePos(node.range[0]) : start;
        throw new ConfigError(`${shownAs}:${at.line}:${at.col}: suppressions[${i}].reason is blank: accepting a risk must say why`);
      }
      const expires = config.suppressions?.[i]?.expires;
      if (expires === undefined || isCalendarDate(expires)) return;
      const key = isMap(item) ? item.items.find((p) => isScalar(p.key) && p.key.value === 'expires')?.key : undefined;
      const at = isScalar(key) && key.range ? lines.linePos(key.range[0]) : start;
      throw new ConfigError(
        `${shownAs}:${at.line}:${at.col}: suppressions[${i}].expires '${expires}' is not a date of the calendar (use YYYY-MM-DD, e.g. 2027-01-31)`,
      );
    });
  }
  config.origin = { file: shownAs, ruleKeys, suppressions: suppressionAt, optionKeys, plugins: pluginsAt };
  if (config.rules && Object.hasOwn(config.rules, 'default')) {
    const given = config.rules.default as unknown as string | string[];
    delete config.rules.default;
    delete ruleKeys.default;
    config.defaultRules = Array.isArray(given) ? given : [given];
    config.defaultRules.forEach((name, i) => {
      if (name.trim().toLowerCase() === PACK_ONLY) return;
      const match = matchInitiative(name);
      if (match.kind === 'shipped' || match.kind === 'builtin') return;
      const node = (Array.isArray(given) ? doc.getIn(['rules', 'default', i], true) : doc.getIn(['rules', 'default'], true)) as YamlNode | undefined;
      const at = node?.range ? lines.linePos(node.range[0]) : { line: 1, col: 1 };
      const why =
        match.kind === 'ambiguous' ? `names several built-in initiatives: ${match.candidates.slice(0, 5).join('; ')}` : 'names no built-in initiative';
      throw new ConfigError(
        `${shownAs}:${at.line}:${at.col}: rules.default '${name}' ${why} (use ${PACK_ONLY}, mcsb, another short name such as nist-sp-800-53, a guid or a display name; see docs/configuration.md)`,
      );
    });
  }
  const dir = path.dirname(path.resolve(file));
  if (config.policy) config.policy = resolvePolicyPaths(config.policy, dir);
  if (config.output?.files) config.output.files = Object.fromEntries(Object.entries(config.output.files).map(([format, f]) => [format, path.resolve(dir, f)]));
  if (config.plugins) config.plugins = config.plugins.map((p) => path.resolve(dir, p));
  if (config.links) config.links = Object.fromEntries(Object.entries(config.links).map(([prefix, folder]) => [prefix, path.resolve(dir, folder)]));
  if (config.bicep?.moduleCache !== undefined) config.bicep.moduleCache = path.resolve(dir, config.bicep.moduleCache);
  if (config.env) config.env = Object.fromEntries(Object.entries(config.env).map(([name, v]) => [name, String(v)]));
  if (options.confineTo)
    confinePaths(config, doc, lines, shownAs, [options.confineTo, Sandbox.forPaths([path.resolve(file)], { cwd: dir, registryCache: false })]);
  return config;
}

/**
 * A found configuration must not write reports or read policy files outside the sandbox (the
 * scanned paths' work tree) or its own work tree: `output.files.json: ../../elsewhere/x.json`
 * would otherwise create folders anywhere. The error points at the value's line.
 */
function confinePaths(config: TollgateConfig, doc: Document, lines: LineCounter, shownAs: string, allowed: Sandbox[]): void {
  const inside = (abs: string) => allowed.some((s) => s.check(abs).ok);
  const fail = (keyPath: (string | number)[], given: unknown, what: string): never => {
    const node = doc.getIn(keyPath, true) as YamlNode | undefined;
    const at = node?.range ? lines.linePos(node.range[0]) : { line: 1, col: 1 };
    throw new ConfigError(
      `${shownAs}:${at.line}:${at.col}: ${keyPath.join('.')} '${String(given)}' is outside ${allowed[0]!.describe()} and the configuration's own work tree or folder; a configuration found in the scanned tree ${what} only inside them (give the path on the command line, or the configuration with -c)`,
    );
  };
  for (const [format, abs] of Object.entries(config.output?.files ?? {})) {
    if (!inside(abs)) fail(['output', 'files', format], doc.getIn(['output', 'files', format]), 'writes reports');
  }
  // A plugin is code that runs with the user's rights: a found configuration may not reach outside.
  (config.plugins ?? []).forEach((p, i) => {
    if (!inside(p)) fail(['plugins', i], doc.getIn(['plugins', i]), 'loads plugins');
  });
  // A module mirror is a folder the scan reads from: outside the sandbox it could open anything.
  if (config.bicep?.moduleCache !== undefined && !inside(config.bicep.moduleCache))
    fail(['bicep', 'moduleCache'], doc.getIn(['bicep', 'moduleCache']), 'reads Bicep modules');
  for (const key of ['definitions', 'initiatives', 'assignments', 'exemptions'] as const) {
    (config.policy?.[key] ?? []).forEach((p, i) => {
      // Shipped initiative short names (mcsb, …) stay as written: they are not paths.
      if (path.isAbsolute(p) && !inside(p)) fail(['policy', key, i], doc.getIn(['policy', key, i]), 'reads policy files');
    });
  }
}

/** Policy paths in the configuration are relative to it (shipped initiative short names stay as they are). */
function resolvePolicyPaths(policy: NonNullable<TollgateConfig['policy']>, dir: string): NonNullable<TollgateConfig['policy']> {
  const resolve = (list: string[] | undefined, shortNames: readonly string[] = []) =>
    list?.map((p) => (shortNames.includes(p.toLowerCase()) ? p : path.resolve(dir, p)));
  // A built-in initiative named by short name, guid or display name stays as written, unless a file of that name is there.
  const builtIn = (p: string) => !existsSync(path.resolve(dir, p)) && ['shipped', 'builtin'].includes(matchInitiative(p).kind);
  return {
    definitions: resolve(policy.definitions),
    initiatives: policy.initiatives?.map((p) => (Object.hasOwn(SHIPPED_INITIATIVES, p.toLowerCase()) || builtIn(p) ? p : path.resolve(dir, p))),
    assignments: resolve(policy.assignments),
    exemptions: resolve(policy.exemptions),
  };
}

/** Turns an Ajv error into the YAML node to point at and a sentence about it. */
function offendingNode(doc: Document, error: ErrorObject): { node: YamlNode | undefined; what: string } {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const where = segments.length ? segments.join('.') : 'the top level';
  const { isMap, isScalar } = yamlLib();
  const target = (segments.length ? doc.getIn(segments, true) : doc.contents) as YamlNode | undefined;
  if (error.keyword === 'additionalProperties') {
    const key = String((error.params as { additionalProperty: string }).additionalProperty);
    const keyNode = isMap(target) ? target.items.find((p) => isScalar(p.key) && p.key.value === key)?.key : undefined;
    const known = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
    return { node: (keyNode as YamlNode | undefined) ?? target, what: `unknown key '${key}' in ${where}${didYouMean(key, known)}` };
  }
  if (error.keyword === 'enum') {
    const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.map(String);
    const given = isScalar(target) ? ` '${String(target.value)}'` : '';
    return { node: target, what: `${where}${given} is not one of ${allowed.join(', ')}` };
  }
  return { node: target, what: `${where} ${error.message ?? 'is not valid'}` };
}

/** The Azure Policy effects the configuration sets (`rules.<id>.effect`), by rule key. */
export function configEffects(config: TollgateConfig): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const [id, settings] of Object.entries(config.rules ?? {})) if (settings.effect) out[id] = settings.effect;
  return out;
}

/** The configuration's suppressions, each with where it is written, so that an unused one is reported at its line. */
export function configSuppressions(config: TollgateConfig): Suppression[] {
  return (config.suppressions ?? []).map((s, i) => {
    const at = config.origin?.suppressions?.[i];
    const location = at && config.origin ? { file: config.origin.file, start: at, end: { line: at.line, column: at.column + 1 } } : undefined;
    return { ...s, kind: 'external' as const, ...(location ? { location } : {}) };
  });
}
