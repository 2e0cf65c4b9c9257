// Bundles the extension (and, with --tests, the integration suite) with esbuild.
// Production builds are minified and carry no sourcemaps; --watch rebuilds on change.
// `require('./esbuild.js').extensionOptions(true)` gives the production options to the bench and
// to the test that runs downloads through a production bundle.
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const tests = process.argv.includes('--tests');

/**
 * axios imports packages this extension never uses; they would be 45% of the bundle and a third of
 * its load time. Each is replaced by a small stand-in under build/ that explains why.
 * - form-data (and mime-db with it): multipart bodies; we send JSON and url-encoded forms only.
 * - follow-redirects: used only when maxRedirects is not 0, and src/zoho/http.ts sets 0.
 * - https-proxy-agent (with agent-base): used only for a proxy axios is given; http.ts sets proxy: false.
 * - debug (with supports-color and ms): diagnostics of those proxy agents, off unless DEBUG is set.
 * @type {import('esbuild').Plugin}
 */
const leaveOutUnused = {
  name: 'leave-out-unused',
  setup(build) {
    const stubs = {
      'form-data': path.join(__dirname, 'build/no-form-data.js'),
      'follow-redirects': path.join(__dirname, 'build/no-follow-redirects.js'),
      debug: path.join(__dirname, 'build/no-debug.js'),
      'https-proxy-agent': path.join(__dirname, 'build/no-https-proxy-agent.js'),
    };
    build.onResolve({ filter: /^(form-data|follow-redirects|debug|https-proxy-agent)$/ }, (args) => ({
      path: stubs[args.path],
    }));
  },
};

/** @returns {import('esbuild').BuildOptions} */
function extensionOptions(minified) {
  return {
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode'],
    // jsonc-parser's "main" is a UMD build whose requires esbuild cannot follow; its ESM build bundles.
    mainFields: ['module', 'main'],
    minify: minified,
    sourcemap: minified ? false : 'linked',
    sourcesContent: false,
    logLevel: 'info',
    plugins: [leaveOutUnused],
    entryPoints: [path.join(__dirname, 'src/extension.ts')],
    outfile: path.join(__dirname, 'dist/extension.js'),
  };
}
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

async function main() {
  // The integration suite runs the minified bundle that ships (with a sourcemap for stack traces),
  // so it tests, and times, what users get.
  const builds = [tests ? { ...extensionOptions(true), sourcemap: 'linked' } : extensionOptions(production)];
  if (tests) {
    // Stale bundles of deleted tests would still run: start from an empty folder.
    fs.rmSync('out/integration', { recursive: true, force: true });
    // vscode and mocha stay external: both are resolved inside the extension host at run time.
    builds.push({
      ...extensionOptions(false),
      outfile: undefined,
      entryPoints: ['test/integration/index.ts', ...integrationEntryPoints()],
      outbase: 'test/integration',
      outdir: 'out/integration',
      external: ['vscode', 'mocha'],
      minify: false,
      sourcemap: 'inline',
    });
  }
  if (watch) {
    for (const options of builds) {
      const ctx = await esbuild.context(options);
      await ctx.watch();
    }
    return;
  }
  await Promise.all(builds.map((options) => esbuild.build(options)));
}

module.exports = { extensionOptions };

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
