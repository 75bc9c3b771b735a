import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUnknown } from '../../../src/resources/value.js';
import { run } from './run.js';

// Values Azure's engine produced for Bicep's baselines-bicepparam/Expressions (parameters.json).
test('conformance: encoding and URI functions as Azure evaluates them', () => {
  assert.equal(run("[base64ToString(base64('abc'))]"), 'abc');
  assert.equal(run('[base64ToJson(base64(\'{"hi": "there"}\')).hi]'), 'there');
  assert.equal(run("[dataUriToString(dataUri('abc'))]"), 'abc');
  assert.equal(run("[uri('https://github.com', 'Azure/bicep')]"), 'https://github.com/Azure/bicep');
  assert.equal(run("[uriComponent('UB*8h 0+=_)9h9n')]"), 'UB%2A8h%200%2B%3D_%299h9n');
  assert.equal(run("[uriComponentToString('%20%25%20')]"), ' % ');
  // loadFileAsBase64('test.txt') of 'Hello from text file', as the Bicep compiler encoded it.
  assert.equal(run("[base64('Hello from text file')]"), 'SGVsbG8gZnJvbSB0ZXh0IGZpbGU=');
});

// Bicep's baselines-bicepparam/Invalid_Expressions: what Azure rejected, and one thing it accepted.
test('conformance: inputs Azure rejects', () => {
  // "The value cannot be decoded from base64 representation."
  assert.throws(() => run("[base64ToString(concat(base64('abc'), '@'))]"), /base64ToString: the value cannot be decoded from base64/);
  // "The value cannot be converted to the target type."
  assert.throws(() => run("[dataUriToString(concat(dataUri('abc'), '@'))]"), /dataUriToString: the value cannot be decoded from base64/);
  // "expects its parameter to be formatted as a valid data URI. The provided value 'Hi 0!' ..."
  assert.throws(() => run("[dataUriToString('Hi 0!')]"), /must be a data URI .*'Hi 0!'/);
  // "The template language function 'uri' expects its first argument to be a uri string."
  assert.throws(() => run("[uri('github.com', 'Azure/bicep')]"), /the base URI must be an absolute URI, not 'github\.com'/);
  // base64ToJson(base64('{"hi": "there"')).hi evaluated without an error in Azure.
  assert.equal(run('[base64ToJson(base64(\'{"hi": "there"\')).hi]'), 'there');
});

// The examples of Microsoft's string function reference.
test('documented examples', () => {
  assert.equal(run("[base64('one, two, three')]"), 'b25lLCB0d28sIHRocmVl');
  assert.equal(run("[base64ToString('b25lLCB0d28sIHRocmVl')]"), 'one, two, three');
  assert.deepEqual(run("[base64ToJson(base64('{''one'': ''a'', ''two'': ''b''}'))]"), { one: 'a', two: 'b' });
  assert.equal(run("[dataUri('Hello')]"), 'data:text/plain;charset=utf8;base64,SGVsbG8=');
  assert.equal(run("[dataUriToString('data:;base64,SGVsbG8sIFdvcmxkIQ==')]"), 'Hello, World!');
  assert.equal(run("[uri('http://contoso.com/resources/', 'nested/azuredeploy.json')]"), 'http://contoso.com/resources/nested/azuredeploy.json');
  assert.equal(
    run("[uriComponent('http://contoso.com/resources/nested/azuredeploy.json')]"),
    'http%3A%2F%2Fcontoso.com%2Fresources%2Fnested%2Fazuredeploy.json',
  );
  assert.equal(
    run("[uriComponentToString('http%3A%2F%2Fcontoso.com%2Fresources%2Fnested%2Fazuredeploy.json')]"),
    'http://contoso.com/resources/nested/azuredeploy.json',
  );
  // The trailing-slash rules of the uri reference.
  assert.equal(run("[uri('http://contoso.org/firstpath', 'myscript.sh')]"), 'http://contoso.org/myscript.sh');
  assert.equal(run("[uri('http://contoso.org/firstpath/', 'myscript.sh')]"), 'http://contoso.org/firstpath/myscript.sh');
  assert.equal(run("[uri('http://contoso.org/firstpath/azuredeploy.json', 'myscript.sh')]"), 'http://contoso.org/firstpath/myscript.sh');
  assert.equal(run("[uri('http://contoso.org/firstpath/azuredeploy.json/', 'myscript.sh')]"), 'http://contoso.org/firstpath/azuredeploy.json/myscript.sh');
});

