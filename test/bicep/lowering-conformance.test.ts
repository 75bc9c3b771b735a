import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_DEPLOYMENT, expandTemplate, type Expansion } from '../../src/arm/template/expand.js';
import { loadBicep } from '../../src/bicep/load-bicep.js';
import { linkedFileLoader } from '../../src/input/linked-files.js';
import { parseJsonDocument } from '../../src/load/json-document.js';
import { SourceFile } from '../../src/load/source-file.js';
import { isUnknown } from '../../src/resources/value.js';
import { repoRoot } from '../helpers.js';

// For every Bicep compiler baseline, expanding our lowering of main.bicep must give the same
// resources (type, name, body: properties, condition and copy instances included) and output
// values as expanding the official compiler's main.symbolicnames.json with the same engine.
// Unknown values compare as "<unknown>" whatever their reason; resource types compare without
// case (Bicep rewrites a type's casing from its type catalog; Azure ignores it). Module
// deployments compare without their template/templateLink: the module's own resources are
// compared as resources.
const root = path.join(repoRoot(), 'test', 'fixtures', 'upstream', 'bicep', 'baselines');

// Folders whose lowering already equals the compiler's; the list may only grow.
const EQUAL = new Set(
  'AKS_LF Dependencies_LF DisableNextLineDiagnosticsDirective_CRLF Empty Functions_LF IntermediaryVariables_LF Lambdas_LF LargeTemplate_Stress_LF LoadFunctions_CRLF LoopsIndexed_LF Loops_LF Metadata_CRLF ModulesSubscription_LF MultilineStrings_LF NewlineSensitivity_LF Outputs_CRLF Parameters_CRLF Parameters_LF PrettyPrint_LF NestedResources_LF ResourceDerivedTypes_LF ResourcesManagementGroup_CRLF Resources_CRLF ModulesWithScopes_LF ResourcesSubscription_CRLF ResourcesTenant_CRLF TestFramework_CRLF TypeDeclarations_LF TypedVariables_LF Unicode_LF ValidDeployTimeUsages_LF VariablesManagementGroup_LF VariablesSubscription_LF VariablesTenant_LF Variables_LF'.split(
    ' ',
  ),
);

function canonical(x: unknown): unknown {
  if (isUnknown(x as never)) return '<unknown>';
  if (Array.isArray(x)) return x.map(canonical);
  if (x && typeof x === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(x).sort()) out[k] = canonical((x as Record<string, unknown>)[k]);
    return out;
  }
  return typeof x === 'string' && x.includes('<unknown') ? '<unknown>' : x;
}

function summary(e: Expansion) {
  const resources = e.resources
    .map((r) => {
      const body = canonical(r.body) as Record<string, unknown>;
      const props = body.properties as Record<string, unknown> | undefined;
      if (props && typeof props === 'object') {
        delete props.template;
        delete props.templateLink;
      }
      return JSON.stringify({ type: r.type.toLowerCase(), name: canonical(r.name), body: { ...body, type: String(body.type).toLowerCase() } });
    })
    .sort();
  const outputs = Object.fromEntries(Object.entries(e.outputs()).map(([k, o]) => [k, canonical((o as { value?: unknown } | null)?.value)]));
  return { resources, outputs };
}

const rows: string[] = [];
for (const folder of readdirSync(root).sort()) {
  const dir = path.join(root, folder);
  const compiled = path.join(dir, 'main.symbolicnames.json');
  if (!existsSync(path.join(dir, 'main.bicep')) || !existsSync(compiled)) continue;
  test(`Bicep lowering ${folder}`, () => {
    const options = { deployment: DEFAULT_DEPLOYMENT, loadLinked: linkedFileLoader([dir], dir) };
    const source = path.join(dir, 'main.bicep');
    const ours = summary(expandTemplate(loadBicep(new SourceFile(source, 'main.bicep', readFileSync(source, 'utf8'))).document, undefined, options));
    const theirs = summary(expandTemplate(parseJsonDocument(new SourceFile(compiled, 'main.json', readFileSync(compiled, 'utf8'))), undefined, options));
    const equal = JSON.stringify(ours) === JSON.stringify(theirs);
    rows.push(`${folder.padEnd(44)} ${equal ? 'equal' : 'different'} (${theirs.resources.length} resources, ${Object.keys(theirs.outputs).length} outputs)`);
    if (EQUAL.has(folder)) assert.deepEqual(ours, theirs);
  });
}

test('Bicep lowering table', () => {
  console.log(rows.join('\n'));
  const equal = rows.filter((r) => / equal /.test(r)).length;
  console.log(`equal ${equal} of ${rows.length}`);
  assert.ok(equal >= EQUAL.size);
});
