// Discovery hands its lowering of a Bicep file to the unit that scans it (src/bicep/load-bicep.ts):
// taken once, and only while the file and everything its lowering read still read the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { handedOffFiles, loadBicep, loadBicepModule, loweredModuleFiles, settleHandOffs } from '../../src/bicep/load-bicep.js';
import { Sandbox } from '../../src/load/sandbox.js';
import { SourceFile } from '../../src/load/source-file.js';
import { tempTree } from '../helpers.js';

const MAIN = ["import { prefix } from 'shared.bicep'", "output name string = '${prefix}-app'", ''].join('\n');
const shared = (prefix: string) => ['@export()', `var prefix = '${prefix}'`, ''].join('\n');

function source(dir: string): SourceFile {
  const abs = path.join(dir, 'main.bicep');
  return new SourceFile(abs, 'main.bicep', readFileSync(abs, 'utf8'));
}

/** The lowered template (the imported variable lands in its variables), as text. */
const outputOf = (lowered: ReturnType<typeof loadBicep>) => JSON.stringify(lowered.document.value);

test('a unit takes the lowering discovery handed off: once, and the reads it depends on go through the unit fork', () => {
  const dir = tempTree({ 'main.bicep': MAIN, 'shared.bicep': shared('one') });
  const root = Sandbox.forPaths([dir], { cwd: dir, registryCache: false });
  const stored = loadBicep(source(dir), root.fork(), 'store');
  const read: string[] = [];
  const unit = root.fork((absPath) => read.push(path.basename(absPath)));
  const taken = loadBicep(source(dir), unit, 'take');
  assert.equal(taken.document, stored.document, 'the same lowering, not a second one');
  assert.deepEqual(read, ['shared.bicep'], 'the imported file is read again through the unit fork (the result cache sees it)');
  // Taken once: a second unit of the same file lowers it itself.
  assert.notEqual(loadBicep(source(dir), root.fork(), 'take').document, stored.document);
});

// A unit whose reads are recorded (the result cache) reads again what the lowering read.
const recorded = (root: Sandbox) => root.fork(() => undefined);

test('a handed-off lowering is not taken by a recording unit when a file it read has changed since', () => {
  const dir = tempTree({ 'main.bicep': MAIN, 'shared.bicep': shared('one') });
  const root = Sandbox.forPaths([dir], { cwd: dir, registryCache: false });
  const stored = loadBicep(source(dir), root.fork(), 'store');
  assert.match(outputOf(stored), /"one"/);
  writeFileSync(path.join(dir, 'shared.bicep'), shared('two'));
  const taken = loadBicep(source(dir), recorded(root), 'take');
  assert.notEqual(taken.document, stored.document);
  assert.match(outputOf(taken), /"two"/);
  // And when the file itself changed, whether the unit records or not.
  loadBicep(source(dir), root.fork(), 'store');
  writeFileSync(path.join(dir, 'main.bicep'), MAIN.replace('-app', '-api'));
  assert.match(outputOf(loadBicep(source(dir), root.fork(), 'take')), /-api/);
});

test('a unit that records nothing takes the lowering as discovery read its files (the reads the scan kept)', () => {
  const dir = tempTree({ 'main.bicep': MAIN, 'shared.bicep': shared('one') });
  const root = Sandbox.forPaths([dir], { cwd: dir, registryCache: false });
  const stored = loadBicep(source(dir), root.fork(), 'store');
  // Changed between discovery and the unit (within one scan): the scan keeps discovery's view.
  writeFileSync(path.join(dir, 'shared.bicep'), shared('two'));
  const taken = loadBicep(source(dir), root.fork(), 'take');
  assert.equal(taken.document, stored.document);
  assert.match(outputOf(taken), /"one"/);
});

// A registry module (here from the configured mirror folder) is resolved again through the unit
// fork: the lowering is taken only while it resolves to the same file and that file reads the same.
const REGISTRY_MAIN = ["import { prefix } from 'br/public:avm/utl/types/common:0.7.0'", "output name string = '${prefix}-app'", ''].join('\n');

function registryTree(): { dir: string; root: Sandbox } {
  const dir = tempTree({ 'main.bicep': REGISTRY_MAIN, 'mirror/avm/utl/types/common/main.bicep': shared('any') });
  const root = Sandbox.forPaths([dir], { cwd: dir, registryCache: false, moduleMirror: path.join(dir, 'mirror') });
  return { dir, root };
}

test('a lowering that imports from a registry module is handed off, its module read again through the unit fork', () => {
  const { dir, root } = registryTree();
  const stored = loadBicep(source(dir), root.fork(), 'store');
  assert.match(outputOf(stored), /"any"/);
  assert.deepEqual(stored.diagnostics, []);
  const read: string[] = [];
  const absent: string[] = [];
  const unit = root.fork((absPath, content) => (content ? read : absent).push(path.relative(dir, absPath).split(path.sep).join('/')));
  const taken = loadBicep(source(dir), unit, 'take');
  assert.equal(taken.document, stored.document, 'the same lowering, not a second one');
  assert.deepEqual(read, ['mirror/avm/utl/types/common/main.bicep']);
  // The places looked at first and found empty are dependencies too: the exact version appearing there is a change.
  assert.ok(absent.includes('mirror/avm/utl/types/common/0.7.0/main.bicep'));
  assert.ok(absent.includes('bicepconfig.json'));
});

