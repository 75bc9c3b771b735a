import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLValidator } from 'fast-xml-parser';
import { scan, type ScanOutput } from '../../src/scan.js';
import { render, FORMATS } from '../../src/report/index.js';
import { defineRule } from '../../src/rules/define-rule.js';
import { NATIVE_RULES } from '../../src/rules/index.js';
import { visible, visibleStrings } from '../../src/report/visible.js';
import { parameterFile, template, tempTree } from '../helpers.js';
import { parseCsv } from './csv-reader.js';

/*
 * Text from the scanned files reaches terminals, CI logs, spreadsheets, pull-request comments
 * and review pages. This fixture puts everything hostile we know of into file names, resource
 * names, parameter values (quoted in messages) and an error message, scans it for real, and
 * checks every format.
 */

// Terminal escapes (clear screen, colour), carriage return, NUL, DEL, C1 (NEL, CSI), a bidi override.
const CONTROLS = '\u001b[2J\u001b[31mred\r\u0000\u007f\u0085\u009b\u202eevil';
// A file name a spreadsheet would run, that HTML and Markdown would act on, that a URI must encode.
// (No NUL: no file system allows it; no '/', which would make a folder.)
const FILE = `=cmd|' calc'!A0 <i>x & "q" #1 %41 ?a é ${CONTROLS.replace('\u0000', '')}.json`;
const PARAMS = FILE.replace(/\.json$/, '.parameters.json');
const LINK_DIR = 'javascript:alert(1)';
const NAMES = [
  '<script>alert(1)</script>',
  '"quoted" & amp',
  `ctl ${CONTROLS}`,
  "=cmd|' -C calc'!A0",
  '+1',
  '-1',
  '@SUM(A1)',
  '\tTAB',
  '[x](javascript:alert(2)) | # ( ) ` * _',
];
const URL_VALUE = `http://<script>alert(3)</script>/${CONTROLS}/=cmd|' /C calc'!A0`;

export function hostileScan(): ScanOutput {
  const backends = NAMES.map((n, i) => ({
    type: 'Microsoft.ApiManagement/service/backends',
    apiVersion: '2022-08-01',
    name: `svc/${n}`,
    properties: { url: i === 0 ? "[parameters('backendUrl')]" : `http://b${i}` },
  }));
  const broken = {
    type: 'Microsoft.ApiManagement/service/backends',
    apiVersion: '2022-08-01',
    name: 'svc/broken',
    properties: { url: `[parameters('<script>${CONTROLS}\nfake.json:1:1  error  forged')]` },
  };
  const dir = tempTree({
    [FILE]: template({ parameters: { backendUrl: { type: 'string' } }, resources: [...backends, broken] }),
    // Paired by metadata.template: the naming convention's pattern (src/input/pair-parameters.ts) stops at the CR in the name.
    [PARAMS]: JSON.stringify({ ...JSON.parse(parameterFile({ backendUrl: URL_VALUE })), metadata: { template: `./${FILE}` } }, null, 2),
    [`${LINK_DIR}/main.json`]: template({
      resources: [{ type: 'Microsoft.ApiManagement/service/backends', apiVersion: '2022-08-01', name: 'svc/x', properties: { url: 'http://x' } }],
    }),
  });
  // A rule whose title and finding text come from the input too (as a custom policy's would).
  const echo = defineRule({
    id: 'TEST-ECHO',
    title: `echo <b>${CONTROLS}</b>`,
    severity: 'low',
    description: '',
    recommendation: '',
    equivalents: [],
    appliesTo: ['Microsoft.ApiManagement/service/backends'],
    check: (r, ctx) => ctx.report({ path: 'name', message: `=HYPERLINK("http://evil") name ${r.name}` }),
  });
  const http = NATIVE_RULES.find((r) => r.meta.id === 'APIM-HTTPBackend')!;
  return scan({ paths: ['.'], cwd: dir, ruleSet: { rules: [http, echo], diagnostics: [], effectErrors: [] } });
}

// C0 controls but tab and line feed, DEL, C1 controls, bidi controls.
const ACTIVE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

test('the hostile fixture scans: every name and file made it into the result unchanged', () => {
  const out = hostileScan();
  assert.ok(out.files.includes(FILE), out.files.join('\n'));
  assert.ok(out.files.includes(`${LINK_DIR}/main.json`));
  for (const n of NAMES)
    assert.ok(
      out.findings.some((f) => f.resource.name === `svc/${n}`),
      n,
    );
  assert.ok(
    out.findings.some((f) => f.message.includes(URL_VALUE)),
    'the parameter value is quoted in a message',
  );
  assert.ok(
    out.diagnostics.some((d) => d.severity === 'error' && d.message.includes('<script>')),
    JSON.stringify(out.diagnostics),
  );
});

