// `npm run package` (after the production bundle): packs the extension with vsce, offline, into
// artifacts/creator-bulk-jobs-<version>.vsix, prints its size and contents, and fails when the VSIX
// holds anything but the bundle, the manifest, the docs media/ and the JSON schemas (a widened .vscodeignore or a
// stray file would otherwise ship source, tests or node_modules to users).
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const yauzl = require('yauzl');
const { ROOT, ARTIFACTS_DIR } = require('./paths');
const { LAZY_LIBRARIES } = require('../../esbuild.js');

const ALLOWED = [
  /^\[Content_Types\]\.xml$/,
  /^extension\.vsixmanifest$/,
  /^extension\/package\.json$/,
  /^extension\/dist\/extension\.js$/,
  /^extension\/dist\/later\.js$/,
  /^extension\/dist\/vendor\/[a-z-]+\.js$/,
  /^extension\/readme\.md$/i,
  /^extension\/changelog\.md$/i,
  /^extension\/license(\.txt|\.md)?$/i,
  /^extension\/media\/[^/].*$/,
  /^extension\/schemas\/[^/]+\.schema\.json$/,
];

function listEntries(file) {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (error, zip) => {
      if (error) {
        reject(error);
        return;
      }
      const entries = [];
      zip.on('entry', (entry) => {
        if (!entry.fileName.endsWith('/')) {
          entries.push({ name: entry.fileName, size: entry.uncompressedSize });
        }
        zip.readEntry();
      });
      zip.on('end', () => resolve(entries));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

async function main() {
  const { name, version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const out = path.join(ARTIFACTS_DIR, `${name}-${version}.vsix`);
  fs.rmSync(out, { force: true });
  // stdin ignored: a vsce question (e.g. about a missing field) fails the build instead of hanging CI.
  const result = spawnSync(
    path.join(ROOT, 'node_modules', '.bin', 'vsce'),
    // Relative links stay relative: media/ ships inside the VSIX, so the README's screenshot resolves there.
    [
      'package',
      '--no-dependencies',
      '--allow-missing-repository',
      '--no-rewrite-relative-links',
      '--out',
      out,
    ],
    { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (result.status !== 0) {
    throw new Error(`vsce package exited with ${result.status ?? result.signal}`);
  }
  const entries = await listEntries(out);
  for (const entry of entries) {
    console.log(`  ${String(entry.size).padStart(9)}  ${entry.name}`);
  }
  const unexpected = entries.filter((e) => !ALLOWED.some((re) => re.test(e.name)));
  // The code and libraries loaded on first use (esbuild.js) must ship too, or commands and downloads
  // fail only later.
  const required = ['extension.js', 'later.js', ...LAZY_LIBRARIES.map((name) => `vendor/${name}.js`)];
  for (const file of required) {
    if (!entries.some((e) => e.name === `extension/dist/${file}`)) {
      throw new Error(`the VSIX lacks extension/dist/${file}`);
    }
  }
  if (unexpected.length > 0) {
    throw new Error(`the VSIX holds files it must not ship: ${unexpected.map((e) => e.name).join(', ')}`);
  }
  const kib = (fs.statSync(out).size / 1024).toFixed(1);
  console.log(`VSIX: ${path.relative(ROOT, out)} ${kib} KiB, ${entries.length} files`);
}

main().catch((error) => {
  console.error(`[package] ${error.message}`);
  process.exit(1);
});
