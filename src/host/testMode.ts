// Whether activate() hands its test API out. Any installed extension can call activate() and
// read what it returns, so the services, globalState and a secret reader are exported only
// while VS Code runs this extension's tests (extension mode Test) AND the test runner asked for
// them (CBJ_TEST_API=1, set by .vscode-test.mjs). A production activation exports nothing.

export const TEST_API_ENV = 'CBJ_TEST_API';

export function exportsTestApi(
  inTestMode: boolean,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  return inTestMode && env[TEST_API_ENV] === '1';
}

/** The value activate() returns: the test API when allowed (built only then), else undefined. */
export function activationExports<T>(
  inTestMode: boolean,
  env: Readonly<Record<string, string | undefined>>,
  build: () => T,
): T | undefined {
  return exportsTestApi(inTestMode, env) ? build() : undefined;
}
