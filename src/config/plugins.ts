import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isDefinedRule, type DefinedRule } from '../rules/define-rule.js';
import { optionProblems } from '../rules/rule-options.js';
import { keyNamesRule } from '../rules/rule-settings.js';
import type { Rule } from '../rules/rule.js';
import { ConfigError, type TollgateConfig } from './config.js';

const LOADABLE = new Set(['.js', '.mjs']);

/** `file:line:col: ` of `plugins[i]` in the configuration, or the file alone. */
function placeOf(config: TollgateConfig, i: number): string {
  const at = config.origin?.plugins?.[i];
  return `${config.origin?.file ?? 'configuration'}${at ? `:${at.line}:${at.column}` : ''}`;
}

/**
 * Loads the rule modules named by `plugins:`. Each must be an ES module (.js or .mjs) whose every
 * export is a rule made with `defineRule` (or a list of them). A module that does not load, an
 * export that is not a rule, and an id already taken are configuration errors naming the file.
 */
export async function loadPlugins(config: TollgateConfig, taken: readonly Rule[]): Promise<DefinedRule[]> {
  const out: DefinedRule[] = [];
  const ids = new Map<string, string>(taken.map((r) => [r.meta.id.toLowerCase(), 'a shipped rule']));
  for (const [i, abs] of (config.plugins ?? []).entries()) {
    const shown = path.relative(process.cwd(), abs) || abs;
    const fail = (why: string): never => {
      throw new ConfigError(`${placeOf(config, i)}: plugins[${i}] ${shown}: ${why}`);
    };
    const ext = path.extname(abs).toLowerCase();
    if (ext === '.ts' || ext === '.mts' || ext === '.cts')
      fail(
        'Node.js cannot load TypeScript here: compile the plugin to JavaScript (.js or .mjs) first and name the compiled file ' +
          '(see docs/configuration.md#plugins)',
      );
    if (!LOADABLE.has(ext)) fail(`a plugin is an ES module ending in .js or .mjs, not '${ext || 'no extension'}'`);
    if (!existsSync(abs) || !statSync(abs).isFile()) fail('no such file');
    let module: Record<string, unknown>;
    try {
      module = (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
    } catch (err) {
      fail(`the module failed to load: ${(err as Error).message.split('\n')[0]}`);
      return out;
    }
    const found: DefinedRule[] = [];
    for (const [name, value] of Object.entries(module)) {
      const list = Array.isArray(value) ? (value as unknown[]) : [value];
      const bad = list.findIndex((v) => !isRuleObject(v));
      if (bad >= 0 || !list.length) {
        fail(
          `export '${name}'${Array.isArray(value) ? ` (item ${bad})` : ''} is not a rule: ` +
            "every export of a plugin must be a rule made with defineRule from 'tollgate', or a list of them",
        );
      }
      found.push(...(list as DefinedRule[]));
    }
    if (!found.length) fail("exports no rule (export default defineRule({ … }), with defineRule from 'tollgate')");
    for (const rule of found) {
      const key = rule.meta.id.toLowerCase();
      const other = ids.get(key);
      if (other) fail(`rule id '${rule.meta.id}' is already taken by ${other}: give the plugin's rule another id`);
      ids.set(key, shown);
      out.push(rule);
    }
  }
  return out;
}

function isRuleObject(v: unknown): v is DefinedRule {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Partial<DefinedRule>;
  return typeof r.check === 'function' && typeof r.meta?.id === 'string' && Array.isArray(r.meta.appliesTo) && isDefinedRule(r as Rule);
}

/**
 * `rules.<key>.options` checked against the options schema of each rule the key names: the first
 * problem is a configuration error at the option's line (or the rule key's).
 */
export function checkRuleOptions(config: TollgateConfig, rules: readonly Rule[]): void {
  for (const [key, setting] of Object.entries(config.rules ?? {})) {
    if (!setting.options) continue;
    for (const rule of rules.filter((r) => keyNamesRule(key, r))) {
      const problem = optionProblems(rule, setting.options)[0];
      if (!problem) continue;
      const at = (problem.option !== undefined ? config.origin?.optionKeys?.[key]?.[problem.option] : undefined) ?? config.origin?.ruleKeys[key];
      const file = config.origin?.file ?? 'configuration';
      throw new ConfigError(
        `${file}${at ? `:${at.line}:${at.column}` : ''}: rules.${key}.${problem.message}${rule.meta.id !== key ? ` (rule ${rule.meta.id})` : ''}`,
      );
    }
  }
}
