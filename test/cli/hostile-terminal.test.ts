import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot, template, tempTree } from '../helpers.js';

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
const run = (args: string[], cwd: string) => spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

// Terminal escapes (clear screen), CR, C1 CSI and a bidi override, as a template could carry them.
const HOSTILE = '\u001b[2J\r\u009b\u202e';
const SHOWN = '\\x1b[2J\\r\\x9b\\u202e';
const ACTIVE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

test('messages on the terminal outside the reports show control characters as escapes: scan --verbose, expand, policy test', () => {
  const dir = tempTree({
    [`notes${HOSTILE}.json`]: '{"just": "data"}',
    'main.json': template({
      resources: [
        {
          type: 'Microsoft.ApiManagement/service/backends',
          apiVersion: '2022-08-01',
          name: `svc/b${HOSTILE}`,
          properties: { url: `[parameters('${HOSTILE}')]` },
        },
      ],
    }),
    'backend.json': JSON.stringify({
      type: 'Microsoft.ApiManagement/service/backends',
      name: `svc/b${HOSTILE}`,
      properties: { url: 'https://b', tls: { validateCertificateChain: false } },
    }),
  });
  const scan = run(['scan', '.', '--verbose', '-f', 'json'], dir);
  assert.ok(scan.stderr.includes(`skipped notes${SHOWN}.json`), scan.stderr);
  assert.doesNotMatch(scan.stderr, ACTIVE);

  const expand = run(['expand', 'main.json'], dir);
  assert.equal(expand.status, 3);
  assert.ok(expand.stderr.includes(SHOWN), expand.stderr);
  assert.doesNotMatch(expand.stderr, ACTIVE);

  const policy = path.join(repoRoot(), 'catalog/policies/apim/BackendCertificateChecks_AuditDeny.json');
  const test = run(['policy', 'test', policy, 'backend.json'], dir);
  assert.equal(test.status, 1, test.stderr);
  assert.ok(test.stdout.includes(`svc/b${SHOWN}`), test.stdout);
  assert.doesNotMatch(test.stdout, ACTIVE);
  // JSON stays exact: JSON.stringify escapes what must be escaped.
  const json = run(['policy', 'test', policy, 'backend.json', '-f', 'json'], dir);
  assert.ok((JSON.parse(json.stdout) as { results: { resource: string }[] }).results[0]!.resource.includes(`svc/b${HOSTILE}`));
});
