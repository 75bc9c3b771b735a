import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CodeActionKind,
  createConnection,
  DidChangeWatchedFilesNotification,
  DiagnosticSeverity,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type InitializeParams,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CONFIG_NAMES } from '../config/config.js';
import { relatedFiles } from '../input/related-files.js';
import type { LinkGraph } from '../input/link-graph.js';
import { Sandbox } from '../load/sandbox.js';
import { isFile } from '../load/file-kind.js';
import { scan } from '../scan.js';
import { packageVersion } from '../package-root.js';
import { codeActionsFor } from './code-actions.js';
import { DiagnosticStore, fileUri, recordOf, SOURCE } from './diagnostics.js';
import { hoverFor, contains } from './hover.js';
import { configFileFor, settingsFor, type ScanSettings } from './settings.js';

/** How long the server waits after the last keystroke before scanning (the user is still typing). */
export const DEFAULT_DEBOUNCE_MS = 150;

export interface ServerOptions {
  /** Milliseconds between the last edit and the scan; the client's `initializationOptions.debounceMs` wins. */
  debounceMs?: number;
  /** Today, for the expiry of suppressions written by code actions and for suppression expiry (tests). */
  today?: () => Date;
}

const SCANNED = /\.(bicep|bicepparam|jsonc?)$/i;
const PARAMETER_FILE = /"\$schema"\s*:\s*"[^"]*deploymentparameters\.json#?"/i;

/** `tollgate lsp`: a language server over standard input and output. */
export function runLanguageServer(options: ServerOptions = {}): void {
  const connection = createConnection(ProposedFeatures.all, process.stdin, process.stdout);
  new TollgateServer(connection, options).listen();
}

