import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { lex } from '../../src/bicep/syntax/lexer.js';
import { parseBicep } from '../../src/bicep/syntax/parser.js';
import { repoRoot } from '../helpers.js';
import { firstDifference, readSyntaxDump, readTokenDump, syntaxLines, tokenLines } from './syntax-dump.js';

// The official compiler's token streams and syntax trees for 62 baseline folders are the
// oracle (test/fixtures/upstream/bicep/parser-dumps, spans in UTF-16 units). Every valid
// folder must match token for token and node for node. Invalid folders must produce
// a whole tree (many are only semantically invalid); how closely their recovery matches is reported and ratcheted.
const root = path.join(repoRoot(), 'test', 'fixtures', 'upstream', 'bicep', 'parser-dumps');
const folders = readdirSync(root).sort();

// Invalid folders whose recovered tree already equals the official one; the list may only grow.
const INVALID_TREES_EQUAL = [
  'InvalidLoadFunctions_CRLF',
  'InvalidMetadata_CRLF',
  'InvalidModulesManagementGroup_LF',
  'InvalidModulesSubscription_LF',
  'InvalidModulesTenant_LF',
  'InvalidRuntimeValueUsages_LF',
  'InvalidTargetScopes_LF',
];

const read = (folder: string, file: string) => readFileSync(path.join(root, folder, file), 'utf8').replace(/^\uFEFF/, '');
const table: string[] = [];

for (const folder of folders) {
  const invalid = folder.startsWith('Invalid');
  test(`parser dump ${folder}`, () => {
    const text = read(folder, 'main.bicep');
    const parsed = parseBicep(text);
    const tokensDiff = existsSync(path.join(root, folder, 'main.tokens.bicep'))
      ? firstDifference(tokenLines(lex(text).tokens, text), readTokenDump(read(folder, 'main.tokens.bicep')))
      : undefined;
    const treeDiff = existsSync(path.join(root, folder, 'main.syntax.bicep'))
      ? firstDifference(syntaxLines(parsed.program, text), readSyntaxDump(read(folder, 'main.syntax.bicep')))
      : undefined;
    table.push(`${folder.padEnd(48)} tokens ${tokensDiff ? 'differ' : 'equal '}  tree ${treeDiff ? 'differs' : 'equal'}`);
    // The tree covers the whole file either way.
    assert.equal(parsed.program.end, text.length);
    if (!invalid) {
      assert.equal(tokensDiff, undefined, `tokens: ${tokensDiff}`);
      assert.equal(treeDiff, undefined, `tree: ${treeDiff}`);
    } else {
      if (INVALID_TREES_EQUAL.includes(folder)) assert.equal(treeDiff, undefined, `recovered tree: ${treeDiff}`);
    }
  });
}

test('parser conformance table', () => {
  console.log(table.join('\n'));
  assert.equal(table.length, folders.length);
});
