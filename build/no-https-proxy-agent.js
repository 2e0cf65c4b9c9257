// Stands in for the `https-proxy-agent` package (and agent-base under it) in the bundle (see
// esbuild.js). axios builds one only to reach an https host through a proxy it was given; every
// request here sets proxy: false (src/zoho/http.ts: VS Code's own proxy support applies instead),
// so axios never asks. Should that change, the request fails loudly instead.
module.exports = function HttpsProxyAgent() {
  throw new Error('Proxies are not supported by axios in this build: set proxy to false.');
};
