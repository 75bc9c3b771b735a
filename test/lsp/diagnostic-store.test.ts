import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DiagnosticStore, type Entry, type ScanRecord } from '../../src/lsp/diagnostics.js';

const at = (line: number, code: string): Entry => ({
  diagnostic: { range: { start: { line, character: 0 }, end: { line, character: 5 } }, code, message: `${code} at ${line}` },
  cwd: '/w',
});

function record(templates: string[], files: string[], byFile: Record<string, Entry[]>): ScanRecord {
  return { templates: new Set(templates), files: new Set(files), byFile: new Map(Object.entries(byFile)) };
}

const codes = (entries: Entry[]) => entries.map((e) => `${e.diagnostic.range.start.line}:${String(e.diagnostic.code)}`).sort();

test('a module reached by two deployments shows what both found, once each', () => {
  const store = new DiagnosticStore();
  store.replace(record(['/w/a.bicep'], ['/w/a.bicep'], { '/w/mod.bicep': [at(3, 'R1'), at(7, 'R2')] }));
  store.replace(record(['/w/b.bicep'], ['/w/b.bicep'], { '/w/mod.bicep': [at(3, 'R1'), at(9, 'R3')] }));
  assert.deepEqual(codes(store.entries('/w/mod.bicep')), ['3:R1', '7:R2', '9:R3']);
});

test('a new scan of the same template replaces the old one; the files it no longer reports on are touched so they are cleared', () => {
  const store = new DiagnosticStore();
  store.replace(record(['/w/a.json'], ['/w/a.json', '/w/a.parameters.json'], { '/w/a.json': [at(10, 'R1')], '/w/mod.json': [at(2, 'R2')] }));
  const touched = store.replace(record(['/w/a.json'], ['/w/a.json', '/w/a.parameters.json'], { '/w/a.json': [at(12, 'R1')] }));
  assert.deepEqual(codes(store.entries('/w/a.json')), ['12:R1']);
  assert.deepEqual(store.entries('/w/mod.json'), []);
  assert.deepEqual([...touched].sort(), ['/w/a.json', '/w/a.parameters.json', '/w/mod.json']);
});

test('a template that no longer parses (no unit) replaces its earlier findings through the files the scan read', () => {
  const store = new DiagnosticStore();
  store.replace(record(['/w/a.bicep'], ['/w/a.bicep'], { '/w/a.bicep': [at(10, 'R1')] }));
  store.replace(record([], ['/w/a.bicep'], { '/w/a.bicep': [at(4, 'bicep-syntax')] }));
  assert.deepEqual(codes(store.entries('/w/a.bicep')), ['4:bicep-syntax']);
});

test('extra entries (a configuration problem) are kept apart and cleared with an empty list', () => {
  const store = new DiagnosticStore();
  store.setExtra('/w/tollgate.yaml', [at(2, 'config')]);
  assert.equal(store.entries('/w/tollgate.yaml').length, 1);
  store.setExtra('/w/tollgate.yaml', []);
  assert.equal(store.entries('/w/tollgate.yaml').length, 0);
});
