import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, tempTree } from '../helpers.js';
import { LspClient } from './client.js';

const BUNDLE = path.join(repoRoot(), 'dist/bundle/tollgate.mjs');

/** The files the bundle's entry loads before any command runs: its static imports, followed. */
function staticClosure(entry: string): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (file: string) => {
    if (out.has(file)) return;
    const text = readFileSync(file, 'utf8');
    out.set(file, text);
    // esbuild writes static imports as `import … from "./chunks/x.mjs"` or `import "./chunks/x.mjs"`; import() calls are lazy.
    for (const m of text.matchAll(/^\s*(?:import|export)\s+(?:[^'"();]*?\s+from\s+)?["'](\.{1,2}\/[^"']+)["']/gm))
      visit(path.resolve(path.dirname(file), m[1]!));
  };
  visit(entry);
  return out;
}

test('the bundle loads the language server only for `tollgate lsp`: --version and scan do not read it', () => {
  const closure = staticClosure(BUNDLE);
  // The entry imports shared chunks statically (commander, the CLI's helpers): the walk must have found them.
  assert.ok(closure.size >= 3, `${closure.size} files`);
  for (const [file, text] of closure) assert.ok(!text.includes('textDocument/publishDiagnostics'), `${path.basename(file)} holds the protocol`);
  // …and the server is reachable through a dynamic import.
  assert.match(closure.get(BUNDLE)!, /import\("\.\/chunks\/server-[^"]+\.mjs"\)/);
});

test('`tollgate lsp --stdio` from the bundle answers initialize and publishes diagnostics', async () => {
  const root = tempTree({ 'main.bicep': readFileSync(path.join(repoRoot(), 'examples/bicep/main.bicep'), 'utf8') });
  const client = new LspClient([], 'dist/bundle/tollgate.mjs');
  try {
    const result = (await client.initialize(root)) as { serverInfo: { name: string; version: string } };
    assert.equal(result.serverInfo.name, 'tollgate');
    const file = path.join(root, 'main.bicep');
    await client.open(file);
    const diagnostics = await client.waitFor(file, (d) => d.length > 0);
    assert.ok(diagnostics.some((d) => d.code === 'APIM-Ciphers'));
  } finally {
    await client.close();
  }
});

test('edits in quick succession are checked once, after the debounce (initializationOptions.debounceMs)', async () => {
  const root = tempTree({ 'main.bicep': readFileSync(path.join(repoRoot(), 'examples/bicep/main.bicep'), 'utf8') });
  const file = path.join(root, 'main.bicep');
  const client = new LspClient();
  try {
    // Long enough that five notifications written back to back always fall within it.
    await client.initialize(root, { debounceMs: 1000 });
    await client.open(file);
    await client.waitFor(file, (d) => d.length > 0);
    const since = client.published.length;
    const text = readFileSync(file, 'utf8');
    for (let i = 1; i <= 5; i++) await client.change(file, text + '\n'.repeat(i));
    await client.waitFor(file, (d) => d.length > 0, since);
    // Nothing else arrives for a while: one scan answered the five edits.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(client.published.slice(since).filter((p) => p.uri.endsWith('/main.bicep')).length, 1);
  } finally {
    await client.close();
  }
});

test('`tollgate lsp --debounce` takes milliseconds; anything else is bad usage', () => {
  const run = spawnSync(process.execPath, [path.join(repoRoot(), 'dist/cli/main.js'), 'lsp', '--debounce', 'soon'], { encoding: 'utf8', input: '' });
  assert.equal(run.status, 2);
  assert.match(run.stderr, /--debounce must be a number of milliseconds, not 'soon'/);
});