test('base64: UTF-8, strict decoding', () => {
  assert.equal(run("[base64('')]"), '');
  assert.equal(run("[base64('é€')]"), 'w6nigqw=');
  assert.equal(run("[base64ToString('w6nigqw=')]"), 'é€');
  assert.equal(run("[base64ToString('YW Jj\n')]"), 'abc'); // white space is skipped
  assert.throws(() => run("[base64ToString('YWI')]"), /cannot be decoded from base64/); // length not a multiple of 4
  assert.throws(() => run("[base64ToString('YQ==YQ==')]"), /cannot be decoded/);
  assert.throws(() => run("[base64ToString('not base64!')]"), /cannot be decoded/);
  assert.throws(() => run('[base64(123)]'), /must be a string/);
});

test('base64ToJson: JSON as Newtonsoft reads it', () => {
  assert.deepEqual(run('[base64ToJson(base64(\'[1, -2.5, true, null, "x"]\'))]'), [1, -2.5, true, null, 'x']);
  assert.deepEqual(run('[base64ToJson(base64(\'{a: 1, /* note */ "b": [2,], // end\n}\'))]'), { a: 1, b: [2] });
  assert.deepEqual(run('[base64ToJson(base64(\'{"s": "a\\u0041\\n"}\'))]'), { s: 'aA\n' });
  assert.equal(run("[base64ToJson(base64('42'))]"), 42);
  assert.throws(() => run("[base64ToJson(base64('not json'))]"), /not JSON/);
  assert.throws(() => run('[base64ToJson(base64(\'{"a": 1} x\'))]'), /not JSON: more text after the value/);
  assert.throws(() => run('[base64ToJson(base64(\'{"a" 1}\'))]'), /not JSON: ':' expected/);
  assert.throws(() => run("[base64ToJson(base64('\"open'))]"), /unterminated string/);
});

test('data URIs', () => {
  assert.equal(run("[dataUriToString('data:text/plain;charset=utf8,Hello%2C%20World')]"), 'Hello, World');
  assert.equal(run("[dataUriToString('data:,a%zzb')]"), 'a%zzb');
  assert.equal(run("[dataUriToString('DATA:text/plain;BASE64,SGVsbG8=')]"), 'Hello');
  assert.equal(run("[dataUriToString(dataUri('multi\nline é'))]"), 'multi\nline é');
  assert.throws(() => run("[dataUriToString('http://x')]"), /must be a data URI/);
  assert.throws(() => run("[dataUriToString('data:text/plain')]"), /must be a data URI/);
});

test('uri: RFC 3986 resolution', () => {
  assert.equal(run("[uri('https://contoso.com/a/b/c', '../d')]"), 'https://contoso.com/a/d');
  assert.equal(run("[uri('https://contoso.com/a/b', '/root.json')]"), 'https://contoso.com/root.json');
  assert.equal(run("[uri('https://contoso.com/a/', '?sv=1')]"), 'https://contoso.com/a/?sv=1');
  assert.equal(run("[uri('https://contoso.com/a/', 'https://other.org/x')]"), 'https://other.org/x');
  assert.equal(run("[uri('https://contoso.com/a/', '//cdn.example.org/x')]"), 'https://cdn.example.org/x');
  assert.equal(run("[uri('HTTPS://Contoso.COM:443/a', 'b')]"), 'https://contoso.com/b');
  assert.throws(() => run("[uri('not a uri', 'x')]"), /must be an absolute URI/);
  assert.throws(() => run("[uri('', 'x')]"), /must be an absolute URI/);
});

