// Saved reproducers: one input file plus a sidecar JSON per distinct failure signature.
// test/fuzz/reproducers/ holds those whose bug is fixed (they run in `npm test` as regression
// tests); test/fuzz/reproducers/pending/ holds those not yet fixed (skipped by that test, and
// reported as "known" rather than new by the fixed-seed pass).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { shortHash, type Failure } from './pool.js';
import { extensionOf, type FuzzInput, type Target } from './targets.js';

export interface Sidecar {
  signature: string;
  kind: Failure['kind'];
  name: string;
  /** The first line of the error message (trimmed): what a reader sees first. */
  message: string;
  /** The stages inside src/ the stack went through, innermost first. */
  frames: string[];
  /** Entry point the input goes through (see targets.ts). */
  target: Target;
  phase: string;
  generator: string;
  seed: number;
  index: number;
  date: string;
  /** The input file, next to this sidecar (gzipped when large). */
  input: string;
  /** Second input (parameter file, resource JSON, the template a .bicepparam uses), inline when short. */
  aux?: string;
  /** The second input in its own gzipped file, when long. */
  auxFile?: string;
  /** Size of the input before minimisation, in characters. */
  originalLength: number;
  /** Anything a person changed or learnt about this reproducer by hand. */
  note?: string;
  /** False while the file is in pending/; the integrator sets it (and moves the files up) when the fix lands. */
  fixed: boolean;
}

export interface Reproducer {
  sidecar: Sidecar;
  file: string;
  input: FuzzInput;
  pending: boolean;
}

export const REPRODUCER_ROOT = 'test/fuzz/reproducers';

/** Every reproducer under root (fixed ones) and root/pending (open bugs). */
export function readReproducers(root: string): Reproducer[] {
  const out: Reproducer[] = [];
  for (const [dir, pending] of [
    [root, false],
    [path.join(root, 'pending'), true],
  ] as const) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      if (!name.endsWith('.repro.json')) continue;
      const file = path.join(dir, name);
      const sidecar = JSON.parse(readFileSync(file, 'utf8')) as Sidecar;
      const raw = readFileSync(path.join(dir, sidecar.input));
      const text = sidecar.input.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
      const aux = sidecar.auxFile ? gunzipSync(readFileSync(path.join(dir, sidecar.auxFile))).toString('utf8') : sidecar.aux;
      out.push({ sidecar, file, pending, input: { target: sidecar.target, text, ...(aux !== undefined ? { aux } : {}) } });
    }
  }
  return out;
}

/** Writes the input and its sidecar into dir; returns the sidecar's path. */
export function writeReproducer(
  dir: string,
  failure: Failure,
  input: FuzzInput,
  meta: { generator: string; seed: number; index: number; originalLength: number },
): string {
  mkdirSync(dir, { recursive: true });
  // A regression of a signature whose reproducer is kept (here or, fixed, one folder up) is
  // another input: it gets a name of its own so that it never replaces the first one.
  const taken = (b: string) => existsSync(path.join(dir, `${b}.repro.json`)) || existsSync(path.join(path.dirname(dir), `${b}.repro.json`));
  let base = `${failure.kind}-${failure.id}`;
  if (taken(base)) base = `${base}-${shortHash(input.text)}`;
  // Size bugs need size: a reproducer of a megabyte of `a` stays small gzipped.
  const large = Buffer.byteLength(input.text) > 100_000;
  const inputName = `${base}.${extensionOf(input.target)}${large ? '.gz' : ''}`;
  writeFileSync(path.join(dir, inputName), large ? gzipSync(input.text) : input.text);
  const longAux = input.aux !== undefined && input.aux.length > 4_000;
  if (longAux) writeFileSync(path.join(dir, `${base}.aux.gz`), gzipSync(input.aux!));
  const sidecar: Sidecar = {
    signature: failure.signature,
    kind: failure.kind,
    name: failure.name,
    message: (failure.message.split('\n')[0] ?? '').slice(0, 300),
    frames: failure.stack ? frameList(failure.stack) : [],
    target: input.target,
    phase: failure.phase,
    generator: meta.generator,
    seed: meta.seed,
    index: meta.index,
    date: new Date().toISOString(),
    input: inputName,
    ...(input.aux !== undefined ? (longAux ? { auxFile: `${base}.aux.gz` } : { aux: input.aux }) : {}),
    originalLength: meta.originalLength,
    fixed: false,
  };
  const file = path.join(dir, `${base}.repro.json`);
  writeFileSync(file, JSON.stringify(sidecar, null, 2) + '\n');
  return file;
}

function frameList(stack: string): string[] {
  return stack
    .split('\n')
    .filter((l) => /^\s*at /.test(l) && l.includes('/src/'))
    .slice(0, 8)
    .map((l) => l.trim().replace(/\(?(?:file:\/\/)?\S*?\/(src\/\S+?)\.js:(\d+):\d+\)?$/, '($1.ts, compiled line $2)'));
}
