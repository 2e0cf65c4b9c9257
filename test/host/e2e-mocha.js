// Runs one e2e test file with mocha inside this Node process (started by run-e2e.js with
// `-r esbuild-register`, so the file may be TypeScript) and writes the counts to CBJ_E2E_STATS.
// The workbench, simulator and server it talks to are described by the CBJ_E2E_* environment.
const fs = require('fs');
// mocha 12 is an ES module: require() returns its namespace (Node >= 20.19).
const Mocha = require('mocha').default;

const [file] = process.argv.slice(2);
const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, reporter: 'spec', color: process.stdout.isTTY });
mocha.addFile(file);
const runner = mocha.run((failures) => {
  const { passes, pending } = runner.stats;
  fs.writeFileSync(process.env.CBJ_E2E_STATS, JSON.stringify({ passes, failures, pending }));
  process.exit(failures ? 1 : 0);
});
