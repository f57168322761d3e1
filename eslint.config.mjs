// Type-aware lint for the whole workspace. Module boundaries are real rules: apps never import apps,
// canonical-model imports nothing of ours, and only libs/messaging may talk to NATS.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const NATS = 'Only libs/messaging talks to NATS; use @plantbridge/messaging.';
const TESTING =
  'Test helpers are for tests (*.spec.ts, *.integration-spec.ts, test/ folders) and benchmarks only.';
// Tools a service must never ship with: an ERP that says yes, a simulated machine, a fake MES.
const TOOLS = [
  '@plantbridge/erp-simulator',
  '@plantbridge/opcua-simulator',
  '@plantbridge/mes-client',
  '@plantbridge/token-issuer',
  '@plantbridge/nats-config',
];
const TOOL =
  'Simulators and the MES client are tools: tests, benchmarks and the demo may use them, product code never.';
const restrictedImports = (allowNats, allowTesting, allowedTools = []) => ({
  paths: [
    ...(allowNats ? [] : [{ name: 'nats', message: NATS }]),
    ...(allowTesting ? [] : [{ name: '@plantbridge/testing', message: TESTING }]),
    ...(allowTesting
      ? []
      : TOOLS.filter((name) => !allowedTools.includes(name)).map((name) => ({ name, message: TOOL }))),
  ],
  patterns: [
    ...(allowNats ? [] : [{ group: ['nats/*'], message: NATS }]),
    ...(allowTesting ? [] : [{ group: ['@plantbridge/*/testing'], message: TESTING }]),
  ],
});
const testFiles = [
  '**/*.spec.ts',
  '**/*.integration-spec.ts',
  '**/test/**/*.ts',
  '**/testing/**/*.ts',
  'libs/testing/**/*.ts',
  'tools/bench/**/*.ts',
  'tools/fuzz/**/*.ts',
];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/coverage/**', '.data/**', '.nx/**', 'tmp/**'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', restrictedImports(false, false)],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            // Layers: apps -> feature -> runtime -> data-access -> messaging -> domain/util. Never
            // upwards, never app -> app. A feature library is a capability several services mount
            // whole (the ERP posting pipeline: ledger, worker, exception queue).
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: [
                // Only its tests: no-restricted-imports keeps tools out of product code.
                'type:tool',
                'type:feature',
                'type:runtime',
                'type:data-access',
                'type:messaging',
                'type:domain',
                'type:util',
                'type:testing',
              ],
            },
            {
              sourceTag: 'type:feature',
              onlyDependOnLibsWithTags: [
                'type:runtime',
                'type:data-access',
                'type:messaging',
                'type:domain',
                'type:util',
                'type:testing',
              ],
            },
            {
              sourceTag: 'type:runtime',
              onlyDependOnLibsWithTags: [
                'type:data-access',
                'type:messaging',
                'type:domain',
                'type:util',
                'type:testing',
              ],
            },
            {
              sourceTag: 'type:data-access',
              onlyDependOnLibsWithTags: ['type:messaging', 'type:domain', 'type:util', 'type:testing'],
            },
            {
              sourceTag: 'type:messaging',
              onlyDependOnLibsWithTags: ['type:domain', 'type:util', 'type:testing'],
            },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util', 'type:testing'] },
            // The canonical model is the contract everybody shares: it depends on nothing of ours.
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: [] },
            // Tools (simulators, the MES client, benchmarks, the launcher) may use anything; product
            // code never imports them (see no-restricted-imports), tests and other tools do.
            {
              sourceTag: 'type:tool',
              onlyDependOnLibsWithTags: [
                'type:tool',
                'type:app',
                'type:feature',
                'type:runtime',
                'type:data-access',
                'type:messaging',
                'type:domain',
                'type:util',
                'type:testing',
              ],
            },
            // Test helpers are a leaf too; *.spec.ts files may use them (see no-restricted-imports).
            {
              sourceTag: 'type:testing',
              onlyDependOnLibsWithTags: ['type:messaging', 'type:domain', 'type:util', 'type:testing'],
            },
            // Scopes: a capability sees itself and shared code, never another capability.
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:edge', onlyDependOnLibsWithTags: ['scope:edge', 'scope:shared'] },
            { sourceTag: 'scope:production', onlyDependOnLibsWithTags: ['scope:production', 'scope:shared'] },
            { sourceTag: 'scope:inventory', onlyDependOnLibsWithTags: ['scope:inventory', 'scope:shared'] },
            { sourceTag: 'scope:quality', onlyDependOnLibsWithTags: ['scope:quality', 'scope:shared'] },
            {
              sourceTag: 'scope:maintenance',
              onlyDependOnLibsWithTags: ['scope:maintenance', 'scope:shared'],
            },
          ],
        },
      ],
    },
  },
  {
    files: testFiles,
    rules: {
      'no-restricted-imports': ['error', restrictedImports(false, true)],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['libs/messaging/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', restrictedImports(true, false)] },
  },
  {
    files: [
      'libs/messaging/**/*.spec.ts',
      'libs/messaging/**/*.integration-spec.ts',
      'libs/messaging/testing/**/*.ts',
    ],
    rules: { 'no-restricted-imports': ['error', restrictedImports(true, true)] },
  },
  {
    // Provisioning is an administrator's tool (and the chart's Job): it reads the subscribers file.
    files: ['tools/provision/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', restrictedImports(false, false, ['@plantbridge/nats-config'])],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  prettier,
);