test('pretty: active characters are printed visibly (\\x1b, \\r, \\u202e), never raw; with colour, only our own colour codes', () => {
  const result = hostileScan();
  const plain = render('pretty', result, { color: false, verbose: true, showSuppressed: true });
  assert.doesNotMatch(plain, ACTIVE);
  assert.doesNotMatch(plain, /\u001b/);
  assert.ok(plain.includes('\\x1b[2J\\x1b[31mred\\r\\x00\\x7f\\x85\\x9b\\u202eevil'), plain);
  // A line feed quoted from the template in a diagnostic cannot start a line of its own.
  assert.ok(plain.includes('\n    fake.json:1:1  error  forged'), plain);
  assert.doesNotMatch(plain, /^fake\.json/m);
  const coloured = render('pretty', result, { color: true, verbose: true });
  // Every ESC is the start of an SGR colour code, and none of them is the fixture's red or clear-screen.
  assert.doesNotMatch(coloured.replace(/\u001b\[[0-9;]*m/g, ''), ACTIVE);
  assert.doesNotMatch(coloured, /\u001b\[2J/);
});

test('json and sarif: valid JSON that keeps the text exactly; SARIF file URIs percent-encode odd file names', () => {
  const result = hostileScan();
  const json = JSON.parse(render('json', result, { color: false })) as { findings: { resource: { name: string }; file: string }[] };
  for (const n of NAMES)
    assert.ok(
      json.findings.some((f) => f.resource.name === `svc/${n}`),
      n,
    );
  const sarif = JSON.parse(render('sarif', result, { color: false })) as {
    runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[];
  };
  const uris = new Set(sarif.runs[0]!.results.flatMap((r) => r.locations.map((l) => l.physicalLocation.artifactLocation.uri)));
  assert.ok(uris.size >= 2);
  for (const uri of uris) {
    // Only unreserved characters, sub-delimiters, '/' and percent-escapes: nothing a URI parser would split on.
    assert.match(uri, /^([A-Za-z0-9\-._~!$&'()*+,;=/@]|%[0-9A-F]{2})+$/, uri);
    assert.ok([FILE, `${LINK_DIR}/main.json`].includes(decodeURIComponent(uri)), uri);
  }
  // A relative reference whose first segment has a colon would read as a scheme.
  assert.ok([...uris].every((u) => !/^[^/]*:/.test(u)));
});

test('html: everything from the input is entity-escaped; active characters shown visibly', () => {
  const html = render('html', hostileScan(), { color: false });
  assert.equal(html.match(/<script/gi)?.length, 1, 'only the page its own script');
  assert.doesNotMatch(html, /<i>|<b>|<\/?script>alert/);
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(html.includes('&quot;quoted&quot; &amp; amp'));
  assert.doesNotMatch(html, ACTIVE);
  assert.ok(html.includes('\\x1b[2J'));
  // Attribute values cannot be closed early.
  for (const m of html.matchAll(/data-(?:file|rule)="([^"]*)"/g)) assert.doesNotMatch(m[1]!, /[<>]/);
});

test('junit: well-formed XML 1.0 with the text escaped and active characters shown or dropped', () => {
  const xml = render('junit', hostileScan(), { color: false });
  assert.equal(XMLValidator.validate(xml), true, String(JSON.stringify(XMLValidator.validate(xml))));
  assert.doesNotMatch(xml, /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/);
  assert.doesNotMatch(xml, ACTIVE);
  assert.doesNotMatch(xml, /<script|<i>/);
  assert.ok(xml.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
});

for (const format of ['markdown', 'pr-comment'] as const)
  test(`${format}: no links but ours, link targets encoded, no raw HTML, active characters shown`, () => {
    const md = render(format, hostileScan(), { color: false });
    // A link is `](` with the `]` not backslash-escaped.
    const links = [...md.matchAll(/(?<!\\)\]\(([^)]*)\)/g)].map((m) => m[1]!);
    assert.ok(links.length >= 2, md);
    for (const target of links) {
      // A relative path from the scan's folder: no scheme (javascript:), nothing markdown or a URL would split on.
      assert.match(target, /^([A-Za-z0-9\-._~!$&'*+,;=/@]|%[0-9A-F]{2})+(#L[0-9]+)?$/, target);
    }
    assert.ok(
      links.some((t) => t.startsWith('javascript%3Aalert%281%29/main.json#L')),
      links.join('\n'),
    );
    // Raw HTML: a `<` that is not backslash-escaped, outside the <details> we write ourselves.
    // (Code spans are left out: markdown shows their text as it is, `<` included.)
    assert.doesNotMatch(md.replace(/<\/?details>|<summary>|<\/summary>/g, '').replace(/`[^`\n]*`/g, ''), /(^|[^\\])</m);
    assert.doesNotMatch(md, ACTIVE);
    // The rogue link in a resource name stays text.
    assert.doesNotMatch(md, /(?<!\\)\]\(javascript:/);
    assert.ok(md.includes('\\[x\\](javascript:alert(2))'));
    // Every table row keeps its five cells: a `|` from the input is escaped.
    for (const row of md.split('\n').filter((l) => l.startsWith('| ') && l.includes('🔴'))) assert.equal(row.split(/(?<!\\)\|/).length, 7, row);
  });

test('csv: no cell a spreadsheet would run as a formula; one row per finding', () => {
  const result = hostileScan();
  const rows = parseCsv(render('csv', result, { color: false }));
  assert.equal(rows.length, result.findings.length + 1);
  for (const row of rows) {
    assert.equal(row.length, 12);
    for (const cell of row) {
      assert.doesNotMatch(cell, /^[=+\-@\t\r]/, cell);
      // CR stays (RFC 4180 quotes it; a leading one is neutralised above).
      assert.doesNotMatch(cell.replace(/\r/g, ''), ACTIVE, cell);
    }
  }
  assert.ok(
    rows.some((r) => r[5] === 'svc/ctl \\x1b[2J\\x1b[31mred\r\\x00\\x7f\\x85\\x9b\\u202eevil'),
    'control characters shown as escapes',
  );
  assert.ok(
    rows.some((r) => r[6] === `'${visible(FILE, 'crlf')}`),
    'the file name is kept (its controls shown), quoted against formulas',
  );
});

test('github: one workflow command per line; data and properties escaped per the runner; active characters shown', () => {
  const result = hostileScan();
  const text = render('github', result, { color: false });
  const lines = text.split('\n').filter(Boolean);
  // One per finding and input problem, and the coverage notice.
  assert.equal(lines.length, result.findings.length + result.diagnostics.filter((d) => d.severity !== 'info').length + 1);
  for (const line of lines) {
    const m = /^::(error|warning|notice) ([^:]*)::(.*)$/.exec(line);
    assert.ok(m, line);
    // Properties: k=v pairs whose values have no raw ',' or ':' (escaped as %2C and %3A).
    for (const pair of m[2]!.split(',')) assert.match(pair, /^[a-zA-Z]+=[^,:]*$/, pair);
    assert.doesNotMatch(line, /\r/);
    assert.doesNotMatch(line, ACTIVE);
  }
  assert.ok(text.includes('%25'), 'a % from the input is escaped');
});

test('gitlab: valid JSON keeping the paths; descriptions show active characters as escapes', () => {
  const result = hostileScan();
  const issues = JSON.parse(render('gitlab', result, { color: false })) as { description: string; check_name: string; location: { path: string } }[];
  assert.ok(issues.length >= result.findings.length);
  for (const issue of issues) {
    assert.doesNotMatch(issue.description, ACTIVE, issue.description);
    assert.doesNotMatch(issue.check_name, ACTIVE);
  }
  assert.ok(
    issues.some((i) => i.location.path.includes(FILE)),
    'the odd file name is kept, so that GitLab finds the file',
  );
  assert.ok(issues.some((i) => i.description.includes('\\x1b[2J')));
});

test('every format is covered here', () => {
  assert.deepEqual([...FORMATS].sort(), ['csv', 'github', 'gitlab', 'html', 'json', 'junit', 'markdown', 'pr-comment', 'pretty', 'sarif']);
});

test('visibleStrings: copies plain data only, keeps a __proto__ key as a key, keeps line feeds in messages only', () => {
  const data = JSON.parse('{"__proto__": {"polluted": "\\u001b"}, "message": "a\\nb\\u001b", "file": "x\\ny"}') as Record<string, unknown>;
  const copy = visibleStrings(data);
  assert.equal(Object.getPrototypeOf(copy), Object.prototype);
  assert.deepEqual(Object.keys(copy), ['__proto__', 'message', 'file']);
  assert.equal((Object.getOwnPropertyDescriptor(copy, '__proto__')!.value as { polluted: string }).polluted, '\\x1b');
  assert.equal(copy['message'], 'a\nb\\x1b');
  assert.equal(copy['file'], 'x\\ny');
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});

test('a lone surrogate in a path (a JSON \\ud800 escape can make one) does not make SARIF or Markdown throw', () => {
  const result = hostileScan();
  const f = result.findings[0]!;
  const odd = { ...result, findings: [{ ...f, file: 'a\ud800b.json', location: { ...f.location!, file: 'a\ud800b.json' } }] };
  assert.ok(render('sarif', odd, { color: false }).includes('a%EF%BF%BDb.json'));
  assert.ok(render('markdown', odd, { color: false }).includes('](a%EF%BF%BDb.json#L'));
});
