import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../helpers.js';

// What a user gets from `npm pack`: a tarball that installs globally and runs from any folder,
// with no clone beside it. `npm test` has built dist/ (and the bundle the bin points at) first,
// so the pack skips the prepare script. The install reads npm's cache first (npm ci filled it).
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

test('npm pack: the tarball installs globally and `tollgate scan` runs from a fresh folder', { timeout: 300_000 }, (t) => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'tollgate-pack-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const pack = spawnSync(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], { cwd: repoRoot(), encoding: 'utf8' });
  assert.equal(pack.status, 0, pack.stderr);
  const [packed] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
  const shipped = new Set(packed!.files.map((f) => f.path));
  for (const needed of ['dist/bundle/tollgate.mjs', 'package.json', 'schema/tollgate.schema.json'])
    assert.ok(shipped.has(needed), `${needed} is in the package`);
  assert.ok(
    [...shipped].some((f) => f.startsWith('catalog/policies/')),
    'the policy catalog is in the package',
  );
  assert.ok(![...shipped].some((f) => f.startsWith('test/') || f.startsWith('.test-build/') || f.startsWith('src/')), 'no tests or sources are shipped');

  const prefix = path.join(tmp, 'prefix');
  const install = spawnSync(npm, ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', path.join(tmp, packed!.filename)], {
    cwd: tmp,
    encoding: 'utf8',
  });
  assert.equal(install.status, 0, install.stderr);
  const bin = path.join(prefix, 'bin', 'tollgate');
  assert.ok(existsSync(bin), `the bin is installed: ${readdirSync(path.join(prefix, 'bin')).join(', ')}`);

  // A folder of the user's own, outside any clone of Tollgate.
  const work = path.join(tmp, 'work');
  cpSync(path.join(repoRoot(), 'examples'), work, { recursive: true });
  const env = { ...process.env, NO_COLOR: '1' };
  const version = spawnSync(bin, ['--version'], { cwd: work, encoding: 'utf8', env });
  assert.equal(version.stdout.trim(), '0.1.0');
  const clean = spawnSync(bin, ['scan', 'compliant'], { cwd: work, encoding: 'utf8', env });
  assert.equal(clean.status, 0, clean.stdout + clean.stderr);
  const bad = spawnSync(bin, ['scan', 'noncompliant', '-f', 'json'], { cwd: work, encoding: 'utf8', env });
  assert.equal(bad.status, 1, bad.stderr);
  const report = JSON.parse(bad.stdout) as { findings: { ruleId: string }[] };
  assert.ok(
    report.findings.some((f) => f.ruleId === '92bb331d-ac71-416a-8c91-02f2cb734ce4'),
    'the seed policy fires from the installed package',
  );
  // The bundle reads a YAML configuration with the installed yaml and ajv.
  writeFileSync(path.join(work, 'tollgate.yaml'), 'exclude:\n  - noncompliant/\n  - bicep/\n');
  const configured = spawnSync(bin, ['scan', '.'], { cwd: work, encoding: 'utf8', env });
  assert.equal(configured.status, 0, configured.stdout + configured.stderr);
  writeFileSync(path.join(work, 'tollgate.yaml'), 'exclude: 3\n');
  const badConfig = spawnSync(bin, ['scan', '.'], { cwd: work, encoding: 'utf8', env });
  assert.equal(badConfig.status, 2, badConfig.stderr);
  assert.match(badConfig.stderr, /tollgate\.yaml:1:10/);
});
