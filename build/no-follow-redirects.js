// Stands in for the `follow-redirects` package in the bundle (see esbuild.js). axios uses it only
// when maxRedirects is not 0; every request here sets maxRedirects: 0 (a redirect could carry the
// token to another host), so axios takes Node's http/https directly. Should that ever change,
// the request fails loudly instead of following the redirect.
function refuse() {
  throw new Error('Redirects are not supported in this build: set maxRedirects to 0.');
}
module.exports = { http: { request: refuse }, https: { request: refuse } };
