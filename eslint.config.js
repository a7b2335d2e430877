// One lint config for the whole monorepo. Type-aware, so that a floating
// promise (an un-awaited send or add that could drop a task) is an error.
import tseslint from 'typescript-eslint';

const processIsTheApps =
  'A library never touches the process: the app reads the environment, handles signals and exits.';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/.turbo/**',
      '**/results/**',
      '**/*.js',
      '**/*.cjs',
      '**/*.mjs',
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportAllDeclaration', message: 'Use named exports (no export *).' },
      ],
    },
  },
  {
    // Libraries take their settings as options and leave the process to the app that runs them
    // (docs/architecture.md#who-may-import-whom): no process.env, no signal handlers, no exit.
    files: ['packages/*/src/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.test.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        ...['env', 'on', 'once', 'addListener', 'prependListener', 'prependOnceListener', 'exit'].map(
          (property) => ({
            object: 'process',
            property,
            message: processIsTheApps,
          }),
        ),
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: ['process', 'node:process'].map((name) => ({
            name,
            message: processIsTheApps,
          })),
        },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportAllDeclaration', message: 'Use named exports (no export *).' },
        {
          selector: "MemberExpression[object.name='globalThis'][property.name='process']",
          message: processIsTheApps,
        },
      ],
    },
  },
);
