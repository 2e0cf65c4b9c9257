// Renders media/icon.png (the 128x128 Marketplace/extension-list icon) from media/activity-bar.svg:
// the same glyph, white on a rounded coloured tile, drawn by headless chromium. Run it again only
// when the glyph changes: `node test/host/make-icon.js`.
const fs = require('fs');
const path = require('path');
const { ROOT } = require('./paths');
const { launchBrowser } = require('./chromium');

async function main() {
  const svg = fs
    .readFileSync(path.join(ROOT, 'media', 'activity-bar.svg'), 'utf8')
    .replace(/width="24" height="24"/, 'width="92" height="92"')
    .replace(/currentColor/g, '#ffffff');
  const html = `<!doctype html><html><body style="margin:0;background:transparent">
    <div id="icon" style="width:128px;height:128px;border-radius:24px;display:flex;align-items:center;
      justify-content:center;background:linear-gradient(135deg,#1b8f5a 0%,#0d5c8a 100%)">${svg}</div>
    </body></html>`;
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 128, height: 128 }, deviceScaleFactor: 1 });
    await page.setContent(html);
    const out = path.join(ROOT, 'media', 'icon.png');
    await page.locator('#icon').screenshot({ path: out, omitBackground: true });
    console.log(`wrote ${out} (${fs.statSync(out).size} bytes)`);
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
