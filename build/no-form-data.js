// Stands in for the `form-data` package in the bundle (see esbuild.js). axios imports it for
// multipart uploads, which this extension never sends; with it come mime-db and a dozen helpers,
// a third of the bundle. Node's own FormData takes its place, which axios also understands.
module.exports = globalThis.FormData;
