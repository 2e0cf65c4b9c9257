// Stands in for the `debug` package in the bundle (see esbuild.js). Only axios's proxy agents use
// it, for diagnostics switched on by a DEBUG environment variable; here they stay silent.
function createDebug() {
  const log = () => undefined;
  log.enabled = false;
  log.extend = createDebug;
  return log;
}
createDebug.enable = () => undefined;
createDebug.disable = () => '';
createDebug.enabled = () => false;
module.exports = createDebug;
