import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatJunit } from '../../src/report/junit.js';
import { assertGolden } from './golden.js';
import { NASTY, richFixture } from './fixture-extra.js';
import { certificateFinding, exportedApiFinding, scanFixture } from './fixture.js';

// Golden files: UPDATE_GOLDEN=1 npm test rewrites them (see golden.ts); review the diff.
test('junit: golden files', () => {
  assertGolden('report.junit.xml', formatJunit(scanFixture()));
  assertGolden('report.rich.junit.xml', formatJunit(richFixture()));
});

interface Element {
  name: string;
  attrs: Record<string, string>;
  children: Element[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string, where: string): string {
  assert.doesNotMatch(raw, /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/, `character XML 1.0 forbids in ${where}`);
  return raw.replace(/&([^;\s]*);?/g, (m, e: string) => {
    assert.ok(m.endsWith(';'), `bare & in ${where}`);
    if (e.startsWith('#')) return String.fromCodePoint(Number(e.slice(1)));
    assert.ok(e in ENTITIES, `entity &${e}; in ${where}`);
    return ENTITIES[e]!;
  });
}

/** A small XML parser, enough for a well-formedness check: balanced tags, quoted attributes, known entities only. */
function parseXml(xml: string): Element {
  const body = xml.replace(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n/, '');
  const root: Element = { name: '#document', attrs: {}, children: [], text: '' };
  const stack = [root];
  let at = 0;
  for (const m of body.matchAll(/<(\/?)([A-Za-z][\w.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/g)) {
    const between = body.slice(at, m.index);
    assert.doesNotMatch(between, /[<>]/, `stray markup before offset ${m.index}`);
    stack.at(-1)!.text += decode(between, `text before offset ${m.index}`);
    at = m.index + m[0].length;
    const [, close, name, attrText, selfClose] = m;
    if (close) {
      assert.equal(attrText, '');
      assert.equal(stack.pop()!.name, name, `closing </${name}>`);
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const [, k, v] of attrText!.matchAll(/([\w:.-]+)="([^"]*)"/g)) {
      assert.ok(!(k! in attrs), `duplicate attribute ${k}`);
      attrs[k!] = decode(v!, `attribute ${k} of <${name}>`);
    }
    const el: Element = { name: name!, attrs, children: [], text: '' };
    stack.at(-1)!.children.push(el);
    if (!selfClose) stack.push(el);
  }
  assert.equal(body.slice(at).trim(), '', 'text after the root element');
  assert.equal(stack.length, 1, `unclosed <${stack.at(-1)!.name}>`);
  assert.equal(root.children.length, 1, 'one root element');
  return root.children[0]!;
}

const all = (el: Element, name: string): Element[] => el.children.flatMap((c) => [...(c.name === name ? [c] : []), ...all(c, name)]);

/** Checks a suite's or the root's counts against the elements it holds. */
function checkCounts(el: Element): void {
  const cases = all(el, 'testcase');
  const having = (child: string) => cases.filter((c) => c.children.some((x) => x.name === child)).length;
  assert.equal(Number(el.attrs['tests']), cases.length, `tests of ${el.attrs['name']}`);
  assert.equal(Number(el.attrs['failures']), having('failure'), `failures of ${el.attrs['name']}`);
  assert.equal(Number(el.attrs['errors']), having('error'), `errors of ${el.attrs['name']}`);
  assert.equal(Number(el.attrs['skipped']), having('skipped'), `skipped of ${el.attrs['name']}`);
  assert.ok(Number(el.attrs['time']) >= 0, `time of ${el.attrs['name']}`);
}

test('junit: well-formed, counts agree with the elements, special characters escaped', () => {
  const root = parseXml(formatJunit(richFixture()));
  assert.equal(root.name, 'testsuites');
  checkCounts(root);
  const suites = root.children;
  assert.ok(suites.every((s) => s.name === 'testsuite'));
  for (const s of suites) checkCounts(s);
  for (const c of all(root, 'testcase')) {
    // Azure Pipelines drops a case without name or classname; GitLab shows file.
    assert.ok(c.attrs['name'] && c.attrs['classname'] && 'file' in c.attrs, JSON.stringify(c.attrs));
    assert.ok(c.children.length <= 1);
  }
  // Text and attributes round-trip, line break included.
  const failure = all(root, 'failure').find((f) => f.attrs['type'] === '92bb331d-ac71-416a-8c91-02f2cb734ce4')!;
  assert.equal(failure.attrs['message'], NASTY);
  assert.equal(failure.text, `infra/apim.json:62:41: warning: ${NASTY}`);
});

test('junit: control characters are shown as escapes, what XML 1.0 still forbids is dropped; CR and tab survive as references', () => {
  const result = scanFixture();
  const message = 'a\u0001b\u001Fc\uFFFEd\uD800e \u{1F512} tab\there\r\nend';
  result.findings = result.findings.map((f) => ({ ...f, message }));
  result.results = result.results.map((r) => ({ ...r, findings: r.findings.map((f) => ({ ...f, message })) }));
  const root = parseXml(formatJunit(result));
  const failure = all(root, 'failure')[0]!;
  assert.equal(failure.attrs['message'], 'a\\x01b\\x1fcde \u{1F512} tab\there\r\nend');
  assert.ok(failure.text.endsWith(': a\\x01b\\x1fcde \u{1F512} tab\there\r\nend'));
});

test('junit: outcomes: fail, skip, unknown, error, suppressed; input errors in their own suite', () => {
  const root = parseXml(formatJunit(richFixture()));
  const unit = root.children.find((s) => s.attrs['name'] === 'infra/apim.json with infra/apim.parameters.json')!;
  const outcome = (classname: string, name: string) => {
    const c = all(unit, 'testcase').find((t) => t.attrs['classname'] === classname && t.attrs['name'] === name);
    assert.ok(c, `${classname} ${name}`);
    return c.children[0] ? `${c.children[0].name}: ${c.children[0].attrs['message']}` : 'pass';
  };
  const payments = 'Microsoft.ApiManagement/service/backends/apim-contoso/payments';
  // The same type and name in two resource groups: both told apart by id, so GitLab keeps both.
  const inGroup = (rg: string) =>
    `${payments} (/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/${rg}/providers/Microsoft.ApiManagement/service/apim-contoso/backends/payments)`;
  assert.equal(outcome('APIM-HTTPBackend', inGroup('tollgate-rg')), 'skipped: suppressed: legacy partner');
  assert.equal(outcome('APIM-HTTPBackend', inGroup('other-rg')), 'pass');
  assert.equal(
    outcome('92bb331d-ac71-416a-8c91-02f2cb734ce4', inGroup('tollgate-rg')).split('\n')[0],
    'failure: Backend \'a|b\' sets <tls> & "quotes", 100% = `bad`,',
  );
  assert.equal(outcome('92bb331d-ac71-416a-8c91-02f2cb734ce4', inGroup('other-rg')), 'skipped: skipped: the backend has no tls block');
  // Only one APIM-Ciphers result for that name: the plain name.
  assert.equal(outcome('APIM-Ciphers', payments), 'error: rule crashed on <customProperties> & "keys"');
  assert.equal(
    outcome('92bb331d-ac71-416a-8c91-02f2cb734ce4', 'Microsoft.ApiManagement/service/backends/apim-contoso/inventory'),
    'skipped: undecided: properties.tls.validateCertificateName is not known before deployment',
  );
  const keys = all(unit, 'testcase').map((c) => `${c.attrs['classname']} ${c.attrs['name']}`);
  assert.equal(new Set(keys).size, keys.length, 'classname and name unique within a suite');
  const inputs = root.children.find((s) => s.attrs['name'] === 'tollgate inputs')!;
  assert.deepEqual(inputs.attrs, { name: 'tollgate inputs', tests: '1', failures: '0', errors: '1', skipped: '0', time: '0' });
  assert.equal(all(inputs, 'error')[0]!.text, "infra/apim.json:88:22: unsupported template function 'listSecrets'");
});

test('junit: with --baseline, findings already in the baseline are skipped, not failed', () => {
  const result = scanFixture();
  // The certificate finding and the exported API are in the baseline; the HTTP backend is new.
  result.findings = result.findings.filter((f) => f.ruleId !== certificateFinding().ruleId && f.resource.id !== exportedApiFinding().resource.id);
  result.baseline = { file: 'tollgate.baseline.json', known: 2, fixed: 0 };
  const root = parseXml(formatJunit(result));
  checkCounts(root);
  assert.equal(root.attrs['failures'], '1');
  assert.equal(all(root, 'failure')[0]!.attrs['type'], 'APIM-HTTPBackend');
  assert.equal(all(root, 'skipped').filter((s) => s.attrs['message'] === 'in the baseline tollgate.baseline.json').length, 2);
});

test('junit: an empty scan is still a valid document', () => {
  const root = parseXml(formatJunit({ ...scanFixture(), units: [], results: [], findings: [], diagnostics: [] }));
  assert.deepEqual(root.attrs, { name: 'tollgate', tests: '0', failures: '0', errors: '0', skipped: '0', time: '0.042' });
  assert.equal(root.children.length, 0);
});
