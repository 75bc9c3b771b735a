import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../src/findings/finding.js';
import { addDays, bicepSuppression, codeActionsFor, jsonSuppression, REASON_PLACEHOLDER } from '../../src/lsp/code-actions.js';
import type { Entry } from '../../src/lsp/diagnostics.js';

function finding(extra: Partial<Finding> = {}): Finding {
  return {
    ruleId: 'APIM-Protocols',
    ruleTitle: 'Use HTTPS only',
    level: 'error',
    severity: 'high',
    resource: { type: 'Microsoft.ApiManagement/service/apis', name: 'apim/orders', id: '/x' },
    message: 'The API accepts HTTP',
    origins: [],
    file: 'main.bicep',
    location: { file: 'main.bicep', start: { line: 3, column: 5 }, end: { line: 3, column: 30 } },
    ...extra,
  };
}

function entry(f: Finding): Entry {
  const loc = f.location!;
  return {
    diagnostic: {
      range: { start: { line: loc.start.line - 1, character: loc.start.column - 1 }, end: { line: loc.end.line - 1, character: loc.end.column - 1 } },
      code: f.ruleId,
      message: f.message,
      source: 'tollgate',
    },
    finding: f,
    cwd: '/work',
  };
}

const TODAY = new Date('2026-12-07T10:00:00Z');

test("a finding's fix becomes a preferred quick fix whose workspace edit carries every edit, in LSP positions", () => {
  const f = finding({
    fix: {
      description: 'Set properties.protocols to ["https"]',
      edits: [
        {
          absPath: '/work/main.bicep',
          file: 'main.bicep',
          startOffset: 40,
          endOffset: 49,
          range: { start: { line: 3, column: 16 }, end: { line: 3, column: 25 } },
          newText: "['https']",
        },
        {
          absPath: '/work/main.bicepparam',
          file: 'main.bicepparam',
          startOffset: 10,
          endOffset: 15,
          range: { start: { line: 2, column: 1 }, end: { line: 2, column: 6 } },
          newText: 'true',
        },
      ],
    },
  });
  const actions = codeActionsFor([entry(f)], 'file:///work/main.bicep', "a\nb\n    protocols: ['http']\n", TODAY);
  const fix = actions.find((a) => a.title.startsWith('Fix '));
  assert.ok(fix);
  assert.equal(fix.title, 'Fix APIM-Protocols: Set properties.protocols to ["https"]');
  assert.equal(fix.kind, 'quickfix');
  assert.equal(fix.isPreferred, true);
  assert.deepEqual(fix.diagnostics, [entry(f).diagnostic]);
  assert.deepEqual(fix.edit, {
    changes: {
      'file:///work/main.bicep': [{ range: { start: { line: 2, character: 15 }, end: { line: 2, character: 24 } }, newText: "['https']" }],
      'file:///work/main.bicepparam': [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 5 } }, newText: 'true' }],
    },
  });
  // The suppression is offered too, after the fix.
  assert.deepEqual(
    actions.map((a) => a.title.split(' ')[0]),
    ['Fix', 'Suppress'],
  );
});

test('a fix that changes a shared value says so and is not preferred', () => {
  const f = finding({
    fix: {
      description: 'Set validateCertificates to true',
      sharedWith: ['backends/payments', 'backends/orders'],
      edits: [
        {
          absPath: '/work/main.bicep',
          file: 'main.bicep',
          startOffset: 0,
          endOffset: 5,
          range: { start: { line: 1, column: 1 }, end: { line: 1, column: 6 } },
          newText: 'true',
        },
      ],
    },
  });
  const fix = codeActionsFor([entry(f)], 'file:///work/main.bicep', 'false\n', TODAY).find((a) => a.title.startsWith('Fix '))!;
  assert.equal(fix.isPreferred, false);
  assert.match(fix.title, /also changes backends\/payments, backends\/orders/);
});

