import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type Diagnostic,
  type MessageConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver/node';
import { repoRoot } from '../helpers.js';

/** A JSON-RPC client of `tollgate lsp --stdio`, spawned from the build, that records every publishDiagnostics. */
export class LspClient {
  readonly connection: MessageConnection;
  /** Every publication, in order (the latest per uri is what the editor shows). */
  readonly published: PublishDiagnosticsParams[] = [];
  private readonly waiters: { test: () => boolean; resolve: () => void }[] = [];
  private readonly child: ChildProcess;
  stderr = '';

  /** `bin`: the CLI to start, relative to the repository (the unbundled build by default; the bundle is what users run). */
  constructor(args: string[] = [], bin = 'dist/cli/main.js') {
    this.child = spawn(process.execPath, [path.join(repoRoot(), bin), 'lsp', '--stdio', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.connection = createMessageConnection(new StreamMessageReader(this.child.stdout!), new StreamMessageWriter(this.child.stdin!));
    this.connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.published.push(p);
      for (const w of [...this.waiters]) if (w.test()) w.resolve();
    });
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onRequest('workspace/configuration', () => []);
    this.connection.listen();
  }

  async initialize(root: string, initializationOptions: object = {}): Promise<unknown> {
    const result = await this.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: uri(root),
      workspaceFolders: [{ uri: uri(root), name: 'test' }],
      capabilities: {},
      initializationOptions,
    });
    await this.connection.sendNotification('initialized', {});
    return result;
  }

  async open(file: string, text = readFileSync(file, 'utf8')): Promise<void> {
    const languageId = /\.bicep$/.test(file) ? 'bicep' : /\.bicepparam$/.test(file) ? 'bicep-params' : 'json';
    await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: uri(file), languageId, version: 1, text } });
  }

  private versions = new Map<string, number>();

  /** Replaces the whole text (a full-document change, which every server accepts). */
  async change(file: string, text: string): Promise<void> {
    const version = (this.versions.get(file) ?? 1) + 1;
    this.versions.set(file, version);
    await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri: uri(file), version }, contentChanges: [{ text }] });
  }

  /** The diagnostics last published for a file (undefined when none were). */
  latest(file: string): Diagnostic[] | undefined {
    const u = uri(file);
    return [...this.published].reverse().find((p) => p.uri === u)?.diagnostics;
  }

  /** Resolves when a publication for the file satisfies `test`, counting only publications after `since`. */
  waitFor(file: string, test: (d: Diagnostic[]) => boolean, since = 0, timeoutMs = 20_000): Promise<Diagnostic[]> {
    const u = uri(file);
    const match = () => [...this.published.slice(since)].reverse().find((p) => p.uri === u && test(p.diagnostics))?.diagnostics;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching diagnostics for ${file} within ${timeoutMs} ms; stderr: ${this.stderr}`)), timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve(match()!);
      };
      if (match()) return done();
      this.waiters.push({ test: () => match() !== undefined, resolve: done });
    });
  }

  async close(): Promise<void> {
    try {
      await this.connection.sendRequest('shutdown');
      await this.connection.sendNotification('exit');
    } catch {
      // Already gone.
    }
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    const timer = setTimeout(() => this.child.kill(), 5000);
    await exited;
    clearTimeout(timer);
    this.connection.dispose();
  }
}

export function uri(file: string): string {
  return pathToFileURL(file).href;
}

/** `line:code` of each diagnostic, 1-based lines as the scan reports them, sorted. */
export function linesAndCodes(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => `${d.range.start.line + 1}:${String(d.code)}`).sort((a, b) => parseInt(a) - parseInt(b) || a.localeCompare(b));
}
