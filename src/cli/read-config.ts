import path from 'node:path';
import { findConfig, loadConfig, type TollgateConfig } from '../config/config.js';
import { Sandbox } from '../load/sandbox.js';

/**
 * The configuration `scan` and `expand` use: the file given with -c, none for --no-config, else
 * the one found in the first path or a folder above it. A found one may have come with the
 * scanned files, so the files it names must stay inside their sandbox (ConfigError otherwise).
 */
export function readConfig(paths: string[], explicit: string | false | undefined, cwd: string, parameters: string[] = []): TollgateConfig {
  if (explicit === false) return {};
  const file = explicit ? path.resolve(cwd, explicit) : findConfig(path.resolve(cwd, paths[0] ?? '.'));
  if (!file) return {};
  // A configuration given with -c is the user's choice; one found may come with the scanned files.
  const confineTo = explicit ? undefined : Sandbox.forPaths([...(paths.length ? paths : ['.']), ...parameters], { cwd, registryCache: false });
  return loadConfig(file, path.relative(cwd, file) || file, { confineTo });
}
