import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FORMATS } from '../../src/report/index.js';
import { template, tempTree } from '../helpers.js';

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');

// Enough findings that every format writes well over a pipe's 64 KB buffer, so the CLI is still
// writing when the reader goes away (as `| head` does).
function bigTemplate(): string {
  const resources: unknown[] = [];
  for (let i = 0; i < 250; i++)
    resources.push({
      type: 'Microsoft.ApiManagement/service/backends',
      apiVersion: '2022-08-01',
      name: `svc/backend-${i}`,
      properties: { url: `http://b${i}.example`, protocol: 'http' },
    });
  return template({ resources });
}

/** Runs the CLI, reads the first chunk of its standard output and closes the pipe. */
function runAndCloseEarly(args: string[], cwd: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; read: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    let read = 0;
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.once('data', (chunk: Buffer) => {
      read = chunk.length;
      child.stdout.destroy();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr, read }));
  });
}

test('tollgate scan | head: a reader that closes early ends the run quietly, with the exit code of the scan, in every format', async () => {
  const dir = tempTree({ 'main.json': bigTemplate() });
  const runs = await Promise.all(FORMATS.map(async (format) => ({ format, ...(await runAndCloseEarly(['scan', 'main.json', '--format', format], dir)) })));
  for (const r of runs) {
    assert.ok(r.read > 0, `${r.format}: something was read first`);
    assert.equal(r.stderr, '', `${r.format}: nothing on standard error (no EPIPE stack trace)`);
    assert.equal(r.signal, null, r.format);
    // The scan's own verdict: error-level findings (http backends).
    assert.equal(r.code, 1, `${r.format}: ${r.stderr}`);
  }
});

/** Runs the CLI with a standard output or error whose reader is gone before the first write. */
function runWithClosed(stream: 'stdout' | 'stderr', args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; other: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let other = '';
    child[stream].destroy();
    child[stream === 'stdout' ? 'stderr' : 'stdout'].setEncoding('utf8').on('data', (d: string) => (other += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, other }));
  });
}

test("tollgate --help | head, scan --help, help scan, --version, rules: commander's own output and the rules list end quietly on a closed pipe", async () => {
  const commands = [['--help'], ['scan', '--help'], ['help', 'scan'], ['policy', '--help'], ['--version'], ['rules']];
  const runs = await Promise.all(
    commands.flatMap((args) => [
      (async () => ({ args, how: 'closed first', ...(await runWithClosed('stdout', args)) }))(),
      (async () => ({
        args,
        how: 'closed after the first chunk',
        ...(await runAndCloseEarly(args, process.cwd()).then((r) => ({ code: r.code, signal: r.signal, other: r.stderr }))),
      }))(),
    ]),
  );
  for (const r of runs) {
    const name = `${r.args.join(' ')} (${r.how})`;
    assert.equal(r.other, '', `${name}: nothing on standard error (no EPIPE stack trace)`);
    assert.equal(r.signal, null, name);
    assert.equal(r.code, 0, name);
  }
});

test('a usage error with standard error closed still exits 2, quietly', async () => {
  for (const args of [['scan', '--bogus'], ['nope'], ['scan', '-f', 'nope', '.']]) {
    const r = await runWithClosed('stderr', args);
    assert.equal(r.signal, null, args.join(' '));
    assert.equal(r.code, 2, args.join(' '));
  }
});
