import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { temporaryName, writeFileAtomic, WriteError } from '../../src/cli/write-output.js';
import { template, tempTree } from '../helpers.js';

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
const run = (args: string[], cwd: string) => spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
const BACKEND = template({
  resources: [{ type: 'Microsoft.ApiManagement/service/backends', apiVersion: '2022-08-01', name: 'svc/b', properties: { url: 'http://b' } }],
});

test('an atomic write removes temporary files that killed runs left beside the same target, and leaves those of live processes and other targets', async () => {
  const dir = tempTree({});
  const target = path.join(dir, 'x.json');
  // A process that is alive for the whole write (what `kill -0` finds).
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  try {
    await new Promise<void>((resolve, reject) => child.once('spawn', resolve).once('error', reject));
    const stale = path.join(dir, '.x.json.99999999.tmp');
    const live = path.join(dir, temporaryName('x.json', child.pid!));
    const otherTarget = path.join(dir, '.y.json.99999999.tmp');
    const notOurs = path.join(dir, '.x.json.backup.tmp');
    for (const f of [stale, live, otherTarget, notOurs]) writeFileSync(f, 'partial');
    writeFileAtomic(target, '{"ok":true}\n');
    assert.equal(readFileSync(target, 'utf8'), '{"ok":true}\n');
    assert.equal(existsSync(stale), false, 'the dead process its temporary file is removed');
    assert.equal(existsSync(live), true, 'a live writer its temporary file is left alone');
    assert.equal(existsSync(otherTarget), true, 'another target its temporary files are not ours to judge');
    assert.equal(existsSync(notOurs), true, 'only the .NAME.<pid>.tmp pattern is touched');
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.includes(String(process.pid))),
      [],
      'our own temporary file is gone after the rename',
    );
  } finally {
    child.kill();
  }
});

test('an atomic write onto a folder fails with "is a directory" and leaves no temporary file', () => {
  const dir = tempTree({ 'out/keep.txt': 'x' });
  assert.throws(
    () => writeFileAtomic(path.join(dir, 'out'), 'text'),
    (err: Error) => err instanceof WriteError && err.message === `cannot write ${path.join(dir, 'out')}: is a directory`,
  );
  assert.deepEqual(readdirSync(dir), ['out']);
});

test(
  'a device or a pipe is written to, not replaced: /dev/null stays a device, a FIFO passes the text to its reader',
  { skip: process.platform === 'win32' },
  async () => {
    writeFileAtomic('/dev/null', 'report\n');
    assert.ok(statSync('/dev/null').isCharacterDevice(), '/dev/null is still a device');
    const dir = tempTree({});
    const fifo = path.join(dir, 'pipe');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    const reader = spawn('cat', [fifo]);
    let read = '';
    reader.stdout.on('data', (chunk: Buffer) => (read += chunk.toString()));
    const done = new Promise<void>((resolve) => reader.once('close', () => resolve()));
    writeFileAtomic(fifo, '{"ok":true}\n');
    await done;
    assert.equal(read, '{"ok":true}\n');
    assert.ok(statSync(fifo).isFIFO(), 'the FIFO is still one');
    assert.deepEqual(readdirSync(dir), ['pipe']);
  },
);

test('-o naming a folder is a usage error before the scan; -o into missing folders creates them; -o under a file says why', () => {
  const dir = tempTree({ 'main.json': BACKEND });
  mkdirSync(path.join(dir, 'reports'));
  for (const args of [
    ['-o', 'reports'],
    ['-f', 'json,sarif', '-o', 'json=reports', '-o', 'sarif=r.sarif'],
  ]) {
    const r = run(['scan', 'main.json', ...args], dir);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr, 'tollgate: cannot write reports: is a directory\n');
    assert.equal(existsSync(path.join(dir, 'r.sarif')), false, 'nothing written');
  }
  const e = run(['expand', 'main.json', '-o', 'reports'], dir);
  assert.equal(e.status, 2);
  assert.equal(e.stderr, 'tollgate: cannot write reports: is a directory\n');
  const b = run(['baseline', 'write', 'reports', 'main.json'], dir);
  assert.equal(b.status, 2);
  assert.equal(b.stderr, 'tollgate: cannot write reports: is a directory\n');

  const created = run(['scan', 'main.json', '-f', 'sarif', '-o', 'new/deeper/tollgate.sarif'], dir);
  assert.equal(created.status, 1, created.stderr);
  assert.equal(JSON.parse(readFileSync(path.join(dir, 'new/deeper/tollgate.sarif'), 'utf8')).version, '2.1.0');

  const underFile = run(['scan', 'main.json', '-o', 'main.json/report.txt'], dir);
  assert.equal(underFile.status, 3);
  assert.equal(
    underFile.stderr,
    'tollgate: cannot write main.json/report.txt: cannot create the folder main.json: a part of the path is a file, not a directory\n',
  );
});

test('--initiative constructor / __proto__ and --effect __proto__=… are clean errors, not internal errors', () => {
  const dir = tempTree({ 'main.json': BACKEND });
  for (const name of ['constructor', '__proto__', 'toString']) {
    const r = run(['scan', 'main.json', '--initiative', name], dir);
    assert.equal(r.status, 3, r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, /internal error/);
    assert.match(r.stdout, new RegExp(`cannot read --initiative '${name}': no such file or folder \\(a file, or one of: mcsb`));
  }
  const e = run(['scan', 'main.json', '--effect', '__proto__=Deny'], dir);
  assert.equal(e.status, 2, e.stdout + e.stderr);
  assert.equal(e.stderr, "tollgate: effect for '__proto__': no built-in policy definition has that id or display name\n");
});
