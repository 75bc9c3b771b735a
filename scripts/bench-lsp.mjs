#!/usr/bin/env node
// Language server latency (part of `npm run bench`; alone: `node scripts/bench-lsp.mjs` after `npm run build`):
// a generated 1,000-line Bicep file of API Management resources open in `tollgate lsp --stdio`
// (the bundle, as an editor starts it), the median time from a didChange to the publishDiagnostics
// that answers it. Measured with no debounce (the server's own work: the goal is <= 150 ms) and with
// the default 150 ms debounce (what a user waits after the last keystroke).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** A Bicep file of about `lines` lines: one API Management service, then backends, APIs and products, half of them non-compliant. */
export function generateBicep(lines = 1000) {
  const out = [
    "param location string = 'westeurope'",
    "param publisherEmail string = 'platform@contoso.com'",
    '',
    "resource apim 'Microsoft.ApiManagement/service@2023-05-01-preview' = {",
    "  name: 'apim-bench'",
    '  location: location',
    "  sku: { name: 'Premium', capacity: 2 }",
    "  zones: ['1', '2']",
    "  identity: { type: 'SystemAssigned' }",
    '  properties: {',
    '    publisherEmail: publisherEmail',
    "    publisherName: 'Contoso'",
    "    publicNetworkAccess: 'Disabled'",
    "    apiVersionConstraint: { minApiVersion: '2021-08-01' }",
    '  }',
    '}',
    '',
  ];
  for (let i = 0; out.length < lines; i++) {
    const http = i % 2 === 0;
    out.push(
      `resource backend${i} 'Microsoft.ApiManagement/service/backends@2023-05-01-preview' = {`,
      '  parent: apim',
      `  name: 'backend-${i}'`,
      '  properties: {',
      `    title: 'backend ${i}'`,
      "    protocol: 'http'",
      `    url: '${http ? 'http' : 'https'}://service-${i}.contoso.internal/api'`,
      `    tls: { validateCertificateChain: ${http ? 'false' : 'true'}, validateCertificateName: true }`,
      '  }',
      '}',
      '',
      `resource api${i} 'Microsoft.ApiManagement/service/apis@2023-05-01-preview' = {`,
      '  parent: apim',
      `  name: 'api-${i}'`,
      '  properties: {',
      `    displayName: 'API ${i}'`,
      `    description: 'Orders API number ${i}'`,
      `    path: 'orders-${i}'`,
      `    protocols: ['${http ? 'http' : 'https'}']`,
      `    serviceUrl: 'https://service-${i}.contoso.internal/api'`,
      '    subscriptionRequired: true',
      '  }',
      '}',
      '',
    );
  }
  return out.join('\n') + '\n';
}

function median(samples) {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median milliseconds from didChange to the answering publishDiagnostics, over `edits` edits. */
async function measure(bin, file, text, debounceMs, edits) {
  const { createMessageConnection, StreamMessageReader, StreamMessageWriter } = await import('vscode-languageserver/node');
  const child = spawn(process.execPath, [bin, 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const uri = pathToFileURL(file).href;
  let waiting;
  let count = 0;
  connection.onNotification('textDocument/publishDiagnostics', (p) => {
    if (p.uri !== uri) return;
    count = p.diagnostics.length;
    waiting?.();
  });
  connection.onRequest('client/registerCapability', () => null);
  connection.listen();
  const root = pathToFileURL(path.dirname(file)).href;
  await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: root,
    workspaceFolders: [{ uri: root, name: 'bench' }],
    capabilities: {},
    initializationOptions: { debounceMs },
  });
  await connection.sendNotification('initialized', {});
  const published = () => new Promise((resolve) => (waiting = resolve));
  let next = published();
  await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'bicep', version: 1, text } });
  await next;
  const samples = [];
  const counts = new Set();
  for (let i = 0; i < edits; i++) {
    // Alternate one backend's URL between http and https: the diagnostics change with each edit.
    const edited = i % 2 === 0 ? text.replace("url: 'https://service-1.", "url: 'http://service-1.") : text;
    next = published();
    const t0 = performance.now();
    await connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: i + 2 }, contentChanges: [{ text: edited }] });
    await next;
    samples.push(performance.now() - t0);
    counts.add(count);
  }
  await connection.sendRequest('shutdown');
  await connection.sendNotification('exit');
  connection.dispose();
  // Skip the first two edits (warm-up of the server's caches and JIT).
  return { median: median(samples.slice(2)), counts: [...counts].sort((a, b) => a - b) };
}

export async function benchLanguageServer(root, edits = Number(process.env.BENCH_LSP_EDITS ?? 21)) {
  const dir = mkdtempSync(path.join(tmpdir(), 'tollgate-bench-lsp-'));
  try {
    const file = path.join(dir, 'main.bicep');
    const text = generateBicep(1000);
    writeFileSync(file, text);
    const bin = path.join(root, 'dist/bundle/tollgate.mjs');
    const lines = text.split('\n').length - 1;
    const bare = await measure(bin, file, text, 0, edits);
    const debounced = await measure(bin, file, text, 150, edits);
    console.log(`language server, ${lines}-line Bicep file, ${edits - 2} edits (diagnostics per publication: ${bare.counts.join('/')})`);
    console.log(`  didChange -> publishDiagnostics, no debounce   ${bare.median.toFixed(1)} ms (goal <= 150)`);
    console.log(`  the same with the default 150 ms debounce    ${debounced.median.toFixed(1)} ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await benchLanguageServer(path.resolve(here, '..'));
