// typescript-eslint's recommended rules over the sources, tests and scripts. `npm test` runs it
// (test/checks/checks.test.ts); alone: `npm run lint`. See docs/architecture.md, "Checks".
// Type-aware rules (recommendedTypeChecked) are left out: they need a TypeScript program per run
// and made the lint several times slower on this project's two-core machine; `tsc` runs in
// `npm test` anyway.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The globals the scripts (plain .mjs/.cjs, which TypeScript does not check) use from Node.
const NODE_GLOBALS = Object.fromEntries(
  ['process', 'console', 'URL', 'Buffer', 'performance', 'setTimeout', 'clearTimeout', 'setImmediate', 'structuredClone'].map((g) => [g, 'readonly']),
);

export default tseslint.config(
  { ignores: ['dist/', '.test-build/', 'node_modules/', 'test/fixtures/', 'coverage/', 'action/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // `_name` marks a parameter or binding kept for its position or to leave it out of a rest
      // object (`const { location: _dropped, ...rest } = f`), as TypeScript's noUnusedParameters does.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  { files: ['**/*.ts'], rules: { 'no-undef': 'off' } }, // TypeScript checks names itself (typescript-eslint's advice)
  { files: ['**/*.mjs', '**/*.js'], languageOptions: { globals: NODE_GLOBALS } },
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs', globals: { ...NODE_GLOBALS, module: 'writable', require: 'readonly' } } },
  // The Azure Pipelines task script is CommonJS (its folder's package.json says so), the form the agent's Node handler runs.
  {
    files: ['azure-pipelines/task/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { ...NODE_GLOBALS, require: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // These files exist to find control characters: the escaping of terminal output and the
    // tests that check it (ANSI colour codes, C0/C1 controls, characters XML forbids).
    files: ['src/report/visible.ts', 'test/report/**/*.ts', 'test/cli/**/*.ts'],
    rules: { 'no-control-regex': 'off' },
  },
);
