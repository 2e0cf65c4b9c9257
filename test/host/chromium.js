// Headless Debian chromium driven by playwright-core (never `npx playwright install`: it downloads).
// The flags are the measured set for a root user on a machine without display, GPU or internet.
const fs = require('fs');
const { chromium } = require('playwright-core');
const { CHROMIUM } = require('./paths');

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

function assertChromium() {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: install Debian package "chromium" (or set CBJ_CHROMIUM).`);
  }
}

/** A throw-away browser (fresh profile: SecretStorage starts empty). */
async function launchBrowser() {
  assertChromium();
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/**
 * A browser context whose profile lives in profileDir, so secrets (kept in the page's localStorage
 * by this server build) survive a page reload. `launch({args: ['--user-data-dir']})` throws.
 */
async function launchPersistent(profileDir, options = {}) {
  assertChromium();
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 900 },
    ...options,
  });
}

module.exports = { CHROMIUM_ARGS, launchBrowser, launchPersistent };
