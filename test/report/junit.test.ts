import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatJunit } from '../../src/report/junit.js';
import { assertGolden } from './golden.js';
import { richFixture } from './fixture-extra.js';
import { scanFixture } from './fixture.js';

test('junit: golden file', () => {
  assertGolden('report.junit.xml', formatJunit(scanFixture()));
});

/** A small well-formedness check: balanced tags, every attribute quoted, entities only the five XML ones. */
function checkXml(xml: string): void {
  const stack: string[] = [];
  for (const m of xml.matchAll(/<(\/?)([A-Za-z]+)([^>]*?)(\/?)>/g)) {
    const [, close, name, attrs, selfClose] = m;
    assert.match(attrs!, /^(\s+[A-Za-z:_-]+="[^"<]*")*\s*$/, `attributes of <${name}>`);
    if (close) assert.equal(stack.pop(), name, `closing </${name}>`);
    else if (!selfClose) stack.push(name!);
  }
  assert.deepEqual(stack, []);
  for (const e of xml.matchAll(/&([a-z#0-9]+);/g)) assert.ok(['amp', 'lt', 'gt', 'quot', 'apos'].includes(e[1]!), `entity &${e[1]};`);
}

test('junit: well-formed, counts agree with the elements, special characters escaped, suppressed ones skipped', () => {
  const xml = formatJunit(richFixture());
  checkXml(xml.replace(/^<\?xml[^>]*\?>/, ''));
  const root = /<testsuites [^>]*tests="(\d+)" failures="(\d+)" errors="(\d+)" skipped="(\d+)"/.exec(xml)!;
  assert.equal(Number(root[1]), (xml.match(/<testcase /g) ?? []).length);
  assert.equal(Number(root[2]), (xml.match(/<failure /g) ?? []).length);
  assert.equal(Number(root[3]), (xml.match(/<error /g) ?? []).length);
  assert.equal(Number(root[4]), (xml.match(/<skipped /g) ?? []).length);
  assert.ok(xml.includes('&lt;tls&gt; &amp; &quot;quotes&quot;'));
  assert.match(xml, /<skipped message="suppressed: legacy partner"\/>/);
  // The input error of the fixture is an error test case in its own suite.
  assert.match(xml, /<testsuite name="tollgate inputs" tests="1" failures="0" errors="1"/);
});