test('uriComponent escapes all but unreserved characters; uriComponentToString never fails', () => {
  assert.equal(run("[uriComponent('a!b''c(d)e*f~g-h.i_j')]"), 'a%21b%27c%28d%29e%2Af~g-h.i_j');
  assert.equal(run("[uriComponent('é /?#[]@')]"), '%C3%A9%20%2F%3F%23%5B%5D%40');
  assert.equal(run("[uriComponentToString(uriComponent('é /?#[]@!*'))]"), 'é /?#[]@!*');
  assert.equal(run("[uriComponentToString('a+b')]"), 'a+b'); // '+' is not a space
  // Uri.UnescapeDataString keeps what it cannot decode: a lone '%', bad hex, bytes that are not UTF-8.
  assert.equal(run("[uriComponentToString('%E0%A4%A')]"), '%E0%A4%A');
  assert.equal(run("[uriComponentToString('%C3%A9%FF%41%zz%')]"), 'é%FFA%zz%');
  assert.equal(run("[uriComponentToString('%C0%AF')]"), '%C0%AF'); // an overlong '/'
});

test('parseUri and buildUri', () => {
  // The URI of Microsoft's parseUri/buildUri examples.
  assert.deepEqual(run("[parseUri('https://mystorage.blob.core.windows.net:8080/templates/nestedTemplate.json?st=2025-05-09')]"), {
    scheme: 'https',
    host: 'mystorage.blob.core.windows.net',
    port: 8080,
    path: '/templates/nestedTemplate.json',
    query: '?st=2025-05-09',
  });
  assert.equal(
    run(
      "[buildUri(createObject('scheme', 'https', 'host', 'mystorage.blob.core.windows.net', 'port', 8080, 'path', '/templates/nestedTemplate.json', 'query', '?st=2025-05-09'))]",
    ),
    'https://mystorage.blob.core.windows.net:8080/templates/nestedTemplate.json?st=2025-05-09',
  );
  // Without a port, System.Uri reports the scheme's default; without a path, '/'.
  assert.deepEqual(run("[parseUri('https://Contoso.com')]"), { scheme: 'https', host: 'contoso.com', port: 443, path: '/', query: '' });
  assert.equal(run("[parseUri('http://x.org/a#frag').port]"), 80);
  assert.equal(run("[parseUri('custom://x.org/a').port]"), -1);
  assert.equal(run("[buildUri(parseUri('https://www.contoso.com:8080/path/to?query=1'))]"), 'https://www.contoso.com:8080/path/to?query=1');
  assert.equal(run("[buildUri(parseUri('https://contoso.com'))]"), 'https://contoso.com/');
  // Components are joined with the right separators; a default port is left out.
  assert.equal(run("[buildUri(createObject('scheme', 'https', 'host', 'x.com', 'port', 443, 'path', 'a b', 'query', 'k=v'))]"), 'https://x.com/a%20b?k=v');
  assert.equal(run("[buildUri(createObject('scheme', 'http', 'host', 'x.example.com', 'port', null(), 'path', '/a'))]"), 'http://x.example.com/a');
  assert.throws(() => run("[buildUri(createObject('host', 'x'))]"), /scheme and host/);
  assert.throws(() => run("[buildUri(createObject('scheme', 'https', 'host', 'x', 'port', 70000))]"), /port 70000/);
  assert.throws(() => run("[buildUri('https://x')]"), /takes an object/);
  assert.throws(() => run("[parseUri('x.com/a')]"), /must be an absolute URI/);
});

test('unknown values make the result unknown', () => {
  assert.ok(isUnknown(run("[base64(parameters('unknown'))]")));
  assert.ok(isUnknown(run("[base64ToJson(parameters('unknown')).a]")));
  assert.ok(isUnknown(run("[uri(parameters('unknown'), 'x')]")));
  assert.ok(isUnknown(run("[uriComponent(parameters('unknown'))]")));
  assert.ok(isUnknown(run("[parseUri(parameters('unknown')).host]")));
  assert.ok(isUnknown(run("[buildUri(createObject('scheme', 'https', 'host', parameters('unknown')))]")));
});

test('uriComponent of a lone surrogate is a function error, not a URIError escaping the evaluator (found by fuzzing)', () => {
  assert.throws(() => run("[uriComponent('\uD800')]"), /uriComponent: the value holds a lone surrogate/);
  assert.throws(() => run("[uriComponent(concat('a', '\uDC00', 'b'))]"), /lone surrogate/);
  // A whole pair is a character like any other.
  assert.equal(run("[uriComponent('\uD83D\uDE00')]"), '%F0%9F%98%80');
});
