// The fuzzer's own machinery: the watchdog, the heap limit and the classification must really
// catch what they claim to, or a green fuzz pass means nothing. Also the saved reproducers:
// every one under test/fuzz/reproducers/ (a fixed bug) must now pass; those in pending/ (open
// bugs) are listed as skipped, visibly.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { repoRoot } from '../helpers.js';
import { minimize } from './minimize.js';
import { Pool, signatureOf, srcFrames } from './pool.js';
import { readReproducers } from './reproducers.js';

describe('fuzz harness', () => {
  const pool = new Pool({ jobs: 1, timeoutMs: 3_000, maxOldMb: 128 });
  after(() => pool.close());

  test('an input error is a normal outcome; a TypeError is a crash', async () => {
    assert.equal((await pool.run({ target: 'selftest', text: 'input-error' })).kind, 'ok');
    const crash = await pool.run({ target: 'selftest', text: 'throw' });
    assert.equal(crash.kind, 'crash');
    assert.equal(crash.kind === 'crash' && crash.name, 'TypeError');
  });

  test('a stack overflow is a crash whose signature names the recursion', async () => {
    const o = await pool.run({ target: 'selftest', text: 'overflow' });
    assert.equal(o.kind, 'crash');
    assert.match(o.kind === 'crash' ? o.signature : '', /^crash\|RangeError: Maximum call stack size exceeded\|/);
  });

  test('the watchdog stops a hung worker, and the next input runs on a fresh one', async () => {
    const spawned = pool.spawned;
    const o = await pool.run({ target: 'selftest', text: 'hang' }, 500);
    assert.equal(o.kind, 'hang');
    assert.equal(o.kind === 'hang' && o.signature, 'hang|Timeout|selftest|evaluate');
    assert.ok(pool.spawned > spawned, 'a worker was started to replace the hung one');
    assert.equal((await pool.run({ target: 'json', text: '{"a": [1, 2]}' })).kind, 'ok');
  });

  test('a worker over its heap limit is an oom, not a crash of the fuzzer', async () => {
    const o = await pool.run({ target: 'selftest', text: 'oom' }, 30_000);
    assert.equal(o.kind, 'oom');
    assert.equal((await pool.run({ target: 'expr', text: "[concat('a', 'b')]" })).kind, 'ok');
  });

  test('a real pipeline input that is fine is ok', async () => {
    const template = JSON.stringify({
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      resources: [{ type: 'Microsoft.ApiManagement/service', apiVersion: '2022-08-01', name: 'svc', properties: {} }],
    });
    for (const target of ['arm', 'scan', 'json'] as const) assert.equal((await pool.run({ target, text: template })).kind, 'ok', target);
    assert.equal((await pool.run({ target: 'bicep', text: "param p string = 'x'\noutput o string = p\n" })).kind, 'ok');
  });
});

describe('fuzz signatures', () => {
  const stack = [
    'TypeError: Cannot read properties of undefined',
    '    at ProgramLowering.module (file:///work/x/.test-build/src/bicep/lower/lower-program.js:120:7)',
    '    at Array.map (<anonymous>)',
    '    at ProgramLowering.lower (/work/x/.test-build/src/bicep/lower/lower-program.js:80:3)',
    '    at Object.run (/work/x/.test-build/test/fuzz/targets.js:10:1)',
  ].join('\n');

  test('frames inside src/ only, without line numbers, .js named as .ts', () => {
    assert.deepEqual(srcFrames(stack), ['ProgramLowering.module@src/bicep/lower/lower-program.ts', 'ProgramLowering.lower@src/bicep/lower/lower-program.ts']);
  });

  test('the same bug at other lines or with another message has the same signature', () => {
    const moved = stack.replace(':120:7', ':999:1').replace('undefined', 'null');
    assert.equal(signatureOf('crash', 'TypeError', 'a', stack, 'lower', 'bicep'), signatureOf('crash', 'TypeError', 'b', moved, 'lower', 'bicep'));
  });

  test('hangs are told apart by entry point and stage', () => {
    assert.notEqual(signatureOf('hang', 'Timeout', '', '', 'lower', 'bicep'), signatureOf('hang', 'Timeout', '', '', 'expand', 'bicep'));
  });
});

test('minimize removes everything the failure does not need', async () => {
  const text = 'line one\nnoise noise\nBOOM here\nmore noise\n'.repeat(3);
  const stats = { tries: 0, accepted: 0 };
  const out = await minimize(text, async (t) => t.includes('BOOM'), performance.now() + 5_000, stats);
  assert.equal(out, 'BOOM');
  assert.ok(stats.accepted > 0);
});

describe('saved reproducers', () => {
  const all = readReproducers(path.join(repoRoot(), 'test/fuzz/reproducers'));
  // Only started when some reproducer is to run.
  let pool: Pool | undefined;
  after(() => pool?.close());

  test('sidecars are consistent with their folder', () => {
    for (const r of all) {
      assert.equal(r.sidecar.fixed, !r.pending, `${r.file}: "fixed" must be ${!r.pending} in ${r.pending ? 'pending/' : 'reproducers/'}`);
      assert.match(r.sidecar.signature, /^(crash|hang|oom)\|/);
    }
  });

  for (const r of all) {
    const name = `${path.basename(r.file, '.repro.json')} (${r.sidecar.kind} in ${r.sidecar.target}: ${r.sidecar.message.slice(0, 80)})`;
    if (r.pending) {
      // Visible in the test output: the bug is known and open. Moving the files out of pending/
      // (and setting "fixed": true) turns this into a regression test.
      test(name, { skip: 'pending: bug not fixed yet (move it out of pending/ when the fix lands)' }, () => {});
      continue;
    }
    test(name, async () => {
      pool ??= new Pool({ jobs: 1, timeoutMs: 10_000, maxOldMb: 1024 });
      const o = await pool.run(r.input);
      assert.equal(o.kind, 'ok', o.kind === 'ok' ? '' : `${o.kind}: ${o.signature}: ${o.message}`);
    });
  }
});
