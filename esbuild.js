// Bundles the extension (and, with --tests, the integration suite) with esbuild.
// Production builds are minified and carry no sourcemaps; --watch rebuilds on change.
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
  minify: production,
  sourcemap: production ? false : 'linked',
  sourcesContent: false,
  logLevel: 'info',
};

const builds = [{ ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js' }];
if (tests) {
  // mocha stays external: it is resolved from node_modules inside the extension host.
  builds.push({
    ...common,
    entryPoints: ['test/integration/index.ts'],
    outfile: 'out/integration/index.js',
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
