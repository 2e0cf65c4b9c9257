import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * no-restricted-imports sees only static imports: these no-restricted-syntax entries refuse the
 * same sources (`regex`, as no-restricted-imports takes it) in a lazy `import('…')` or
 * `require('…')`. A selector's regex cannot hold a slash, so each one is written \x2F there.
 */
function lazyImports(regex, message) {
  const source = regex.replaceAll('/', '\\x2F');
  return [
    { selector: `ImportExpression[source.value=/${source}/]`, message },
    { selector: `CallExpression[callee.name='require'][arguments.0.value=/${source}/]`, message },
  ];
}

const CLI_REFUSES = '^\\.\\./(host|views|commands)/|^\\.\\./extension$';
const CLI_MESSAGE =
  'src/cli uses the core only (exports, jobs, results, zoho, accounts, core), never the editor layer.';
const VIEWS_REFUSE = '^\\.\\./commands/';
const VIEWS_MESSAGE = 'src/views must not import src/commands: move what both need to src/host.';

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
  // layers listed after its name; everything else of src/ (and vscode) is refused, by a static
  // import and by a lazy import() or require() alike (how commands and heavy modules load).
  ...Object.entries({
    core: [],
    zoho: ['core'],
    accounts: ['zoho', 'core'],
    results: ['zoho', 'core'],
    jobs: ['results', 'zoho', 'core'],
    exports: ['jobs', 'results', 'zoho', 'core'],
  }).map(([layer, below]) => {
    const allowed = [layer, ...below].join('|');
    const message = `src/${layer} may import only ${[layer, ...below].map((each) => `src/${each}`).join(', ')} (docs/ARCHITECTURE.md, Layers).`;
    return {
      files: [`src/${layer}/**`],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            paths: [{ name: 'vscode', message: 'The core never imports vscode; pass an interface in.' }],
            patterns: [{ regex: `^\\.\\./(?!(${allowed})/)`, message }],
          },
        ],
        'no-restricted-syntax': [
          'error',
          ...lazyImports('^vscode$', 'The core never imports vscode; pass an interface in.'),
          ...lazyImports(`^\\.\\./(?!(${allowed})/)`, message),
        ],
      },
    };
  }),
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
              regex: CLI_REFUSES,
              message: CLI_MESSAGE,
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        ...lazyImports('^vscode$', 'The command-line tool never imports vscode.'),
        ...lazyImports(CLI_REFUSES, CLI_MESSAGE),
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
              regex: VIEWS_REFUSE,
              message: VIEWS_MESSAGE,
            },
          ],
        },
      ],
      'no-restricted-syntax': ['error', ...lazyImports(VIEWS_REFUSE, VIEWS_MESSAGE)],
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
