import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, tempTree } from '../helpers.js';

// End to end with a real editor's client: Neovim's built-in LSP client, headless, driven by
// test/lsp/nvim/init.lua (0.7 API). .ci/run installs Debian's neovim; without it the test is skipped.
const NVIM = ['/usr/bin/nvim', '/usr/local/bin/nvim'].find((p) => existsSync(p));
const FILES = ['noncompliant/apim.json', 'noncompliant/apim.parameters.json', 'bicep/main.bicep', 'bicep/main.bicepparam'];

/** `tollgate scan`'s findings for the same files, as `file line rule`: what the editor must show. */
function scanned(root: string): string[] {
  const run = spawnSync(process.execPath, [path.join(repoRoot(), 'dist/cli/main.js'), 'scan', '.', '-f', 'json', '--no-config'], {
    cwd: root,
    encoding: 'utf8',
  });
  const report = JSON.parse(run.stdout) as { findings: { ruleId: string; location?: { file: string; start: { line: number } } }[] };
  return report.findings.map((f) => `${f.location!.file} ${f.location!.start.line} ${f.ruleId}`).sort();
}

/** One Neovim session for both tests: what init.lua wrote, and what `tollgate scan` reports for the same files. */
let session: { lines: string[]; expected: string[] } | undefined;
function runNeovim(nvim: string): { lines: string[]; expected: string[] } {
  if (session) return session;
  const root = tempTree({});
  for (const rel of FILES) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    copyFileSync(path.join(repoRoot(), 'examples', rel), path.join(root, rel));
  }
  const expected = scanned(root);
  const out = path.join(root, 'nvim-out.txt');
  const run = spawnSync(nvim, ['--headless', '--clean', '-u', path.join(repoRoot(), 'test/lsp/nvim/init.lua')], {
    cwd: root,
    encoding: 'utf8',
    timeout: 180_000,
    env: {
      ...process.env,
      TOLLGATE_ROOT: root,
      TOLLGATE_FILES: FILES.join(';'),
      TOLLGATE_OUT: out,
      TOLLGATE_NODE: process.execPath,
      TOLLGATE_CLI: path.join(repoRoot(), 'dist/cli/main.js'),
    },
  });
  assert.ok(existsSync(out), `Neovim wrote its results (status ${run.status}, signal ${run.signal}, stderr ${run.stderr})`);
  session = { lines: readFileSync(out, 'utf8').trim().split('\n'), expected };
  return session;
}

test('Neovim (headless, built-in LSP client) shows the seed findings at their lines; a suppression applied makes its diagnostic go', (t) => {
  if (!NVIM) {
    t.skip('nvim is not installed (.ci/run installs Debian neovim)');
    return;
  }
  const { lines, expected } = runNeovim(NVIM);
  assert.deepEqual(
    lines.filter((l) => l.startsWith('error')),
    [],
  );
  assert.equal(lines.at(-1), 'done');
  const shown = lines
    .filter((l) => l.startsWith('diag '))
    .map((l) => l.slice('diag '.length))
    .sort();
  assert.ok(expected.length >= 20, `the seed examples have findings (${expected.length})`);
  assert.deepEqual(shown, expected);
  // The seed checks at the lines the examples name (HTTP backends: one from the parameter file, one from a default).
  for (const at of [
    'noncompliant/apim.json 60 APIM-HTTPBackend',
    'noncompliant/apim.json 80 APIM-HTTPBackend',
    'bicep/main.bicep 34 APIM-HTTPBackend',
    'bicep/main.bicep 50 APIM-HTTPBackend',
  ])
    assert.ok(shown.includes(at), at);
  // A suppression applied in each template: one HTTP-backend finding of two goes.
  assert.deepEqual(
    lines.filter((l) => l.startsWith('suppress ')),
    ['suppress noncompliant/apim.json APIM-HTTPBackend 2 1', 'suppress bicep/main.bicep APIM-HTTPBackend 2 1'],
  );
});

test("Neovim applies a rule's fix offered as a code action and the diagnostic goes", (t) => {
  if (!NVIM) {
    t.skip('nvim is not installed (.ci/run installs Debian neovim)');
    return;
  }
  const fixes = runNeovim(NVIM).lines.filter((l) => l.startsWith('fix '));
  // One per template: a fix offered and applied in the ARM template and in the Bicep file, and the
  // diagnostic it fixed gone after the server re-checked the edited buffer.
  assert.equal(fixes.length, 2, fixes.join('\n'));
  assert.match(fixes[0]!, /^fix noncompliant\/apim\.json \d+ \S+ gone$/);
  assert.match(fixes[1]!, /^fix bicep\/main\.bicep \d+ \S+ gone$/);
});
