import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'test-results/**', 'artifacts/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      curly: ['error', 'all'],
      'no-console': 'off',
    },
  },
  // The core never depends on the editor, and its layers only point down (docs/ARCHITECTURE.md):
  // exports -> jobs -> results -> zoho -> core, accounts -> zoho. Each layer may import only the
  // layers listed after its name; everything else of src/ (and vscode) is refused.
  ...Object.entries({
    core: [],
    zoho: ['core'],
    accounts: ['zoho', 'core'],
    results: ['zoho', 'core'],
    jobs: ['results', 'zoho', 'core'],
    exports: ['jobs', 'results', 'zoho', 'core'],
  }).map(([layer, below]) => ({
    files: [`src/${layer}/**`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'The core never imports vscode; pass an interface in.' }],
          patterns: [
            {
              regex: `^\\.\\./(?!(${[layer, ...below].join('|')})/)`,
              message: `src/${layer} may import only ${[layer, ...below].map((each) => `src/${each}`).join(', ')} (docs/ARCHITECTURE.md, Layers).`,
            },
          ],
        },
      ],
    },
  })),
  // The command-line tool runs the core without VS Code (docs/CLI.md): no vscode, and nothing of
  // the editor layer.
  {
    files: ['src/cli/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'The command-line tool never imports vscode.' }],
          patterns: [
            {
              regex: '^\\.\\./(host|views|commands)/|^\\.\\./extension$',
              message:
                'src/cli uses the core only (exports, jobs, results, zoho, accounts, core), never the editor layer.',
            },
          ],
        },
      ],
    },
  },
  // Views show state; they never depend on commands (docs/ARCHITECTURE.md). What both need lives in
  // src/host (e.g. host/signInAgain.ts).
  {
    files: ['src/views/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./commands/',
              message: 'src/views must not import src/commands: move what both need to src/host.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        console: 'readonly',
        __dirname: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        URL: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
