import type { Diagnostic } from '../../load/diagnostic.js';
import type { JsonDocument } from '../../load/json-document.js';
import type { Resource } from '../../resources/resource.js';
import type { FunctionTable } from '../expression/context.js';
import type { NotFollowed } from './not-followed.js';

// The state of one expansion, apart from the expander (deployment-expansion.ts) so that the
// modules it calls (nested-deployment.ts) and the linked-file loader (src/input/) can name it
// without importing the expander back.

/**
 * Why a linked file could not be loaded. `refused`: the sandbox would not read it (outside the
 * sandbox, too large, not a regular file), so what it deploys is left unchecked by a rule of the
 * scan rather than by the file; otherwise it is missing, unreadable or not a template.
 */
export interface LinkedLoadFailure {
  reason: string;
  refused: boolean;
}

/** Reads a template or parameter file linked by a path relative to the linking file, or says why it cannot. */
export type LinkedLoader = (fromAbsPath: string, relativePath: string) => JsonDocument | LinkedLoadFailure;

/**
 * An absolute link URL mapped to a local file (the configuration's `links:` prefixes): the file's
 * absolute path and the prefix that matched, for the note saying so. Undefined: not mapped.
 */
export type RemoteLinkResolver = (uri: string) => { path: string; prefix: string } | undefined;

/** State shared by a top-level expansion and every deployment nested in it. */
export interface ExpansionRun {
  diagnostics: Diagnostic[];
  /** Every resource produced, in deployment-declaration order. */
  resources: Resource[];
  functions: FunctionTable;
  loadLinked?: LinkedLoader;
  /** Nested deployments (and Bicep modules) not expanded, with why: the scan's coverage counts them. */
  notFollowed?: NotFollowed[];
  resolveRemoteLink?: RemoteLinkResolver;
}
