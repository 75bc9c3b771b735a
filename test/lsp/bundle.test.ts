import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, tempTree } from '../helpers.js';
import { LspClient } from './client.js';

const BUNDLE = path.join(repoRoot(), 'dist/bundle');

test('the bundle loads the language server only for `tollgate lsp`: --version and scan do not read it', () => {
  // The bin runs the CLI script (scripts/bundle.mjs); what else they load is imported when a command needs it.
  const bin = readFileSync(path.join(BUNDLE, 'tollgate.mjs'), 'utf8');
  assert.match(bin, /'\.\/tollgate-cli\.js'/);
  const cli = readFileSync(path.join(BUNDLE, 'tollgate-cli.js'), 'utf8');
  for (const [name, text] of Object.entries({ 'tollgate.mjs': bin, 'tollgate-cli.js': cli }))
    assert.ok(!text.includes('textDocument/publishDiagnostics'), `${name} holds the protocol`);
  // …and the server is reachable through the bin's import(), from the lsp command.
  assert.match(cli, /__tollgateImport\("\.\/lsp-server\.mjs"\)/);
  assert.ok(readFileSync(path.join(BUNDLE, 'lsp-server.mjs'), 'utf8').includes('textDocument/publishDiagnostics'));
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
