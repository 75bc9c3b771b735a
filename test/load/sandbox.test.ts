import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MAX_INPUT_FILE_BYTES, MAX_PATH_LENGTH, Sandbox } from '../../src/load/sandbox.js';
import { tempTree } from '../helpers.js';

// The sandbox itself: what it lets a scan read. The Bicep and ARM paths that go through it are
// tested in test/input/sandboxed-reads.test.ts.

const SECRET = 'TOPSECRET-do-not-print';

/** outer/secret.txt beside outer/repo/ (the scanned folder, no git work tree). */
function layout(): { outer: string; repo: string } {
  const outer = tempTree({ 'secret.txt': SECRET, 'repo/main.bicep': "param p string = 'x'\n", 'repo/sub/data.txt': 'inside' });
  return { outer, repo: path.join(outer, 'repo') };
}

const refused = (r: { ok: boolean; reason?: string; refused?: boolean }) => !r.ok && r.refused === true && /outside the sandbox/.test(r.reason ?? '');

test('sandbox: files inside the scanned folder are read; `..` out of it and absolute paths are refused', () => {
  const { repo } = layout();
  const box = Sandbox.forPaths([repo], { cwd: repo, registryCache: false });
  const inside = box.readText(path.join(repo, 'sub/data.txt'));
  assert.ok(inside.ok && inside.value === 'inside');
  assert.ok(refused(box.readText(path.join(repo, '../secret.txt'))));
  assert.ok(refused(box.readText(path.join(repo, 'sub/../../secret.txt'))));
  assert.ok(refused(box.readText('/etc/hostname')));
  assert.ok(refused(box.readText('/proc/self/environ')));
  // A missing file outside is refused as outside, not reported missing (that would tell what exists).
  assert.ok(refused(box.readText(path.join(repo, '../no-such-file.txt'))));
  const missing = box.readText(path.join(repo, 'no-such-file.txt'));
  assert.ok(!missing.ok && !missing.refused && /does not exist/.test(missing.reason));
  assert.match(box.describe(), /^the scanned path /);
});

test('sandbox: a symbolic link pointing out is refused, one pointing in is read, a loop is refused', () => {
  const { outer, repo } = layout();
  symlinkSync(path.join(outer, 'secret.txt'), path.join(repo, 'innocent.txt'));
  symlinkSync(path.join(repo, 'sub/data.txt'), path.join(repo, 'alias.txt'));
  symlinkSync(outer, path.join(repo, 'up'));
  symlinkSync(path.join(repo, 'loop-b'), path.join(repo, 'loop-a'));
  symlinkSync(path.join(repo, 'loop-a'), path.join(repo, 'loop-b'));
  const box = Sandbox.forPaths([repo], { cwd: repo, registryCache: false });
  assert.ok(refused(box.readText(path.join(repo, 'innocent.txt'))));
  assert.ok(refused(box.readText(path.join(repo, 'up/secret.txt'))), 'a linked folder pointing out');
  const alias = box.readText(path.join(repo, 'alias.txt'));
  assert.ok(alias.ok && alias.value === 'inside');
  const loop = box.readText(path.join(repo, 'loop-a'));
  assert.ok(!loop.ok && loop.refused && /symbolic link loop/.test(loop.reason));
});

test('sandbox: the git work tree holding the scanned path is the sandbox (.git a folder or a file)', () => {
  const repo = tempTree({ 'main.bicep': '', 'tests/e2e/x/main.test.bicep': '', 'docs/notes.txt': 'notes' });
  mkdirSync(path.join(repo, '.git'));
  const box = Sandbox.forPaths(['tests'], { cwd: repo, registryCache: false });
  assert.ok(box.readText(path.join(repo, 'docs/notes.txt')).ok);
  assert.match(box.describe(), /^the git work tree /);
  assert.ok(refused(box.readText(path.join(repo, '../outside.txt'))));
  // A worktree or submodule has a .git file.
  const worktree = tempTree({ '.git': 'gitdir: /elsewhere\n', 'a/b.bicep': '', 'c.txt': 'c' });
  assert.ok(Sandbox.forPaths([path.join(worktree, 'a')], { cwd: worktree, registryCache: false }).readText(path.join(worktree, 'c.txt')).ok);
});

