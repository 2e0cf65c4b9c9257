// What the production-bundle test reaches inside a bundle built with the extension's production
// options (esbuild.js): the same client, token providers and result path the extension bundles.
export { BulkReadClient } from '../../../src/zoho/client';
export { RefreshTokenProvider, StaticTokenProvider } from '../../../src/zoho/auth';
export { fetchResult } from '../../../src/results/fetchResult';