class TollgateServer {
  private readonly documents = new TextDocuments(TextDocument);
  private readonly store = new DiagnosticStore();
  /** Unsaved text of the open documents, by absolute path: what the scan reads instead of the disk. */
  private readonly overlay = new Map<string, string>();
  /** Settings by configuration file ('' for none) and working directory, until that file changes. */
  private readonly settings = new Map<string, Promise<ScanSettings>>();
  /** Who links whom, kept between scans; dropped when a file is saved or changes on disk (references may have changed). */
  private readonly linkGraphs = new Map<string, LinkGraph>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private workspaceFolders: string[] = [];
  private debounceMs: number;
  /** Scans run one after the other: each reads the overlay as it is when it starts. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly connection: Connection,
    private readonly options: ServerOptions,
  ) {
    this.debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  }

  listen(): void {
    const { connection, documents } = this;
    connection.onInitialize((params: InitializeParams) => {
      this.workspaceFolders = (params.workspaceFolders ?? []).map((f) => fileURLToPath(f.uri));
      if (!this.workspaceFolders.length && params.rootUri) this.workspaceFolders = [fileURLToPath(params.rootUri)];
      const wanted = (params.initializationOptions as { debounceMs?: unknown } | undefined)?.debounceMs;
      if (typeof wanted === 'number' && Number.isFinite(wanted) && wanted >= 0) this.debounceMs = wanted;
      this.watchConfig = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
      return {
        capabilities: {
          textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
          hoverProvider: true,
          codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        },
        serverInfo: { name: 'tollgate', version: packageVersion() },
      };
    });
    connection.onInitialized(() => {
      if (!this.watchConfig) return;
      const names = CONFIG_NAMES.map((n) => `**/${n}`);
      void connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: [...names.map((globPattern) => ({ globPattern })), { globPattern: '**/*.{bicep,bicepparam,json,jsonc}' }],
      });
    });
    documents.onDidOpen((e) => this.edited(e.document, 0));
    documents.onDidChangeContent((e) => this.edited(e.document, this.debounceMs));
    documents.onDidSave((e) => this.changedOnDisk([fileURLToPath(e.document.uri)]));
    documents.onDidClose((e) => {
      const file = pathOf(e.document.uri);
      if (!file || !SCANNED.test(file)) return;
      this.overlay.delete(file);
      clearTimeout(this.timers.get(file));
      // What is on disk is the truth again.
      if (isFile(file)) this.schedule(file, 0);
    });
    connection.onDidChangeWatchedFiles((e) => this.changedOnDisk(e.changes.map((c) => pathOf(c.uri)).filter((p): p is string => p !== undefined)));
    connection.onHover((p) => {
      const file = pathOf(p.textDocument.uri);
      return file ? (hoverFor(this.store.entries(file), p.position) ?? null) : null;
    });
    connection.onCodeAction((p) => {
      const file = pathOf(p.textDocument.uri);
      const doc = documents.get(p.textDocument.uri);
      if (!file || !doc) return [];
      // Clients echo back what they stored; one without a range (or not ours) matches nothing.
      const asked = p.context.diagnostics.filter((d) => d.source === SOURCE && d.range?.start && d.range.end);
      // The diagnostics the client sends, else those under the cursor.
      const entries = this.store
        .entries(file)
        .filter((e) =>
          asked.length
            ? asked.some((d) => d.code === e.diagnostic.code && d.message === e.diagnostic.message && sameRange(d.range, e.diagnostic.range))
            : contains(e.diagnostic.range, p.range.start),
        );
      return codeActionsFor(entries, p.textDocument.uri, doc.getText(), this.today());
    });
    documents.listen(connection);
    connection.listen();
  }

  private watchConfig = false;

  private today(): Date {
    return this.options.today?.() ?? new Date();
  }

  private edited(document: TextDocument, delay: number): void {
    const file = pathOf(document.uri);
    if (!file || !SCANNED.test(file)) return;
    this.overlay.set(file, document.getText());
    this.schedule(file, delay);
  }

  /** Debounced: the scan of a file starts `delay` ms after its last edit. */
  private schedule(file: string, delay: number): void {
    clearTimeout(this.timers.get(file));
    this.timers.set(
      file,
      setTimeout(() => {
        this.timers.delete(file);
        this.queue = this.queue.then(() => this.check(file)).catch((err: unknown) => this.connection.console.error(`tollgate: ${(err as Error).stack ?? err}`));
      }, delay),
    );
  }

  /** Files saved or changed on disk: references may have changed; a configuration file reloads and everything open is checked again. */
  private changedOnDisk(files: string[]): void {
    this.linkGraphs.clear();
    if (!files.some((f) => CONFIG_NAMES.includes(path.basename(f)))) return;
    this.settings.clear();
    for (const doc of this.documents.all()) {
      const file = pathOf(doc.uri);
      if (file && SCANNED.test(file)) this.schedule(file, 0);
    }
  }

  private cwdFor(file: string): string {
    const folder = this.workspaceFolders
      .filter((f) => file === f || file.startsWith(f.endsWith(path.sep) ? f : f + path.sep))
      .sort((a, b) => b.length - a.length)[0];
    return folder ?? path.dirname(file);
  }

  private settingsOf(file: string, cwd: string): Promise<ScanSettings> {
    const configFile = configFileFor(file);
    const key = `${configFile ?? ''}\u0000${cwd}`;
    let found = this.settings.get(key);
    if (!found) this.settings.set(key, (found = settingsFor(configFile, cwd)));
    return found;
  }

  /** Scans what an edit of `file` affects and publishes the diagnostics of every file whose diagnostics changed. */
  private async check(file: string): Promise<void> {
    if (!isFile(file)) return;
    const cwd = this.cwdFor(file);
    const settings = await this.settingsOf(file, cwd);
    this.reportConfigProblem(settings);
    const result = scan({
      ...settings.options,
      ruleSet: settings.ruleSet,
      paths: this.targetsOf(file, cwd),
      cwd,
      skipUnrecognized: true,
      overlay: this.overlay,
      linkGraphs: this.linkGraphs,
      today: this.today(),
    });
    for (const f of this.store.replace(recordOf(result, file))) this.publish(f);
  }

  /**
   * A parameter file is checked with its template and the template's other parameter files (a
   * finding written in the template and found with several of them is one finding); anything
   * else is named as it is, and the scan takes what it belongs to (its parameter files, the
   * deployments that use a module).
   */
  private targetsOf(file: string, cwd: string): string[] {
    const sandbox = Sandbox.forPaths([file], { cwd, overlay: this.overlay, registryCache: false });
    const read = /\.jsonc?$/i.test(file) ? sandbox.readText(file) : undefined;
    const isParameters = /\.bicepparam$/i.test(file) || (read?.ok === true && PARAMETER_FILE.test(read.value.slice(0, 4096)));
    if (!isParameters) return [file];
    const templates = relatedFiles([file], { cwd, sandbox, standalone: true }).paths.filter((p) => p !== file);
    return templates.length ? templates : [file];
  }

  /** The configuration problem last published, by configuration file: published again only when it changes. */
  private readonly configProblems = new Map<string, string>();

  private reportConfigProblem(settings: ScanSettings): void {
    if (!settings.configFile) return;
    const p = settings.problem;
    const said = p ? `${p.line}:${p.column}:${p.message}` : '';
    if ((this.configProblems.get(settings.configFile) ?? '') === said) return;
    this.configProblems.set(settings.configFile, said);
    const at = p && { line: p.line - 1, character: p.column - 1 };
    this.store.setExtra(
      settings.configFile,
      p && at ? [{ diagnostic: { range: { start: at, end: at }, severity: DiagnosticSeverity.Error, source: SOURCE, message: p.message }, cwd: '' }] : [],
    );
    this.publish(settings.configFile);
  }

  private publish(file: string): void {
    void this.connection.sendDiagnostics({ uri: fileUri(file), diagnostics: this.store.entries(file).map((e) => e.diagnostic) });
  }
}

function pathOf(uri: string): string | undefined {
  return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
}

function sameRange(a: { start: { line: number; character: number }; end: { line: number; character: number } }, b: typeof a): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}
