import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { repoRoot } from '../helpers.js';

// The house's checks, run by `npm test` like any other test so that the runner's summary counts
// them: the linter, the formatter and the import rules (docs/architecture.md, "Checks"). Each is
// an npm script, so a failure here is reproduced, and fixed, with the same command.

// The runner sets FORCE_COLOR for its own output; the checks' messages are read as text here.
function withoutColour(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { FORCE_COLOR: _force, ...rest } = env;
  return rest;
}

function run(script: string): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', '--silent', script], {
      cwd: repoRoot(),
      env: { ...withoutColour(process.env), NO_COLOR: '1' },
    });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output }));
  });
}

const CHECKS: { script: string; what: string; fix: string }[] = [
  { script: 'lint', what: 'eslint (typescript-eslint recommended)', fix: 'fix the code each message names; `npx eslint --fix .` fixes some' },
  { script: 'format:check', what: 'prettier', fix: 'run `npm run format`' },
  {
    script: 'deps',
    what: 'dependency-cruiser (.dependency-cruiser.cjs: no cycles, the stages import only the ones below them)',
    fix: 'move the import or the code to the stage the rule allows',
  },
];

describe('checks', { concurrency: CHECKS.length }, () => {
  for (const c of CHECKS) {
    test(`npm run ${c.script}: ${c.what}`, async () => {
      const r = await run(c.script);
      assert.equal(r.status, 0, `npm run ${c.script} failed (exit ${r.status}); to fix: ${c.fix}\n${r.output}`);
    });
  }
});
