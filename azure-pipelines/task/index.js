// The Azure Pipelines task (task.json, handler Node20_1): runs the bundled Tollgate CLI with the
// agent's Node.js and the task's inputs, which the agent passes as INPUT_<NAME> environment
// variables. No dependencies: the task library is not needed for reading inputs and writing
// logging commands (##vso[...]), and the task folder stays the CLI bundle, the catalog and this.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, statSync } = require('node:fs');
const path = require('node:path');

/** The CLI: packaged beside this file (scripts/package-azure-task.mjs), else the repository's committed bundle. */
function cliPath() {
  const packaged = path.join(__dirname, 'cli', 'tollgate.mjs');
  return existsSync(packaged) ? packaged : path.join(__dirname, '..', '..', 'action', 'dist', 'tollgate.mjs');
}

/** An input as the agent sets it: INPUT_ and the name upper-cased, spaces and dots as underscores. */
function input(name, fallback = '') {
  const value = process.env[`INPUT_${name.replace(/[ .]/g, '_').toUpperCase()}`];
  return value === undefined || value.trim() === '' ? fallback : value.trim();
}

const isDirectory = (p) => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};
const bool = (text) => /^(true|yes|1)$/i.test(text);
/** Logging-command properties end at `;` and `]`; data at a line break (the agent's escapes). */
const escapeData = (text) => text.replace(/%/g, '%AZP25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (text) => escapeData(text).replace(/;/g, '%3B').replace(/\]/g, '%5D');

function main() {
  const cwd = path.resolve(input('workingDirectory', process.env['SYSTEM_DEFAULTWORKINGDIRECTORY'] || process.cwd()));
  const paths = input('paths', '.')
    .split(/\r?\n/)
    .map((p) => p.trim())
    .filter(Boolean);
  const sarif = path.resolve(cwd, input('sarifFile', 'tollgate.sarif'));
  const config = input('config');
  const changedSince = input('changedSince');
  // The agent gives a filePath input left empty as the default working directory: no file then.
  const configGiven = config !== '' && !isDirectory(path.resolve(cwd, config));
  const args = [cliPath(), 'scan', ...paths, '--no-color', '--format', 'pretty,sarif', '--output', `sarif=${sarif}`];
  if (configGiven) args.push('--config', config);
  if (changedSince) args.push('--changed-since', changedSince);
  mkdirSync(path.dirname(sarif), { recursive: true });
  const run = spawnSync(process.execPath, args, { cwd, stdio: 'inherit' });
  const code = run.status === null ? 3 : run.status;
  console.log(`##vso[task.setvariable variable=exitCode;isOutput=true]${code}`);
  if (bool(input('publishSarif', 'true')) && existsSync(sarif)) {
    // The SARIF SAST Scans Tab extension reads the build artifact named CodeAnalysisLogs.
    console.log(`##vso[artifact.upload containerfolder=CodeAnalysisLogs;artifactname=CodeAnalysisLogs]${escapeData(sarif)}`);
  }
  if (code !== 0 && bool(input('fail', 'true'))) {
    const why = { 1: 'error-level findings', 2: 'bad usage or configuration', 3: 'an input could not be analysed' }[code] || 'unexpected failure';
    console.log(`##vso[task.complete result=Failed;]${escapeProperty(`Tollgate exited with code ${code} (${why})`)}`);
    process.exitCode = 1;
  }
}

main();
