/** Where progress goes: standard error, or a fake in tests. */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export interface Progress {
  update(done: number, total: number): void;
  finish(): void;
}

const SILENT: Progress = { update: () => {}, finish: () => {} };

/**
 * A one-line progress indicator for long scans: only on a terminal, never in CI (`CI` set) or
 * when output is piped, and only once a scan has taken more than a second, so short scans
 * print nothing extra. The line is erased when the scan ends.
 */
export function createProgress(stream: ProgressStream, env: NodeJS.ProcessEnv = process.env, now: () => number = () => performance.now()): Progress {
  if (!stream.isTTY || (env['CI'] !== undefined && env['CI'] !== '' && env['CI'] !== 'false')) return SILENT;
  const started = now();
  let shown = false;
  let last = -Infinity;
  return {
    update(done, total) {
      const t = now();
      // Redraw at most ten times a second.
      if (t - started < 1000 || t - last < 100) return;
      last = t;
      shown = true;
      stream.write(`\r\x1b[2Kscanning: ${done}/${total} templates and exports`);
    },
    finish() {
      if (shown) stream.write('\r\x1b[2K');
    },
  };
}
