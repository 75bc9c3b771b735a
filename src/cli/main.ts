#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { EXIT, FAIL_ON } from './exit-code.js';
import { FORMATS, MERGE_FORMATS, PR_COMMENT_MAX_CHARS } from '../report/formats.js';
import type { RulesListFlags } from './commands/rules.js';
import type { PolicyTestFlags } from './commands/policy-test.js';
import type { PolicyCoverageFlags } from './commands/policy-coverage.js';
import type { ExpandFlags } from './commands/expand.js';
import type { MergeFlags } from './commands/merge.js';
import { addDeploymentOptions } from './deployment-options.js';
import { packageVersion } from '../package-root.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

// The scan worker's module sits beside this one in both builds: dist/cli/scan-worker.js next to
// dist/cli/main.js, and the bundle's own entry dist/bundle/scan-worker.mjs next to tollgate.mjs.
const WORKER_ENTRY = new URL(import.meta.url.endsWith('.mjs') ? './scan-worker.mjs' : './scan-worker.js', import.meta.url);

function program(): Command {
  const cli = new Command('tollgate')
    .description(
      'Check Azure deployments (ARM templates, parameter files, exported resources) against Azure Policy and security rules, offline, before they deploy.',
    )
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  const scanCommand = cli.command('scan');
  addDeploymentOptions(scanCommand);
  scanCommand
    .description('scan templates, parameter files and exported resources; print findings')
    .argument('[paths...]', 'files or directories (directories are searched recursively)', ['.'])
    .option('-f, --format <formats>', `output format, repeatable or comma-separated: ${FORMATS.join(', ')} (default pretty; config: output.formats)`, collect)
    .option(
      '-o, --output <file>',
      'write the report to FILE (atomically) instead of standard output; with several formats FORMAT=FILE, repeatable (config: output.files)',
      collect,
    )
    .option('-p, --parameters <file>', 'parameter file to expand the template with (repeatable)', collect)
    .option('--exclude <pattern>', '.gitignore-style pattern of paths to skip in directories (repeatable; config: exclude)', collect)
    .option('--include <pattern>', '.gitignore-style pattern: only matching files are taken from directories (repeatable; config: include)', collect)
    .addOption(new Option('--fail-on <level>', 'lowest finding level that fails the run with exit code 1 (default error; config: failOn)').choices(FAIL_ON));
  addSelectionOptions(scanCommand)
    .option(
      '-c, --config <file>',
      'configuration file (default: tollgate.yaml, .tollgate.yaml or tollgate.json in the first scanned path or a folder above it)',
    )
    .option('--no-config', 'ignore configuration files')
    .option('--no-color', 'never colour the output (colour is used only on a terminal; NO_COLOR is honoured)')
    .option('-v, --verbose', 'also list skipped files and passing checks')
    .option('-q, --quiet', 'pretty format: only error-level findings and input errors, and nothing at all for a clean run')
    .option('--baseline <file>', 'report only findings that are not in this baseline (see `tollgate baseline write`); counts those fixed since')
    .option('--show-suppressed', 'also list suppressed findings with the reason they are accepted (pretty format; json and sarif always include them)')
    .option('--max-chars <n>', `pr-comment format: the most characters the comment may have (default ${PR_COMMENT_MAX_CHARS})`)
    .option(
      '--report-url <url>',
      'pr-comment format: where the full report is, named when the comment leaves findings out (default on GitHub Actions: the run)',
    )
    .option('--shard <i/n>', 'scan only the I-th of N parts of the scan units (split by template path; join the JSON reports with `tollgate merge`)')
    .option('--unit-timeout <seconds>', 'stop expanding a template (with one parameter file) after SECONDS, with an error (default 30; 0: no limit)')
    .option('--debug', 'show stack traces of internal errors')
    .addHelpText(
      'after',
      '\nExit codes: 0 no error-level findings; 1 error-level findings (effect Deny or an error-level rule);\n2 bad usage; 3 some input could not be analysed (reported; the other files were scanned).',
    )
    .action(async (paths: string[], opts) => {
      const { runScan } = await import('./commands/scan.js');
      // A promise when plugins are configured (they load asynchronously).
      process.exitCode = await runScan(paths, { ...opts, workerEntry: WORKER_ENTRY });
    });

  const fixCommand = cli.command('fix');
  addDeploymentOptions(fixCommand);
  fixCommand
    .description('apply the safe fixes of the findings (a literal set where the value is written), print the diff, re-scan to confirm')
    .argument('[paths...]', 'files or directories (directories are searched recursively)', ['.'])
    .option('--dry-run', 'print the diff and write nothing')
    .option('--include-shared', 'also apply fixes that change a parameter value other properties or resources use')
    .option('-p, --parameters <file>', 'parameter file to expand the template with (repeatable)', collect)
    .option('--exclude <pattern>', '.gitignore-style pattern of paths to skip in directories (repeatable; config: exclude)', collect)
    .option('--include <pattern>', '.gitignore-style pattern: only matching files are taken from directories (repeatable; config: include)', collect)
    .addOption(
      new Option('--fail-on <level>', 'lowest level of a finding left after the fixes that fails the run with exit code 1 (default error)').choices(FAIL_ON),
    );
  addSelectionOptions(fixCommand)
    .option('-c, --config <file>', 'configuration file (default: as scan)')
    .option('--no-config', 'ignore configuration files')
    .option('-v, --verbose', 'also list skipped files')
    .option('--debug', 'show stack traces of internal errors')
    .addHelpText('after', '\nThe diff goes to standard output, what was fixed, skipped and left to standard error. Exit codes as scan, for the re-scan.')
    .action(async (paths: string[], opts) => {
      const { runFix } = await import('./commands/fix.js');
      process.exitCode = await runFix(paths, opts);
    });

  cli
    .command('init')
    .description('write a commented starter configuration, tollgate.yaml, in the current folder')
    .option('--force', 'replace an existing tollgate.yaml')
    .action(async (opts: { force?: boolean }) => {
      const { runInit } = await import('./commands/init.js');
      process.exitCode = runInit(opts);
    });

  const baseline = cli.command('baseline').description('record the current findings, so that later scans report only new ones (--baseline)');
  const write = baseline
    .command('write')
    .description('scan and write the findings to FILE (by rule, file, resource and property; not by line)')
    .argument('<file>', 'baseline file to write (atomically)')
    .argument('[paths...]', 'files or directories to scan', ['.'])
    .option('-p, --parameters <file>', 'parameter file to expand the template with (repeatable)', collect)
    .option('--exclude <pattern>', '.gitignore-style pattern of paths to skip in directories (repeatable; config: exclude)', collect)
    .option('--include <pattern>', '.gitignore-style pattern: only matching files are taken from directories (repeatable; config: include)', collect);
  // The same rule selection as scan: the baseline must record what the scan will report.
  addSelectionOptions(write)
    .option('-c, --config <file>', 'configuration file')
    .option('--no-config', 'ignore configuration files')
    .option('-v, --verbose', 'also list skipped files')
    .option('--debug', 'show stack traces of internal errors');
  addDeploymentOptions(write).action(async (file: string, paths: string[], opts) => {
    const { runScan } = await import('./commands/scan.js');
    process.exitCode = await runScan(paths, { ...opts, color: false, writeBaseline: file, workerEntry: WORKER_ENTRY });
  });

  cli
    .command('merge')
    .description('join the JSON reports of `scan --shard i/n` (every shard of one run) into the report of the whole scan')
    .argument('<files...>', 'JSON reports written by `tollgate scan --shard I/N -f json`')
    .addOption(new Option('-f, --format <format>', 'output format').choices(MERGE_FORMATS).default('json'))
    .option('-o, --output <file>', 'write the report to FILE (atomically) instead of standard output')
    .option('--max-chars <n>', `pr-comment format: the most characters the comment may have (default ${PR_COMMENT_MAX_CHARS})`)
    .option('--report-url <url>', 'pr-comment format: where the full report is, named when the comment leaves findings out')
    .addOption(new Option('--fail-on <level>', 'lowest finding level that fails the run with exit code 1, as scan (default error)').choices(FAIL_ON))
    .action(async (files: string[], opts: MergeFlags) => {
      const { runMerge } = await import('./commands/merge.js');
      process.exitCode = runMerge(files, opts);
    });

  const rules = cli
    .command('rules')
    .description(
      'list the rules: by default those a scan runs (native rules, the API Management pack, the Microsoft cloud security benchmark); --all the whole built-in Azure Policy catalog',
    )
    .option('--all', 'every built-in Azure Policy definition (public cloud), not only the default rule set')
    .option('--initiative <name>', 'only the definitions an initiative references (short name such as mcsb, cis, nist-sp-800-53; guid; display name)')
    .option('--category <name>', 'only rules of this Azure Policy category, e.g. Storage, "Key Vault" (repeatable; native rules: "API Management")', collect)
    .option(
      '--type <type>',
      'only rules for this resource type or the types under it, e.g. Microsoft.Storage/storageAccounts or Microsoft.Storage (repeatable)',
      collect,
    )
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-c, --config <file>', 'configuration file whose rules.default and rule settings the default listing follows, as scan does')
    .option('--no-config', 'ignore configuration files')
    .action(async (opts: RulesListFlags) => {
      const { runRulesList } = await import('./commands/rules.js');
      process.exitCode = runRulesList(opts);
    });
  rules
    .command('show')
    .description('show everything about one rule: description, effects, aliases, remediation, compliance controls')
    .argument('<id>', 'rule id, policy guid, policy display name, or an equivalent id such as Azure.APIM.HTTPBackend')
    .action(async (id: string) => {
      const { runRulesShow } = await import('./commands/rules.js');
      process.exitCode = runRulesShow(id);
    });

  const policy = cli.command('policy').description('work with Azure Policy definitions');
  const policyTest = policy
    .command('test')
    .description(
      'evaluate one policy definition (or a bare policy rule) against one resource (raw JSON, or what an ARM template, Bicep file or export deploys) and explain the result: the condition that decided it and every condition looked at, with the values seen. Exit 1 when a resource is non-compliant. With --suite DIR: run a folder of definitions with their cases and expected outcomes, as a test runner (exit 1 when a case fails)',
    )
    .argument('[policy]', 'policy definition file (envelope or bare) or a policy rule { "if": …, "then": … }')
    .argument('[resource]', 'resource JSON (an object with a type, or a list of them), or an ARM template, Bicep file or export')
    .option('--suite <dir>', 'run every folder under DIR holding a policy.json and a cases.yaml (see docs/policy.md); no policy or resource arguments then')
    .option('--param <name=value>', 'value of a policy parameter; JSON when it parses, else text (repeatable)', collect)
    .option('--effect <effect>', 'effect to use instead of the default one')
    .option('-p, --parameters <file>', 'parameter file for a template (repeatable)', collect)
    // Choices: any other word used to fall back to pretty silently.
    .addOption(new Option('-f, --format <format>', 'output format').choices(['pretty', 'json']).default('pretty'));
  addDeploymentOptions(policyTest).action(async (policyFile: string | undefined, resource: string | undefined, opts: PolicyTestFlags & { suite?: string }) => {
    if (opts.suite !== undefined) {
      if (policyFile !== undefined) {
        process.stderr.write('tollgate: policy test --suite takes no policy or resource arguments: the suite folder holds them\n');
        process.exitCode = EXIT.usage;
        return;
      }
      const { runPolicySuite } = await import('./commands/policy-suite.js');
      process.exitCode = runPolicySuite(opts.suite, opts);
      return;
    }
    if (policyFile === undefined || resource === undefined) {
      process.stderr.write(`tollgate: policy test needs a policy and a resource (or --suite DIR)\n`);
      process.exitCode = EXIT.usage;
      return;
    }
    const { runPolicyTest } = await import('./commands/policy-test.js');
    process.exitCode = runPolicyTest(policyFile, resource, opts);
  });

  policy
    .command('coverage')
    .description(
      'for each built-in definition, whether a template can decide it before deployment: fully, only with runtime data, not applicable to templates, or not evaluable by Tollgate; with counts',
    )
    .option(
      '--initiative <name>',
      "only this initiative's definitions, at its default values (short name such as mcsb, cis, nist-sp-800-53; guid; display name)",
    )
    .option('--default', 'only the default rule set (API Management pack, Microsoft cloud security benchmark)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (opts: PolicyCoverageFlags) => {
      const { runPolicyCoverage } = await import('./commands/policy-coverage.js');
      process.exitCode = runPolicyCoverage(opts);
    });

  cli
    .command('lsp')
    .description(
      'run a language server (Language Server Protocol over standard input and output) for editors: findings as you type in .bicep, .bicepparam, ARM templates and parameter files, hover, quick fixes and suppressions (see docs/editors.md)',
    )
    .option('--stdio', 'talk over standard input and output (the default and only transport; accepted because clients pass it)')
    .option('--debounce <ms>', `milliseconds after the last edit before checking (default 150; the client's initializationOptions.debounceMs wins)`)
    .action(async (opts: { debounce?: string }) => {
      const debounceMs = opts.debounce === undefined ? undefined : Number(opts.debounce);
      if (debounceMs !== undefined && (!Number.isFinite(debounceMs) || debounceMs < 0 || opts.debounce!.trim() === '')) {
        process.stderr.write(`tollgate: --debounce must be a number of milliseconds, not '${opts.debounce}'\n`);
        process.exitCode = EXIT.usage;
        return;
      }
      const { runLanguageServer } = await import('../lsp/server.js');
      runLanguageServer({ ...(debounceMs !== undefined && { debounceMs }) });
    });

  const expand = cli
    .command('expand')
    .description(
      'print what a template deploys, as JSON: resources (nested and linked deployments expanded) and outputs; unknown values print as "<unknown: why>"',
    )
    .argument('<template>', 'ARM template file')
    .option('-p, --parameters <file>', 'parameter file')
    .option('-o, --output <file>', 'write the JSON to a file (written atomically) instead of standard output')
    .option(
      '-c, --config <file>',
      'configuration file (default: tollgate.yaml, .tollgate.yaml or tollgate.json beside the template or in a folder above it); its deployment, env, links and bicep.moduleCache apply',
    )
    .option('--no-config', 'ignore configuration files');
  addDeploymentOptions(expand).action(async (template: string, opts: ExpandFlags) => {
    const { runExpand } = await import('./commands/expand.js');
    process.exitCode = runExpand(template, opts);
  });
  return cli;
}

