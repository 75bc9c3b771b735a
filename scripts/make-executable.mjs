#!/usr/bin/env node
// tsc does not keep the executable bit; `npx tollgate` in a fresh clone runs the bin file directly.
import { chmodSync } from 'node:fs';
chmodSync(new URL('../dist/cli/main.js', import.meta.url), 0o755);
