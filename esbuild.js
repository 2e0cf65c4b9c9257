// Bundles the extension (and, with --tests, the integration suite) with esbuild.
// Production builds are minified and carry no sourcemaps; --watch rebuilds on change.
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const tests = process.argv.includes('--tests');

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['vscode'],
  // jsonc-parser's "main" is a UMD build whose requires esbuild cannot follow; its ESM build bundles.
  mainFields: ['module', 'main'],
  minify: production,
  sourcemap: production ? false : 'linked',
  sourcesContent: false,
  logLevel: 'info',
};

const builds = [{ ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js' }];
/** Every *.test.ts under test/integration, at any depth, so a new test file needs no edit here. */
function integrationEntryPoints(dir = 'test/integration') {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return integrationEntryPoints(file);
    }
    return entry.name.endsWith('.test.ts') ? [file] : [];
  });
}

if (tests) {
  // Stale bundles of deleted tests would still run: start from an empty folder.
  fs.rmSync('out/integration', { recursive: true, force: true });
  // vscode and mocha stay external: both are resolved inside the extension host at run time.
  builds.push({
    ...common,
    entryPoints: ['test/integration/index.ts', ...integrationEntryPoints()],
    outbase: 'test/integration',
    outdir: 'out/integration',
    external: ['vscode', 'mocha'],
    minify: false,
    sourcemap: 'inline',
  });
}

async function main() {
  if (watch) {
    for (const options of builds) {
      const ctx = await esbuild.context(options);
      await ctx.watch();
    }
    return;
  }
  await Promise.all(builds.map((options) => esbuild.build(options)));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
