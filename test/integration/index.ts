// Mocha entry for runs that hand VS Code an extensionTestsPath directly (@vscode/test-electron's
// runTests, a launch.json "extensionHost" configuration). `vscode-test` (.vscode-test.mjs) does not
// need it: test-cli brings its own runner. Runs every bundled *.test.js next to this file.
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

function testFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return testFiles(file);
    }
    return entry.name.endsWith('.test.js') ? [file] : [];
  });
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: true });
  for (const file of testFiles(__dirname).sort()) {
    mocha.addFile(file);
  }
  return new Promise((resolve, reject) => {
    mocha.run((failures) =>
      failures ? reject(new Error(`${failures} integration test(s) failed`)) : resolve(),
    );
  });
}
