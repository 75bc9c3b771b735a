import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../helpers.js';

/** The YAML block after `<!-- sharded-example: NAME -->` in docs/ci.md, parsed. */
function example(name: string): unknown {
  const text = readFileSync(path.join(repoRoot(), 'docs/ci.md'), 'utf8');
  const m = new RegExp(`<!-- sharded-example: ${name} -->\\n\`\`\`yaml\\n([\\s\\S]*?)\\n\`\`\`\\n`).exec(text);
  assert.ok(m, `docs/ci.md has the ${name} example`);
  // Strict: duplicate keys and anything else the parser only warns about are errors here.
  return parse(m[1]!, { strict: true, uniqueKeys: true, prettyErrors: true });
}

interface GithubStep {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}
interface GithubJob {
  needs?: string | string[];
  if?: string;
  strategy?: { matrix?: Record<string, unknown> };
  steps: GithubStep[];
}

const oneToN = (values: unknown[]) => values.length >= 2 && values.every((v, i) => v === i + 1);

test('docs/ci.md: the GitHub Actions matrix fans out over shards 1..N and the merge names every shard', () => {
  const { jobs } = example('github') as { jobs: Record<string, GithubJob> };
  const scan = jobs['scan']!;
  const shards = scan.strategy?.matrix?.['shard'] as unknown[];
  assert.ok(Array.isArray(shards) && oneToN(shards), `matrix.shard is 1..N: ${JSON.stringify(shards)}`);
  const n = shards.length;
  const scanStep = scan.steps.find((s) => s.run?.includes(' scan '));
  assert.ok(scanStep?.run?.includes(`--shard \${{ matrix.shard }}/${n} `), scanStep?.run);
  assert.match(scanStep?.run ?? '', /-f json -o tollgate-shard-\$\{\{ matrix\.shard \}\}\.json/);
  const upload = scan.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
  assert.equal(upload?.with?.['path'], 'tollgate-shard-${{ matrix.shard }}.json');
  assert.equal(upload.if, 'always()', 'a shard that fails on an input error still uploads its report');

  const merge = jobs['merge']!;
  assert.deepEqual([merge.needs].flat(), ['scan']);
  const download = merge.steps.find((s) => s.uses?.startsWith('actions/download-artifact@'));
  assert.equal(download?.with?.['path'], 'shards');
  assert.equal(download.with?.['merge-multiple'], true);
  const mergeStep = merge.steps.find((s) => s.run?.includes(' merge '));
  const named = [...(mergeStep?.run ?? '').matchAll(/shards\/tollgate-shard-(\d+)\.json/g)].map((m) => Number(m[1]));
  assert.deepEqual(named, shards, 'the merge step names the report of every shard, once');
  assert.ok(merge.steps.indexOf(download) < merge.steps.indexOf(mergeStep!));
  assert.ok(merge.steps.some((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@')));
});

interface AzureStep {
  script?: string;
  publish?: string;
  artifact?: string;
  download?: string;
  condition?: string;
}
interface AzureJob {
  job: string;
  dependsOn?: string | string[];
  condition?: string;
  strategy?: { matrix?: Record<string, Record<string, unknown>> };
  steps: AzureStep[];
}

test('docs/ci.md: the Azure Pipelines job matrix fans out over shards 1..N and the merge names every shard', () => {
  const { jobs } = example('azure') as { jobs: AzureJob[] };
  const scan = jobs.find((j) => j.job === 'scan')!;
  const shards = Object.values(scan.strategy?.matrix ?? {}).map((v) => v['SHARD']);
  assert.ok(oneToN(shards), `matrix SHARD values are 1..N: ${JSON.stringify(shards)}`);
  const n = shards.length;
  const scanStep = scan.steps.find((s) => s.script?.includes(' scan '));
  assert.ok(scanStep?.script?.includes(`--shard $(SHARD)/${n} `), scanStep?.script);
  const publish = scan.steps.find((s) => s.publish !== undefined);
  assert.equal(publish?.artifact, 'tollgate-shard-$(SHARD)');
  assert.ok(publish.publish?.endsWith('/tollgate-shard-$(SHARD).json'));
  assert.equal(publish.condition, 'always()');

  const merge = jobs.find((j) => j.job === 'merge')!;
  assert.deepEqual([merge.dependsOn].flat(), ['scan']);
  assert.ok(merge.steps.some((s) => s.download === 'current'));
  const mergeStep = merge.steps.find((s) => s.script?.includes(' merge '));
  // Each artifact is downloaded into a folder of its name.
  const named = [...(mergeStep?.script ?? '').matchAll(/\$\(Pipeline\.Workspace\)\/tollgate-shard-(\d+)\/tollgate-shard-(\d+)\.json/g)].map((m) => {
    assert.equal(m[1], m[2]);
    return Number(m[1]);
  });
  assert.deepEqual(named, shards, 'the merge step names the report of every shard, once');
});