/** What is scanned and with which rules: shared by `scan` and `baseline write`. */
function addSelectionOptions(cmd: Command): Command {
  return cmd
    .option(
      '-j, --jobs <n>',
      'threads that scan units, this one and N-1 workers (default: the available cores, 1 on a machine of 2 cores or fewer; 1: one thread); small scans use one thread whatever N is',
    )
    .option('--cache <dir>', "keep each unit's results in DIR and reuse them while nothing the unit reads has changed (opt-in; safe to delete)")
    .addOption(new Option('--no-worker-threshold', 'tests: use worker threads however small the scan').hideHelp())
    .option(
      '--skip-unrecognized',
      'files named on the command line that are not templates, parameter files or exports are skipped, not errors (for pre-commit hooks)',
    )
    .option(
      '--changed-since <ref>',
      'scan what the files changed since the git REF belong to (committed, staged, unstaged and untracked; deleted files ignored), within the paths given: their templates, parameter files and the deployments that reach them',
    )
    .option(
      '--standalone',
      'also scan linked templates and modules on their own, with their defaults; a named one is not replaced by the deployments that reach it',
    )
    .option(
      '--rules <set>',
      'default: the default rule set (one finding per defect, listing its equivalents); all: every rule, those off by default too, and each equivalent rule reports its own finding',
    )
    .option(
      '--rule <id>',
      'run only this rule: rule id, policy guid (or its first 8 characters), display name or equivalent id; runs it even if off by default (repeatable)',
      collect,
    )
    .option('--skip-rule <id>', 'do not run this rule (same ids as --rule; repeatable)', collect)
    .option(
      '--no-inline-suppressions',
      'ignore suppressions written in the templates (resource metadata, Bicep comments), for audits; those of the configuration still apply',
    )
    .option(
      '--effect <policy=effect>',
      'Azure Policy effect for a built-in definition, by guid or display name, e.g. 92bb331d-ac71-416a-8c91-02f2cb734ce4=Deny (repeatable; config: rules.<id>.effect)',
      collect,
    )
    .option(
      '--policy <path>',
      'Azure Policy definition file or folder to evaluate (repeatable; config: policy.definitions). With any --policy/--initiative/--assignment, those run instead of the shipped definitions',
      collect,
    )
    .option(
      '--initiative <name|file>',
      'assign an initiative and report compliance per control: mcsb, nz-ism, nl-bio, alz-apim or a file (repeatable; config: policy.initiatives)',
      collect,
    )
    .option(
      '--assignment <file>',
      'policy assignment file: parameters, enforcementMode, notScopes, overrides, resourceSelectors, nonComplianceMessages (repeatable; config: policy.assignments)',
      collect,
    )
    .option('--exemption <file>', 'policy exemption file: exempted findings show as Exempt (repeatable; config: policy.exemptions)', collect);
}

