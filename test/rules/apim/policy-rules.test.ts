import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_DEPLOYMENT, expandTemplate } from '../../../src/arm/template/expand.js';
import { evaluateResources } from '../../../src/evaluate/engine.js';
import { escapeExpressions, parsePolicy } from '../../../src/rules/apim/policy-xml.js';
import { NATIVE_RULES } from '../../../src/rules/index.js';
import { doc, template } from '../../helpers.js';

const rule = (id: string) => NATIVE_RULES.find((r) => r.meta.id === id)!;
const policy = (type: string, value: unknown, format = 'rawxml') => ({
  type: `Microsoft.ApiManagement/service/${type}`,
  apiVersion: '2023-05-01-preview',
  name: type === 'policies' ? 'svc/policy' : 'svc/a/policy',
  properties: { format, value },
});
const run = (id: string, resource: object) => {
  const expansion = expandTemplate(doc(template({ resources: [resource] }), 'main.json'), undefined, { deployment: DEFAULT_DEPLOYMENT });
  return evaluateResources({ file: 'main.json', resources: expansion.resources }, [rule(id)]);
};

const BASED = '<policies><inbound><base /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>';
const CORS = (origin: string, method = 'GET') =>
  `<policies><inbound><base /><cors allow-credentials="true"><allowed-origins><origin>${origin}</origin></allowed-origins><allowed-methods><method>${method}</method></allowed-methods></cors></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`;

test('policy expressions with quotes, < and && inside attributes and text are read', () => {
  const xml = `<policies><inbound><base /><choose><when condition="@(context.Request.Method == "GET" && context.Request.Url.Query.GetValueOrDefault("a", ")") != "")"><set-header name="x" exists-action="override"><value>@{ return 1 < 2 ? "a" : "b"; }</value></set-header></when></choose></inbound></policies>`;
  const parsed = parsePolicy(xml);
  assert.equal(parsed[0]!.name, 'policies');
  assert.match(escapeExpressions('<a b="@(x("y"))"/>'), /&quot;y&quot;/);
});

test('APIM-CORSPolicy', () => {
  assert.equal(run('APIM-CORSPolicy', policy('apis/policies', CORS('https://contoso.com'))).results[0]!.outcome, 'pass');
  const star = run('APIM-CORSPolicy', policy('apis/policies', CORS('*', '*')));
  assert.equal(star.findings.length, 1);
  assert.match(star.findings[0]!.message, /allows any value \(\*\) in allowed-origins, allowed-methods/);
  assert.equal(run('APIM-CORSPolicy', policy('policies', CORS('*'))).findings.length, 1, 'the global policy too');
  assert.equal(run('APIM-CORSPolicy', policy('apis/policies', BASED)).results[0]!.outcome, 'skip');
  assert.equal(run('APIM-CORSPolicy', policy('apis/policies', 'https://x/policy.xml', 'rawxml-link')).results[0]!.outcome, 'unknown');
});

test('APIM-PolicyBase: every section of a non-global policy keeps <base/>', () => {
  assert.equal(run('APIM-PolicyBase', policy('apis/policies', BASED)).results[0]!.outcome, 'pass');
  const missing = run(
    'APIM-PolicyBase',
    policy('apis/policies', '<policies><inbound><base /></inbound><backend><forward-request /></backend><outbound /></policies>'),
  );
  assert.match(missing.findings[0]!.message, /no <base\/> in <backend>, <outbound>, <on-error>/);
  // The global policy has no enclosing scope.
  assert.equal(run('APIM-PolicyBase', policy('policies', '<policies><inbound /></policies>')).results.length, 0);
});

test('a policy document that is not XML is an error for that resource, not a crash', () => {
  const out = run('APIM-PolicyBase', policy('apis/policies', '<policies><inbound><base /></policies>'));
  assert.equal(out.results[0]!.outcome, 'error');
  assert.match(out.diagnostics[0]!.message, /the policy XML is invalid at line 1, column \d+/);
});

