import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot, tempTree } from '../helpers.js';

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
const run = (args: string[], cwd = repoRoot()) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

test('rules show: a misspelt id or title is exit 2 with the closest rules; nothing close, no suggestion', () => {
  const typo = run(['rules', 'show', 'APIM-HTTPBackendd']);
  assert.equal(typo.status, 2);
  assert.equal(typo.stdout, '');
  assert.match(typo.stderr, /no rule 'APIM-HTTPBackendd' \(did you mean APIM-HTTPBackend\?\)/);
  // A display name from the whole catalog, shown with the id to type.
  const title = run(['rules', 'show', 'Storage accounts should restrict network acces']);
  assert.equal(title.status, 2);
  assert.match(title.stderr, /did you mean 34c877ad-507e-4c82-993e-3452a6e0ad3c \(Storage accounts should restrict network access\)/);
  const nothing = run(['rules', 'show', 'zzzzzzzzzz']);
  assert.equal(nothing.status, 2);
  assert.doesNotMatch(nothing.stderr, /did you mean/);
});

test('rules show takes the start of an id when only one id starts so (in the default set or the catalog), and lists them when several do', () => {
  const policy = run(['rules', 'show', '73ef9241']);
  assert.equal(policy.status, 0, policy.stderr);
  assert.match(policy.stdout, /73ef9241-5d81-4cd4-b483-8443d1730fe5/);
  assert.equal(policy.stdout, run(['rules', 'show', '73ef9241-5d81-4cd4-b483-8443d1730fe5']).stdout);
  // Outside the default set: from the whole built-in catalog.
  const catalog = run(['rules', 'show', 'DB4A9D17']);
  assert.equal(catalog.status, 0, catalog.stderr);
  assert.match(catalog.stdout, /db4a9d17-db75-4f46-9fcb-9f9526604417/);
  const several = run(['rules', 'show', 'apim-c']);
  assert.equal(several.status, 2);
  assert.match(several.stderr, /'apim-c' is the start of 4 rule ids \(APIM-CORSPolicy, APIM-CertificateExpiry, APIM-Ciphers, APIM-ClientCertificate\)/);
});

test('an unknown key in tollgate.yaml names the closest known key at its level; an unrelated one gets no suggestion', () => {
  const cases: [string, RegExp][] = [
    ['exlude:\n  - x\n', /tollgate\.yaml:1:1: unknown key 'exlude' in the top level \(did you mean 'exclude'\?\)/],
    ['output:\n  fromats: [json]\n', /tollgate\.yaml:2:3: unknown key 'fromats' in output \(did you mean 'formats'\?\)/],
    ['rules:\n  APIM-Ciphers:\n    enabld: false\n', /tollgate\.yaml:3:5: unknown key 'enabld' in rules\.APIM-Ciphers \(did you mean 'enabled'\?\)/],
    ['failon: warning\n', /unknown key 'failon' in the top level \(did you mean 'failOn'\?\)/],
  ];
  for (const [yaml, expected] of cases) {
    const r = run(['scan', '.'], tempTree({ 'tollgate.yaml': yaml }));
    assert.equal(r.status, 2, yaml);
    assert.match(r.stderr, expected);
  }
  // A rules key that names no rule: the closest rule ids.
  const rule = run(['scan', '.'], tempTree({ 'tollgate.yaml': 'rules:\n  APIM-Cipher:\n    enabled: false\n' }));
  assert.equal(rule.status, 2);
  assert.match(rule.stderr, /rules\.APIM-Cipher: no rule has that id, equivalent id or display name; did you mean APIM-Ciphers\?/);
  const unrelated = run(['scan', '.'], tempTree({ 'tollgate.yaml': 'zebra: 1\n' }));
  assert.equal(unrelated.status, 2);
  assert.match(unrelated.stderr, /unknown key 'zebra' in the top level\n$/);
});
