#!/usr/bin/env node
// Writes dist/default-set.json: the default rule set loaded from the shipped files, for scans to
// load in one read (src/policy/prepared-set.ts). Run by `npm run build` after tsc.
import { renameSync, writeFileSync } from 'node:fs';

const { computeDefaultPolicies } = await import('../dist/policy/default-set.js');
const { preparedJson } = await import('../dist/policy/prepared-set.js');
const target = new URL('../dist/default-set.json', import.meta.url);
const temporary = new URL(`../dist/default-set.json.${process.pid}.tmp`, import.meta.url);
writeFileSync(temporary, preparedJson(computeDefaultPolicies()));
renameSync(temporary, target);