/**
 * `tollgate scan | head`: once the reader has gone, writing on is pointless and not an error
 * of ours. Like a Unix tool stopped by SIGPIPE, we stop writing quietly (no EPIPE stack trace);
 * the exit code stays the scan's, which is already known, since every write comes after the
 * scan. Any other failure to write (a full disk behind a redirect) is said in one line, and
 * the result is incomplete (exit code 3).
 */
function endQuietlyWhenClosed(stream: NodeJS.WriteStream, name: string): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    // After EPIPE the stream is destroyed: any later write reports ERR_STREAM_DESTROYED.
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') return;
    if (stream !== process.stderr && !process.stderr.destroyed) process.stderr.write(`tollgate: cannot write to ${name}: ${err.code ?? err.message}\n`);
    process.exitCode = EXIT.inputErrors;
  });
}

function internalError(err: unknown, debug: boolean): void {
  process.stderr.write(`tollgate: internal error: ${(err as Error).message}\n`);
  if (debug) process.stderr.write(`${(err as Error).stack}\n`);
  else process.stderr.write('(run again with --debug for details)\n');
  process.exitCode = EXIT.inputErrors;
}

async function main(argv: string[]): Promise<void> {
  endQuietlyWhenClosed(process.stdout, 'standard output');
  endQuietlyWhenClosed(process.stderr, 'standard error');
  const debug = argv.includes('--debug');
  try {
    // Each command's module is imported when it runs: `--version` and `--help` load none of them.
    await program().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end with code 0; everything else commander rejects is bad usage.
      process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    internalError(err, debug);
  }
}

void main(process.argv);