test('no fix: only the suppression is offered', () => {
  const actions = codeActionsFor([entry(finding())], 'file:///work/main.bicep', 'a\nb\n    x\n', TODAY);
  assert.deepEqual(
    actions.map((a) => a.title),
    ['Suppress APIM-Protocols here until 2027-03-07 (with a reason)'],
  );
});

test('Bicep suppression: a comment above the line at its indentation, with the expiry and a reason to replace', () => {
  const edit = bicepSuppression('resource a {\n    protocols: [\n', 1, 'APIM-Protocols', '2027-03-07');
  assert.deepEqual(edit.range, { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } });
  assert.equal(edit.newText, `    // tollgate-disable-next-line APIM-Protocols expires:2027-03-07 ${REASON_PLACEHOLDER}\n`);
  assert.equal(addDays(TODAY, 90), '2027-03-07');
});

test('JSON suppression: metadata created, or joined to what the resource has', () => {
  const apply = (text: string, e: { range: { start: { line: number; character: number } }; newText: string }) => {
    const lines = text.split('\n');
    const { line, character } = e.range.start;
    lines[line] = lines[line]!.slice(0, character) + e.newText + lines[line]!.slice(character);
    return lines.join('\n');
  };
  const suppressOf = (text: string) => {
    const edited = apply(text, jsonSuppression(text, { line: 5, character: 8 }, 'R1', '2027-03-07')!);
    const value = JSON.parse(edited) as { resources: { metadata: { tollgate: { suppress: unknown[] }; other?: number } }[] };
    return value.resources[0]!.metadata;
  };
  const resource = (extra: string) =>
    `{\n  "resources": [\n    {\n      "type": "Microsoft.X/y",\n      "name": "n",${extra}\n      "properties": { "a": 1 }\n    }\n  ]\n}`;
  const entry = { rule: 'R1', reason: REASON_PLACEHOLDER, expires: '2027-03-07' };
  // No metadata: a new first property, on its own line.
  assert.deepEqual(suppressOf(resource('')), { tollgate: { suppress: [entry] } });
  // The edit lands inside the innermost resource, at the indentation of its properties.
  const text = resource('');
  const edit = jsonSuppression(text, { line: 5, character: 8 }, 'R1', '2027-03-07')!;
  assert.equal(edit.range.start.line, 3);
  assert.match(edit.newText, /^ {6}"metadata": \{ "tollgate"/);
  // Metadata of its own: kept, tollgate added.
  assert.deepEqual(suppressOf(resource('\n      "metadata": { "other": 1 },').replace('"properties"', '"properties"')), {
    tollgate: { suppress: [entry] },
    other: 1,
  });
});

test('JSON suppression: appended to an existing suppress list', () => {
  const text = `{"resources": [{"type": "T", "name": "n", "metadata": {"tollgate": {"suppress": [{"rule": "R0", "reason": "ok"}]}},\n "properties": {"a": 1}}]}`;
  const e = jsonSuppression(text, { line: 1, character: 5 }, 'R1', '2027-03-07')!;
  const lines = text.split('\n');
  lines[e.range.start.line] =
    lines[e.range.start.line]!.slice(0, e.range.start.character) + e.newText + lines[e.range.start.line]!.slice(e.range.start.character);
  const value = JSON.parse(lines.join('\n')) as { resources: { metadata: { tollgate: { suppress: { rule: string }[] } } }[] };
  assert.deepEqual(
    value.resources[0]!.metadata.tollgate.suppress.map((s) => s.rule),
    ['R1', 'R0'],
  );
});

test('JSON suppression: nothing offered outside a resource or in text that does not parse', () => {
  assert.equal(jsonSuppression('{"parameters": {"a": {"type": "string"}}}', { line: 0, character: 20 }, 'R1', '2027-03-07'), undefined);
  assert.equal(jsonSuppression('{"resources": [', { line: 0, character: 5 }, 'R1', '2027-03-07'), undefined);
});
