// Bundles the extension (and, with --tests, the integration suite) with esbuild.
// Production builds are minified and carry no sourcemaps; --watch rebuilds on change.
// `require('./esbuild.js').buildExtension(true, dir)` builds what ships (extension.js, later.js and
// vendor/: build/splitForLater.js) for the bench and the tests; extensionBuilds gives the options.
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');
const { buildSplit } = require('./build/splitForLater');

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
    build.onResolve({ filter: new RegExp(`^(${Object.keys(stubs).join('|')})$`) }, (args) => ({
      path: stubs[args.path],
    }));
  },
};

/**
 * axios's browser adapters (xhr, fetch): never used in Node, where axios takes its http adapter.
 * @type {import('esbuild').Plugin}
 */
const leaveOutBrowserAdapters = {
  name: 'leave-out-browser-adapters',
  setup(build) {
    build.onResolve({ filter: /^\.\/(xhr|fetch)\.js$/ }, (args) =>
      /[\\/]axios[\\/]lib[\\/]adapters$/.test(args.resolveDir)
        ? { path: path.join(__dirname, 'build/no-browser-adapter.mjs') }
        : undefined,
    );
  },
};

/**
 * Libraries needed only once there is something to download: they ship as separate files under
 * dist/vendor/ that the extension requires on first use (src/zoho/http.ts and
 * src/results/extractCsv.ts import them lazily), so a window start parses none of them.
 */
const LAZY_LIBRARIES = ['axios', 'yauzl', 'jsonc-parser'];

/**
 * In the extension bundle, an import of a lazy library becomes a require of its file under
 * vendor/, next to the bundle (a one-line module, so a dynamic import() stays lazy).
 * @type {import('esbuild').Plugin}
 */
const requireLazyLibraries = {
  name: 'require-lazy-libraries',
  setup(build) {
    const filter = new RegExp(`^(${LAZY_LIBRARIES.join('|')})$`);
    build.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'lazy-library' }));
    build.onLoad({ filter: /.*/, namespace: 'lazy-library' }, (args) => ({
      contents: `module.exports = require('./vendor/${args.path}.js');`,
      loader: 'js',
    }));
    build.onResolve({ filter: /^\.\/vendor\// }, (args) => ({ path: args.path, external: true }));
  },
};

/**
 * `import * as vscode from 'vscode'` (in some 50 files; also node:path, node:os) is read as a plain
 * `import vscode = require('vscode')`: esbuild turns each namespace import of an external module
 * into its own copy of every property of that module (__toESM), some 50 copies of the whole API
 * object at window start, 5 ms on the bench's small stub and more on VS Code's large API.
 * @type {import('esbuild').Plugin}
 */
const plainRequireOfExternals = {
  name: 'plain-require-of-externals',
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, async (args) => ({
      contents: (await fs.promises.readFile(args.path, 'utf8')).replace(
        /^import \* as (\w+) from '(vscode|node:[\w/]+)';$/gm,
        "import $1 = require('$2');",
      ),
      loader: 'ts',
    }));
  },
};

/**
 * The shipped JavaScript: the extension bundle, and one file per lazy library under vendor/ in the
 * same folder. Both builds write into outdir (default dist/).
 * @returns {import('esbuild').BuildOptions[]}
 */
function extensionBuilds(minified, outdir = path.join(__dirname, 'dist'), entryPoint = 'src/extension.ts') {
  const common = {
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // jsonc-parser's "main" is a UMD build whose requires esbuild cannot follow; its ESM build bundles.
    mainFields: ['module', 'main'],
    minify: minified,
    sourcemap: minified ? false : 'linked',
    sourcesContent: false,
    logLevel: 'info',
  };
  return [
    {
      ...common,
      external: ['vscode'],
      plugins: [requireLazyLibraries, plainRequireOfExternals],
      entryPoints: [path.resolve(__dirname, entryPoint)],
      outfile: path.join(outdir, 'extension.js'),
    },
    {
      ...common,
      plugins: [leaveOutUnused, leaveOutBrowserAdapters],
      entryPoints: Object.fromEntries(LAZY_LIBRARIES.map((name) => [name, name])),
      outdir: path.join(outdir, 'vendor'),
    },
  ];
}

