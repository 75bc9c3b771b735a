import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeData, escapeProperty, formatGithub } from '../../src/report/github.js';
import { assertGolden } from './golden.js';
import { NASTY, richFixture } from './fixture-extra.js';
import { scanFixture } from './fixture.js';

// Golden files: UPDATE_GOLDEN=1 npm test rewrites them (see golden.ts); review the diff.
test('github: golden files', () => {
  assertGolden('report.github.txt', formatGithub(scanFixture()));
  assertGolden('report.rich.github.txt', formatGithub(richFixture()));
});

/** The runner's unescaping (actions/runner ActionCommand): %25 last, so that %253A stays %3A. */
const unescapeData = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
const unescapeProperty = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');

/** Parses `::command k=v,k=v::message` the way the runner does. */
function parseCommand(line: string): { command: string; props: Record<string, string>; message: string } {
  const m = /^::([a-z]+) ([^:]*)::(.*)$/s.exec(line);
  assert.ok(m, line);
  assert.doesNotMatch(line, /[\r\n]/);
  const props: Record<string, string> = {};
  for (const pair of m[2]!.split(',')) {
    const eq = pair.indexOf('=');
    assert.ok(eq > 0, pair);
    props[pair.slice(0, eq)] = unescapeProperty(pair.slice(eq + 1));
  }
  return { command: m[1]!, props, message: unescapeData(m[3]!) };
}

test('github: escaping round-trips', () => {
  for (const text of [`a:b,c%d\r\ne`, '%3A%25', '::error::x', NASTY]) {
    assert.equal(unescapeProperty(escapeProperty(text)), text);
    assert.equal(unescapeData(escapeData(text)), text);
    assert.doesNotMatch(escapeProperty(text), /[\r\n:,]/);
    assert.doesNotMatch(escapeData(text), /[\r\n]/);
  }
});

test('github: one workflow command per finding and input problem, fields that parse back', () => {
  const result = richFixture();
  const lines = formatGithub(result).trimEnd().split('\n');
  // One command per finding and input problem, and one notice with the coverage.
  assert.equal(lines.length, result.findings.length + result.diagnostics.filter((d) => d.severity !== 'info').length + 1);
  const commands = lines.map(parseCommand);
  const coverage = commands.find((c) => c.props['title'] === 'tollgate: coverage')!;
  assert.equal(coverage.command, 'notice');
  assert.deepEqual(coverage.message.split('\n'), [
    '5 resources found: 3 evaluated by at least one rule, 0 only undecided, 2 that no rule applies to (Microsoft.ApiManagement/service 2); 1 check undecided; ' +
      '2 rules not run (1 cannot run); 1 nested deployment not followed (1 the linked template is remote (a URL) and is not fetched)',
    "cannot run: 567c93f7-3661-494f-a30f-0a94d9bfebf8 Enable logging <to> Log Analytics: needs parameter 'logAnalytics' (no default)",
  ]);
  const nasty = commands.find((c) => c.message.startsWith("Backend 'a|b'"))!;
  assert.deepEqual(nasty, {
    command: 'warning',
    props: {
      file: 'infra/apim.json',
      line: '62',
      col: '41',
      endLine: '62',
      endColumn: '46',
      title: '92bb331d-ac71-416a-8c91-02f2cb734ce4: API Management calls to API backends should not bypass certificate thumbprint or name validation',
    },
    message: NASTY,
  });
  const input = commands.find((c) => c.props['title'] === 'tollgate: unknown-function')!;
  assert.deepEqual(input, {
    command: 'error',
    props: { file: 'infra/apim.json', line: '88', col: '22', title: 'tollgate: unknown-function' },
    message: "unsupported template function 'listSecrets'",
  });
  // Origins follow the message on their own lines.
  const backend = parseCommand(formatGithub(scanFixture()).split('\n')[1]!);
  assert.equal(backend.message.split('\n')[1], "value set at infra/apim.parameters.json:9: parameter 'paymentsUrl' (value in parameter file)");
});