test('sandbox: Bicep registry cache stays readable', () => {
  const { repo } = layout();
  const cache = tempTree({ 'br/mcr.microsoft.com/bicep$avm$res$x/1.0.0$/main.json': '{}', 'ts/s/g/n/1/main.json': '{}', 'other.txt': 'x' });
  const box = Sandbox.forPaths([repo], { cwd: repo, registryCache: cache });
  assert.ok(box.readText(path.join(cache, 'br/mcr.microsoft.com/bicep$avm$res$x/1.0.0$/main.json')).ok);
  assert.ok(box.readText(path.join(cache, 'ts/s/g/n/1/main.json')).ok);
  // Only the br and ts folders: the cache root itself is not a place to read from.
  assert.equal(box.readText(path.join(cache, 'other.txt')).ok, false);
});

test('sandbox: a file larger than MAX_INPUT_FILE_BYTES is a clear refusal, not an out-of-memory', () => {
  const { repo } = layout();
  const big = path.join(repo, 'big.json');
  writeFileSync(big, '');
  truncateSync(big, MAX_INPUT_FILE_BYTES + 1); // sparse: no disk used
  const box = Sandbox.forPaths([repo], { cwd: repo, registryCache: false });
  const r = box.readText(big);
  assert.ok(!r.ok && r.refused && /32\.0 MiB, more than Tollgate reads \(32 MiB\)/.test(r.reason), !r.ok ? r.reason : 'read');
});

test('sandbox: the environment is only what was given', () => {
  process.env['TOLLGATE_SANDBOX_TEST'] = 'from-the-real-environment';
  const box = Sandbox.forPaths(['.'], { cwd: process.cwd(), environment: { GIVEN: 'yes' } });
  assert.equal(box.environment.get('GIVEN'), 'yes');
  assert.equal(box.environment.get('TOLLGATE_SANDBOX_TEST'), undefined);
  delete process.env['TOLLGATE_SANDBOX_TEST'];
});

test('sandbox: a path longer than MAX_PATH_LENGTH is refused before any file system call (found by fuzzing: a 125 KB extends path of 20,000 segments took 20 s to resolve)', () => {
  const { repo } = layout();
  const box = Sandbox.forPaths([repo], { cwd: repo, registryCache: false });
  const long = path.join(repo, 'a/'.repeat(60_000) + 'x.bicepparam');
  const read = box.readText(long);
  assert.ok(!read.ok && read.refused && /more than any file system opens \(4,096\)/.test(read.reason), JSON.stringify(read).slice(0, 300));
  // Just under the limit it is an ordinary missing file inside the sandbox.
  const under = path.join(repo, 'b/'.repeat(Math.floor((MAX_PATH_LENGTH - repo.length - 20) / 2)) + 'x.json');
  const missing = box.readText(under);
  assert.ok(!missing.ok && !missing.refused, JSON.stringify(missing));
});

test('sandbox: a file read in a scan is kept for the next reader (a fork too), once; a fork whose reads are recorded reads the disk, a refused or missing file is never kept', () => {
  const { repo } = layout();
  const box = Sandbox.forPaths([repo], { cwd: repo, registryCache: false });
  const file = path.join(repo, 'sub/data.txt');
  const text = (b: Sandbox) => {
    const r = b.readText(file);
    return r.ok ? r.value : r.reason;
  };
  assert.equal(text(box), 'inside');
  writeFileSync(file, 'changed');
  // Discovery's read serves the unit that scans the file: the same view of it.
  assert.equal(text(box.fork()), 'inside');
  // Once: it is not held to the end of the scan, and the next reader reads the disk.
  assert.equal(text(box.fork()), 'changed');
  writeFileSync(file, 'changed twice');
  assert.equal(text(box.fork()), 'changed');
  // The result cache records what a unit read: from the disk, and kept for the fork after it.
  const recorded: string[] = [];
  assert.equal(text(box.fork((_, content) => recorded.push(String(content)))), 'changed twice');
  assert.deepEqual(recorded, ['changed twice']);
  assert.equal(text(box.fork()), 'changed twice');
  // A new scan (a new sandbox) reads the disk.
  writeFileSync(file, 'again');
  assert.equal(text(Sandbox.forPaths([repo], { cwd: repo, registryCache: false })), 'again');
  // A missing file is not kept: written later in the scan, it is read.
  const later = path.join(repo, 'later.txt');
  assert.equal(box.readText(later).ok, false);
  writeFileSync(later, 'now here');
  assert.equal(box.readText(later).ok && (box.readText(later) as { value: string }).value, 'now here');
});
