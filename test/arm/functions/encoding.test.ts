import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from './run.js';

test('conformance: encoding and URI functions as Azure evaluates them', () => {
  assert.equal(run("[base64ToString(base64('abc'))]"), 'abc');
  assert.equal(run("[base64ToJson(base64('{\"hi\": \"there\"}')).hi]"), 'there');
  assert.equal(run("[dataUriToString(dataUri('abc'))]"), 'abc');
  assert.equal(run("[uri('https://github.com', 'Azure/bicep')]"), 'https://github.com/Azure/bicep');
  assert.equal(run("[uriComponent('UB*8h 0+=_)9h9n')]"), 'UB%2A8h%200%2B%3D_%299h9n');
  assert.equal(run("[uriComponentToString('%20%25%20')]"), ' % ');
});

test('base64 and data URIs', () => {
  assert.equal(run("[base64('one, two, three')]"), 'b25lLCB0d28sIHRocmVl');
  assert.equal(run("[dataUri('Hello')]"), 'data:text/plain;charset=utf8;base64,SGVsbG8=');
  assert.equal(run("[dataUriToString('data:text/plain;charset=utf8,Hello%2C%20World')]"), 'Hello, World');
  assert.throws(() => run("[base64ToString('not base64!')]"), /not valid base64/);
  assert.throws(() => run("[base64ToJson(base64('not json'))]"), /not JSON/);
  assert.throws(() => run("[dataUriToString('http://x')]"), /not a data URI/);
});

test('uri: the relative part replaces what follows the last slash of the base', () => {
  assert.equal(run("[uri('http://contoso.com/resources/', 'nested/azuredeploy.json')]"), 'http://contoso.com/resources/nested/azuredeploy.json');
  assert.equal(run("[uri('http://contoso.com/resources/main.json', 'nested.json')]"), 'http://contoso.com/resources/nested.json');
  assert.throws(() => run("[uri('not a uri', 'x')]"), /not an absolute URI/);
});

test('uriComponent escapes everything but unreserved characters', () => {
  assert.equal(run("[uriComponent('a!b''c(d)e*f~g-h.i_j')]"), 'a%21b%27c%28d%29e%2Af~g-h.i_j');
  assert.throws(() => run("[uriComponentToString('%E0%A4%A')]"), /not a valid URI-encoded string/);
});

test('parseUri and buildUri', () => {
  assert.deepEqual(run("[parseUri('https://www.contoso.com:8080/path/to?query=1')]"), {
    scheme: 'https',
    host: 'www.contoso.com',
    port: 8080,
    path: '/path/to',
    query: '?query=1',
    absoluteUri: 'https://www.contoso.com:8080/path/to?query=1',
  });
  assert.equal(run("[parseUri('https://contoso.com').port]"), 443);
  assert.equal(run("[buildUri(parseUri('https://www.contoso.com:8080/path/to?query=1'))]"), 'https://www.contoso.com:8080/path/to?query=1');
  assert.equal(run("[buildUri(createObject('scheme', 'http', 'host', 'x.example.com', 'path', '/a'))]"), 'http://x.example.com/a');
  assert.throws(() => run("[buildUri(createObject('host', 'x'))]"), /scheme and host/);
});
