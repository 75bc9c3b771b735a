// The pipeline's import rules (docs/architecture.md, "Stages and imports"). `npm test` runs
// `depcruise` with this file (test/checks/checks.test.ts); a violation names the rule and the import.
//
// Each stage may import itself, the shared helpers (src/*.ts other than scan.ts), and the stages
// listed for it below. The order is the order of imports, which differs in one place from the
// order the data flows: the value model (resources/) is below the expander (arm/) that produces
// values, and discovery (input/) is above the loaders it reads files with.

/**
 * Stage -> the stages it may import: every stage below it in the graph of docs/architecture.md
 * (same-folder imports are always allowed).
 */
const MAY_IMPORT = {
  load: [],
  resources: ['load'],
  arm: ['load', 'resources'],
  bicep: ['load', 'resources', 'arm'],
  // Discovery reads and classifies files; it names the expander's loader types but never expands.
  input: ['load', 'resources', 'bicep'],
  // The finding vocabulary and the work on findings (suppressions, dedupe, equivalents, baseline).
  findings: ['load', 'resources'],
  rules: ['load', 'resources', 'arm', 'findings'],
  policy: ['load', 'resources', 'arm', 'findings', 'rules'],
  evaluate: ['load', 'resources', 'arm', 'findings', 'rules', 'policy'],
  config: ['load', 'resources', 'arm', 'findings', 'rules', 'policy'],
  report: ['load', 'resources', 'arm', 'findings', 'rules', 'policy', 'evaluate'],
  // The language server (`tollgate lsp`) runs scans as the CLI does; the CLI starts it (a command), it never imports the CLI.
  lsp: ['load', 'resources', 'arm', 'bicep', 'input', 'findings', 'rules', 'policy', 'evaluate', 'config', 'scan'],
  // The unit runner, the result cache and the worker pool: what src/scan.ts runs each unit with.
  pipeline: ['load', 'resources', 'arm', 'bicep', 'input', 'findings', 'rules', 'policy', 'evaluate'],
  cli: ['load', 'resources', 'arm', 'bicep', 'input', 'findings', 'rules', 'policy', 'evaluate', 'config', 'report', 'scan', 'pipeline', 'lsp'],
  // The rule tester (`tollgate/testing`) runs real scans, as the CLI does.
  testing: ['load', 'resources', 'arm', 'bicep', 'input', 'findings', 'rules', 'policy', 'evaluate', 'config', 'report', 'scan', 'index'],
  // src/index.ts, the package's entry (`tollgate`): what a plugin rule is written with.
  index: ['load', 'resources', 'findings', 'rules'],
};
/** src/scan.ts runs the stages; only the CLI imports it. */
const SCAN_MAY_IMPORT = ['load', 'resources', 'arm', 'bicep', 'input', 'findings', 'rules', 'policy', 'evaluate', 'pipeline'];

const folder = (stage) => (stage === 'scan' || stage === 'index' ? `^src/${stage}[.]ts$` : `^src/${stage}/`);
const SHARED = '^src/(?!scan[.]ts$|index[.]ts$)[^/]+[.]ts$';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import cycles, between files or (through the layer rules) folders.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'discovery-does-not-expand',
      comment: 'src/input/ may name the expander types (the linked-file loader implements one) but not run it.',
      severity: 'error',
      from: { path: '^src/input/' },
      to: { path: '^src/arm/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'shared-helpers-import-no-stage',
      comment: 'src/*.ts helpers (multimap, wildcard, …) are below every stage.',
      severity: 'error',
      from: { path: SHARED },
      to: { path: '^src/[^/]+/' },
    },
    {
      name: 'no-orphans',
      comment: 'A module nothing imports is dead code.',
      severity: 'error',
      from: { orphan: true, path: '^src/', pathNot: '^src/(cli/main|index|testing/index)[.]ts$' },
      to: {},
    },
    { name: 'src-does-not-import-tests', severity: 'error', from: { path: '^src/' }, to: { path: '^(test|scripts)/' } },
  ],
  allowed: [
    { comment: 'node built-ins and npm packages', from: {}, to: { dependencyTypes: ['core', 'npm', 'npm-dev'] } },
    { comment: 'within a folder', from: { path: '^src/([^/]+)/' }, to: { path: '^src/$1/' } },
    { comment: 'the shared helpers', from: { path: '^src/' }, to: { path: SHARED } },
    { comment: 'input/ names arm/ types (LinkedLoadFailure)', from: { path: '^src/input/' }, to: { path: '^src/arm/', dependencyTypes: ['type-only'] } },
    ...Object.entries(MAY_IMPORT).flatMap(([stage, lower]) =>
      lower.map((to) => ({ comment: `${stage} -> ${to}`, from: { path: folder(stage) }, to: { path: folder(to) } })),
    ),
    ...SCAN_MAY_IMPORT.map((to) => ({ comment: `scan.ts -> ${to}`, from: { path: folder('scan') }, to: { path: folder(to) } })),
    { comment: 'tests and scripts may import anything', from: { path: '^(test|scripts)/' }, to: {} },
  ],
  allowedSeverity: 'error',
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // `node`: packages that export their Node entry only under that condition (vscode-languageserver/node).
    enhancedResolveOptions: { extensions: ['.ts', '.js'], exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