test('APIM-DefenderCloud: an HTTP API needs an apiCollections resource of its name, scoped to its service', () => {
  const api = { type: 'Microsoft.ApiManagement/service/apis', apiVersion: '2023-05-01-preview', name: 'svc/orders', properties: { path: 'orders' } };
  const collection = (name: string, service = 'svc') => ({
    type: 'Microsoft.Security/apiCollections',
    apiVersion: '2023-11-15',
    name,
    scope: `[resourceId('Microsoft.ApiManagement/service', '${service}')]`,
  });
  const evalAll = (resources: object[]) => {
    const expansion = expandTemplate(doc(template({ resources }), 'main.json'), undefined, { deployment: DEFAULT_DEPLOYMENT });
    return evaluateResources({ file: 'main.json', resources: expansion.resources }, [rule('APIM-DefenderCloud')]);
  };
  assert.equal(evalAll([api, collection('orders')]).results[0]!.outcome, 'pass');
  assert.match(evalAll([api]).findings[0]!.message, /API 'orders' is not onboarded to Defender for APIs/);
  assert.equal(evalAll([api, collection('orders', 'other-svc')]).findings.length, 1, 'a collection on another service does not count');
  assert.equal(evalAll([{ ...api, properties: { path: 'orders', apiType: 'soap' } }]).results[0]!.outcome, 'skip');
});

test('APIM-DefenderCloud looks at each resource a bounded number of times (linear, not one pass over all resources per API)', () => {
  const apis = 400;
  const resources: object[] = [];
  for (let i = 0; i < apis; i++) {
    resources.push({ type: 'Microsoft.ApiManagement/service/apis', apiVersion: '2023-05-01-preview', name: `svc/api-${i}`, properties: { path: `p${i}` } });
    if (i % 2 === 0)
      resources.push({
        type: 'Microsoft.Security/apiCollections',
        apiVersion: '2023-11-15',
        name: `api-${i}`,
        scope: "[resourceId('Microsoft.ApiManagement/service', 'svc')]",
      });
  }
  const expansion = expandTemplate(doc(template({ resources }), 'main.json'), undefined, { deployment: DEFAULT_DEPLOYMENT });
  // Count reads of `type` (every lookup of another resource starts there) instead of timing.
  let reads = 0;
  const counted = expansion.resources.map(
    (r) => new Proxy(r, { get: (target, key, receiver) => (key === 'type' && reads++, Reflect.get(target, key, receiver)) }),
  );
  const out = evaluateResources({ file: 'main.json', resources: counted }, [rule('APIM-DefenderCloud')]);
  assert.equal(out.findings.length, apis / 2);
  // Quadratic: about apis * resources.length = 240,000 reads. Linear: a few per resource.
  assert.ok(reads < 10 * counted.length, `${reads} reads of type for ${counted.length} resources`);
});

test('a policy document with a document type declaration is a PolicyXmlError, never a parser crash or an entity expansion (found by fuzzing)', async () => {
  const { PolicyXmlError } = await import('../../../src/rules/apim/policy-xml.js');
  // The fuzzer's input: fast-xml-parser threw a plain Error ("Invalid entity name") on it.
  assert.throws(() => parsePolicy('<policies><!DOCTYPE[<!ENTITY>><inbound></inbound></policies>'), PolicyXmlError);
  const bomb = `<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><policies><inbound>&c;</inbound></policies>`;
  assert.throws(
    () => parsePolicy(bomb),
    (e: unknown) => e instanceof PolicyXmlError && /document type declaration/.test(e.message),
  );
  // Through a scan it is the rule's located problem for that resource, not an internal error.
  const r = run('APIM-PolicyBase', policy('apis/policies', '<policies><!DOCTYPE[<!ENTITY>><inbound></inbound></policies>'));
  assert.equal(r.results[0]!.outcome, 'error');
  assert.match(r.diagnostics[0]!.message, /document type declaration/);
  assert.equal(r.diagnostics[0]!.location?.start.line, 5);
  assert.doesNotMatch(JSON.stringify(r.diagnostics), /Invalid entity name/);
});
