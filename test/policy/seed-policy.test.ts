import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Unknown, type ObjectValue } from '../../src/resources/value.js';
import { BACKENDS, SEED_ID, backend, check, makeResource, seedRule } from './helpers.js';

const CHAIN = 'properties.tls.validateCertificateChain';
const NAME = 'properties.tls.validateCertificateName';

test('validateCertificateChain false: one finding at that property, with a message naming backend, property, policy and effect', () => {
  const r = check(seedRule(), backend({ url: 'https://payments.internal', tls: { validateCertificateChain: false, validateCertificateName: true } }));
  assert.equal(r.outcome, 'fail');
  assert.deepEqual(r.findings, [
    {
      path: CHAIN,
      message: `Backend 'payments' sets tls.validateCertificateChain to false: API Management must validate backend certificates (policy ${SEED_ID}, effect Audit)`,
      // The sidecar's safe fix for the failing flag.
      fix: { set: [{ path: CHAIN, value: true }] },
    },
  ]);
});

test('validateCertificateName false: one finding at that property', () => {
  const r = check(seedRule(), backend({ tls: { validateCertificateChain: true, validateCertificateName: false } }));
  assert.equal(r.findings.length, 1);
  assert.equal(r.findings[0]!.path, NAME);
  assert.match(r.findings[0]!.message, /sets tls\.validateCertificateName to false/);
});

test('both false: still one finding per definition, at the first failing property', () => {
  const r = check(seedRule(), backend({ tls: { validateCertificateChain: false, validateCertificateName: false } }));
  assert.deepEqual(
    r.findings.map((f) => f.path),
    [CHAIN],
  );
});

test('both true, an empty tls, or no tls at all: compliant (equals false does not hold for an absent property)', () => {
  const cases: ObjectValue[] = [{ tls: { validateCertificateChain: true, validateCertificateName: true } }, { tls: {} }, { url: 'https://x' }, {}];
  for (const properties of cases) {
    const r = check(seedRule(), backend(properties));
    assert.equal(r.outcome, 'pass', JSON.stringify(properties));
    assert.deepEqual([r.findings, r.skips, r.unknowns], [[], [], []]);
  }
});

test('property names are matched ignoring case, as ARM does', () => {
  const r = check(seedRule(), backend({ TLS: { ValidateCertificateChain: false } }));
  assert.equal(r.outcome, 'fail');
  assert.equal(r.findings[0]!.path, CHAIN);
  assert.equal(check(seedRule(), makeResource(BACKENDS, 'svc/b', { Properties: { Tls: { VALIDATECERTIFICATENAME: false } } })).findings[0]!.path, NAME);
});

test("the string 'false' counts as false, as Azure Policy compares it", () => {
  assert.equal(check(seedRule(), backend({ tls: { validateCertificateChain: 'False' } })).findings[0]!.path, CHAIN);
});

test('an unknown value gives an unknown outcome that says which property, never a guess', () => {
  const r = check(
    seedRule(),
    backend({ tls: { validateCertificateChain: new Unknown("parameter 'validateChain' has no value"), validateCertificateName: true } }),
  );
  assert.equal(r.outcome, 'unknown');
  assert.deepEqual(r.findings, []);
  assert.equal(r.unknowns.length, 1);
  assert.match(r.unknowns[0]!, /^properties\.tls\.validateCertificateChain is not known before deployment \(parameter 'validateChain' has no value\)$/);
});

test('an unknown tls object makes both properties unknown', () => {
  assert.equal(check(seedRule(), backend({ tls: new Unknown('from a reference()') })).outcome, 'unknown');
});

test('unknown chain with a false name is non-compliant all the same: anyOf needs only one true branch', () => {
  const r = check(seedRule(), backend({ tls: { validateCertificateChain: new Unknown('x'), validateCertificateName: false } }));
  assert.equal(r.outcome, 'fail');
  assert.equal(r.findings[0]!.path, NAME);
});

test('appliesTo is the type named in the rule; a resource of another type does not match', () => {
  const rule = seedRule();
  assert.deepEqual(rule.meta.appliesTo, [BACKENDS]);
  const api = makeResource('Microsoft.ApiManagement/service/apis', 'svc/orders', { properties: { tls: { validateCertificateChain: false } } });
  // Called on it anyway, the definition does not apply: its type condition does not hold (Azure's applicability).
  const r = check(rule, api);
  assert.equal(r.outcome, 'skip');
  assert.match(r.skips[0]!, /type, name and kind conditions do not hold/);
});

test('explain traces every condition looked at, with values', () => {
  const { verdict, trace } = seedRule().explain(backend({ tls: { validateCertificateChain: true, validateCertificateName: false } }));
  assert.equal(verdict.truth, true);
  assert.equal(trace.length, 1);
  assert.equal(trace[0]!.text, 'allOf');
  const [typeNode, anyNode] = trace[0]!.children;
  assert.equal(typeNode!.text, `field 'type' (type = "${BACKENDS}") equals "${BACKENDS}"`);
  assert.equal(anyNode!.text, 'anyOf');
  assert.deepEqual(
    anyNode!.children.map((n) => [n.truth, n.text]),
    [
      [false, `field 'Microsoft.ApiManagement/service/backends/tls.validateCertificateChain' (${CHAIN} = true) equals false`],
      [true, `field 'Microsoft.ApiManagement/service/backends/tls.validateCertificateName' (${NAME} = false) equals false`],
    ],
  );
});