test('a handed-off lowering is not taken when its registry module now resolves elsewhere', () => {
  const { dir, root } = registryTree();
  const stored = loadBicep(source(dir), root.fork(), 'store');
  // The exact version appears in the mirror: it wins over the any-version copy, which is unchanged.
  const exact = path.join(dir, 'mirror/avm/utl/types/common/0.7.0/main.bicep');
  mkdirSync(path.dirname(exact), { recursive: true });
  writeFileSync(exact, shared('exact'));
  const taken = loadBicep(source(dir), root.fork(), 'take');
  assert.notEqual(taken.document, stored.document);
  assert.match(outputOf(taken), /"exact"/);
});

// A module many units deploy is lowered once per scan (src/bicep/load-bicep.ts, loadBicepModule):
// shared while it and what it read read the same, each read again through the unit's fork.
const MODULE_MAIN = ["import { prefix } from 'shared.bicep'", "output name string = '${prefix}-mod'", ''].join('\n');

test('a Bicep module is lowered once for the units of a scan, and again for a recording unit when a file it read has changed', () => {
  const dir = tempTree({ 'mod.bicep': MODULE_MAIN, 'shared.bicep': shared('one') });
  const root = Sandbox.forPaths([dir], { cwd: dir, registryCache: false });
  const moduleFile = () => new SourceFile(path.join(dir, 'mod.bicep'), 'mod.bicep', readFileSync(path.join(dir, 'mod.bicep'), 'utf8'));
  const first = loadBicepModule(moduleFile(), root.fork());
  const read: string[] = [];
  const second = loadBicepModule(
    moduleFile(),
    root.fork((absPath) => read.push(path.basename(absPath))),
  );
  assert.equal(second, first, 'the same lowering for the second unit');
  assert.deepEqual(read, ['shared.bicep'], 'what it read is read again through the second unit fork');
  writeFileSync(path.join(dir, 'shared.bicep'), shared('two'));
  assert.equal(loadBicepModule(moduleFile(), root.fork()), first, "a unit that records nothing keeps the scan's first view");
  const third = loadBicepModule(moduleFile(), recorded(root));
  assert.notEqual(third, first);
  assert.match(JSON.stringify(third.value), /"two"/);
  // Discovery's lowering of a file serves the units that deploy it as a module, once discovery
  // knows that it is one; the file is then not held for a unit of its own.
  const stored = loadBicep(moduleFile(), root.fork(), 'store');
  const modulePath = path.join(dir, 'mod.bicep');
  settleHandOffs(root, new Set([modulePath]), new Set());
  assert.equal(loadBicepModule(moduleFile(), root.fork()), stored.document);
  assert.deepEqual(handedOffFiles(root), []);
  // Named on the command line, a module is also scanned on its own: held for that unit too.
  const named = loadBicep(moduleFile(), root.fork(), 'store');
  settleHandOffs(root, new Set([modulePath]), new Set([modulePath]));
  assert.deepEqual(handedOffFiles(root), [modulePath]);
  assert.equal(loadBicepModule(moduleFile(), root.fork()), named.document);
});

test('discovery lets go of the lowerings of files no unit takes (modules, scanned through their callers)', async () => {
  const { loadInputs } = await import('../../src/input/load-inputs.js');
  const { evaluateBicepParamValues } = await import('../../src/arm/template/expand.js');
  const dir = tempTree({
    'main.bicep': "module m 'mod.bicep' = {\n  name: 'm'\n}\n",
    'mod.bicep': "output x string = 'x'\n",
    'other.bicep': "output y string = 'y'\n",
  });
  const sandbox = Sandbox.forPaths([dir], { cwd: dir, registryCache: false });
  const inputs = loadInputs({ paths: ['.'], cwd: dir, sandbox, evaluateBicepParams: evaluateBicepParamValues });
  assert.deepEqual(inputs.units.map((u) => u.file.path).sort(), ['main.bicep', 'other.bicep']);
  // Held for the two units; mod.bicep's lowering is in the lowered-module cache, not held for a unit.
  assert.deepEqual(
    handedOffFiles(sandbox)
      .map((f) => path.basename(f))
      .sort(),
    ['main.bicep', 'other.bicep'],
  );
  // Files no unit deploys as a module take no room in that cache: it holds what discovery read
  // first, for the units that run first, not what it read last.
  assert.deepEqual(
    loweredModuleFiles(sandbox).map((f) => path.basename(f)),
    ['mod.bicep'],
  );
});
