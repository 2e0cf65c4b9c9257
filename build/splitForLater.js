// The cut between what a window start parses (extension.js) and what loads on first use (later.js),
// for esbuild.js: see buildSplit below and docs/ARCHITECTURE.md, "What a window start loads".
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');

const ROOT = path.join(__dirname, '..');

/**
 * The start bundle's name for a module of later.js or a module later.js takes from it: its path in
 * the repository as an identifier (src/commands/createJob.ts is src_commands_createJob).
 */
function moduleKey(file) {
  return path
    .relative(ROOT, file)
    .replace(/\.[jt]s$/, '')
    .replace(/[^\w]/g, '_');
}

/** Throws when two files would share a key (src/a-b.ts and src/a_b.ts): one would shadow the other. */
function checkKeys(files) {
  const seen = new Map();
  for (const file of files) {
    const key = moduleKey(file);
    if (seen.has(key)) {
      throw new Error(`${seen.get(key)} and ${file} would share the key ${key}: rename one`);
    }
    seen.set(key, file);
  }
}

/** esbuild's metafile names files relative to the working folder; a Set of their absolute paths. */
function inputFiles(metafile, workingDir = process.cwd()) {
  return new Set(
    Object.keys(metafile.inputs)
      .filter((name) => !/^[\w-]{2,}:/.test(name)) // a namespace ("later:…"), not a drive ("C:/…")
      .map((name) => path.resolve(workingDir, name)),
  );
}

/** Where esbuild would resolve an import without these plugins (which ask, then decide). */
function resolveAsUsual(build, args) {
  return build.resolve(args.path, {
    kind: args.kind,
    importer: args.importer,
    resolveDir: args.resolveDir,
    pluginData: 'resolving',
  });
}

/**
 * Where src writes `await import('./x.js')` (or, where a unit test runs the code on its TypeScript,
 * `require('./x')` inside a function) of a module the start bundle does not otherwise hold, the
 * start bundle gets a one-line stand-in that requires it from later.js on first use (the import()
 * stays lazy, as for the lazy libraries). `isLater(file)` says which dynamic imports to cut; `cut`
 * collects the files cut. A dynamic import of a module the start bundle holds anyway stays inside.
 * @returns {import('esbuild').Plugin}
 */
function cutForLater(isLater, cut, laterFile) {
  return {
    name: 'cut-for-later',
    setup(build) {
      build.onResolve({ filter: /^\.\/later\.js$/ }, (args) =>
        args.namespace === 'later' ? { path: args.path, external: true } : undefined,
      );
      build.onResolve({ filter: /^\./ }, async (args) => {
        // Only src's own imports: not the stand-ins of the lazy libraries (their require of
        // ./vendor/*.js stays as it is) or of this cut.
        if (
          !['dynamic-import', 'require-call'].includes(args.kind) ||
          args.pluginData === 'resolving' ||
          args.namespace !== 'file'
        ) {
          return undefined;
        }
        const resolved = await resolveAsUsual(build, args);
        if (resolved.external) {
          return undefined;
        }
        if (resolved.errors.length > 0 || !isLater(resolved.path)) {
          return resolved.errors.length > 0 ? { errors: resolved.errors } : { path: resolved.path };
        }
        cut.add(resolved.path);
        return { path: resolved.path, namespace: 'later' };
      });
      build.onLoad({ filter: /.*/, namespace: 'later' }, (args) => ({
        contents: `module.exports = require('./${laterFile}').${moduleKey(args.path)};`,
        loader: 'js',
      }));
    },
  };
}

/**
 * In later.js, a module the start bundle holds is taken from the start bundle (its `__shared`), so
 * it runs once: one copy of each class (instanceof holds across the cut) and of each module's state.
 * @returns {import('esbuild').Plugin}
 */
function takeFromStart(startFiles, taken, startFile) {
  return {
    name: 'take-from-start',
    setup(build) {
      build.onResolve({ filter: /^\.\/[\w.-]+\.js$/ }, (args) =>
        args.namespace === 'from-start' ? { path: args.path, external: true } : undefined,
      );
      build.onResolve({ filter: /^\./ }, async (args) => {
        if (args.pluginData === 'resolving' || args.namespace !== 'file') {
          return undefined;
        }
        const resolved = await resolveAsUsual(build, args);
        if (resolved.errors.length > 0 || !startFiles.has(resolved.path)) {
          return undefined;
        }
        taken.add(resolved.path);
        return { path: resolved.path, namespace: 'from-start' };
      });
      build.onLoad({ filter: /.*/, namespace: 'from-start' }, (args) => ({
        contents: `module.exports = require('./${startFile}').__shared.${moduleKey(args.path)};`,
        loader: 'js',
      }));
    },
  };
}

/**
 * Builds the extension bundle in two files: extension.js, what a window start loads, and later.js,
 * the code src imports with a dynamic import() (the command implementations, downloads, compare),
 * required on first use. Three passes: which modules the start needs, later.js (taking those it
 * shares from the start bundle), then the start bundle exporting what later.js takes. A window
 * start parses about a quarter less (npm run bench, activation).
 * @param {import('esbuild').BuildOptions} options the start bundle's, as extensionBuilds gives them
 * @returns {Promise<{ start: import('esbuild').BuildResult, later?: import('esbuild').BuildResult }>}
 */
async function buildSplit(options) {
  const outdir = path.dirname(options.outfile);
  const startFile = path.basename(options.outfile);
  const laterFile = 'later.js';
  const [entry] = options.entryPoints;
  const plugins = options.plugins ?? [];

  const cut = new Set();
  const first = await esbuild.build({
    ...options,
    plugins: [cutForLater(() => true, cut, laterFile), ...plugins],
    write: false,
    metafile: true,
    minify: false,
    sourcemap: false,
    logLevel: 'silent',
  });
  const startFiles = inputFiles(first.metafile, options.absWorkingDir);
  const later = [...cut].filter((file) => !startFiles.has(file)).sort();
  checkKeys(later);
  fs.rmSync(path.join(outdir, laterFile), { force: true });
  fs.rmSync(path.join(outdir, `${laterFile}.map`), { force: true });
  if (later.length === 0) {
    return { start: await esbuild.build(options) };
  }

  const taken = new Set();
  const laterBuild = await esbuild.build({
    ...options,
    entryPoints: undefined,
    stdin: {
      contents: later
        .map((file) => `export * as ${moduleKey(file)} from ${JSON.stringify(file)};`)
        .join('\n'),
      resolveDir: ROOT,
      sourcefile: 'later-entry.js',
      loader: 'js',
    },
    outfile: path.join(outdir, laterFile),
    plugins: [takeFromStart(startFiles, taken, startFile), ...plugins],
  });

  const shared = [...taken].sort();
  checkKeys(shared);
  const start = await esbuild.build({
    ...options,
    entryPoints: undefined,
    stdin: {
      contents: [
        `export * from ${JSON.stringify(path.resolve(entry))};`,
        ...shared.map((file) => `import * as ${moduleKey(file)} from ${JSON.stringify(file)};`),
        `export const __shared = { ${shared.map(moduleKey).join(', ')} };`,
      ].join('\n'),
      resolveDir: ROOT,
      sourcefile: 'extension-entry.js',
      loader: 'js',
    },
    plugins: [cutForLater((file) => !startFiles.has(file), new Set(), laterFile), ...plugins],
  });
  return { start, later: laterBuild };
}

module.exports = { buildSplit };