/**
 * The shipped JavaScript, as users get it: extension.js and later.js (buildSplit), and vendor/.
 * @returns {Promise<{ start: import('esbuild').BuildResult, later?: import('esbuild').BuildResult, vendor: import('esbuild').BuildResult }>}
 */
async function buildExtension(minified, outdir, entryPoint, extra = {}) {
  const [main, vendor] = extensionBuilds(minified, outdir, entryPoint).map((options) => ({
    ...options,
    ...extra,
  }));
  const [split, vendorBuild] = await Promise.all([buildSplit(main), esbuild.build(vendor)]);
  return { ...split, vendor: vendorBuild };
}

/**
 * The command-line tool (bin creator-bulk-jobs, src/cli): dist/cli.js parses the command line and
 * answers --help and --version alone; the commands and the core are dist/cli-run.js, required only
 * when a command runs, so the first output comes within a bare Node start (npm run bench). Both
 * share dist/vendor/ with the extension.
 * @returns {import('esbuild').BuildOptions[]}
 */
function cliBuilds(minified, outdir = path.join(__dirname, 'dist')) {
  const [extension] = extensionBuilds(minified, outdir);
  const version = JSON.stringify(require('./package.json').version);
  /**
   * main.ts's import of ./run.js becomes a require of the separate cli-run.js next to it, through a
   * one-line module as for the lazy libraries: an import() of an external file would go through
   * Node's ESM loader, which parses the whole file once more before running it (~30 ms).
   */
  const runApart = {
    name: 'cli-run-apart',
    setup(build) {
      build.onResolve({ filter: /^\.\/run\.js$/ }, () => ({ path: 'cli-run', namespace: 'cli-run' }));
      build.onLoad({ filter: /.*/, namespace: 'cli-run' }, () => ({
        contents: `module.exports = require('./cli-run.js');`,
        loader: 'js',
      }));
      build.onResolve({ filter: /^\.\/cli-run\.js$/ }, (args) => ({ path: args.path, external: true }));
    },
  };
  return [
    {
      ...extension,
      external: [],
      plugins: [runApart, plainRequireOfExternals],
      entryPoints: [path.join(__dirname, 'src/cli/main.ts')],
      outfile: path.join(outdir, 'cli.js'),
      banner: { js: '#!/usr/bin/env node' },
      define: { CLI_VERSION: version },
    },
    {
      ...extension,
      external: [],
      entryPoints: [path.join(__dirname, 'src/cli/run.ts')],
      outfile: path.join(outdir, 'cli-run.js'),
    },
  ];
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
  const [start, vendor] = tests
    ? extensionBuilds(true).map((options) => ({ ...options, sourcemap: 'linked' }))
    : extensionBuilds(production);
  // --cli: only the command-line tool and the vendor files it needs (npm run test:cli).
  const withExtension = !process.argv.includes('--cli');
  const builds = [vendor, ...cliBuilds(production || tests || !withExtension)];
  if (tests) {
    // Stale bundles of deleted tests would still run: start from an empty folder.
    fs.rmSync('out/integration', { recursive: true, force: true });
    // vscode and mocha stay external: both are resolved inside the extension host at run time.
    builds.push({
      ...extensionBuilds(false)[0],
      outfile: undefined,
      plugins: [leaveOutUnused],
      entryPoints: ['test/integration/index.ts', ...integrationEntryPoints()],
      outbase: 'test/integration',
      outdir: 'out/integration',
      external: ['vscode', 'mocha'],
      minify: false,
      sourcemap: 'inline',
    });
  }
  if (watch) {
    // While developing, the start bundle holds later.js's code too (a dynamic import() bundled in
    // place): the cut needs three passes, and a watch rebuilds one.
    for (const options of withExtension ? [start, ...builds] : builds) {
      const ctx = await esbuild.context(options);
      await ctx.watch();
    }
    return;
  }
  await Promise.all([
    ...(withExtension ? [buildSplit(start)] : []),
    ...builds.map((options) => esbuild.build(options)),
  ]);
}

module.exports = { extensionBuilds, buildExtension, cliBuilds, LAZY_LIBRARIES };

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
