import { parentPort } from 'node:worker_threads';
import path from 'node:path';
import { DEFAULT_DEPLOYMENT, expandTemplate } from '../../src/arm/template/expand.js';
import { loadBicep, loadBicepParams } from '../../src/bicep/load-bicep.js';
import { linkedFileLoader } from '../../src/input/linked-files.js';
import { SourceFile } from '../../src/load/source-file.js';

/**
 * Runs one Bicep text through parse, lowering and expansion (every resource body and output
 * evaluated) in a worker thread, so that a test can stop a hang or an unbounded allocation
 * (test/bicep/robustness.test.ts) instead of hanging the suite with it.
 */
export interface PipelineRequest {
  /** Where the text is (modules and load*() resolve from there); the file need not exist. */
  absPath: string;
  text: string;
}

export interface PipelineReply {
  /** An exception that escaped the pipeline (always a bug): its stack. */
  error?: string;
  diagnostics: { line: number; column: number; message: string }[];
  resources: number;
  /** The outputs as JSON text (so that keys such as `__proto__` cross the thread boundary as written). */
  outputs: string;
}

function run({ absPath, text }: PipelineRequest): PipelineReply {
  const dir = path.dirname(absPath);
  const file = new SourceFile(absPath, path.basename(absPath), text);
  const diagnostics: PipelineReply['diagnostics'] = [];
  const options = { deployment: DEFAULT_DEPLOYMENT, loadLinked: linkedFileLoader([dir], dir) };
  const note = (d: { message: string; location?: { start: { line: number; column: number } } }) =>
    diagnostics.push({ line: d.location?.start.line ?? 0, column: d.location?.start.column ?? 0, message: d.message });
  if (absPath.endsWith('.bicepparam')) {
    const loaded = loadBicepParams(file, (t) => {
      const e = expandTemplate(t, undefined, options);
      return { outputs: e.outputs() as Record<string, unknown>, diagnostics: e.diagnostics };
    });
    loaded.diagnostics.forEach(note);
    return { diagnostics, resources: 0, outputs: '{}' };
  }
  const loaded = loadBicep(file);
  loaded.diagnostics.forEach(note);
  const expansion = expandTemplate(loaded.document, undefined, options);
  // Bodies and outputs are evaluated on demand: read them all.
  for (const r of expansion.resources) JSON.stringify(r.body);
  const outputs = JSON.stringify(expansion.outputs());
  expansion.diagnostics.forEach(note);
  return { diagnostics, resources: expansion.resources.length, outputs };
}

parentPort?.on('message', (request: PipelineRequest) => {
  let reply: PipelineReply;
  try {
    reply = run(request);
  } catch (err) {
    reply = { error: (err as Error).stack ?? String(err), diagnostics: [], resources: 0, outputs: '{}' };
  }
  parentPort!.postMessage(reply);
});
