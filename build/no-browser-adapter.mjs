// Stands in for axios's browser adapters, xhr and fetch, in the bundle (see esbuild.js). In Node
// axios picks its http adapter (src/zoho/http.ts also names it); these two only ever report
// "unavailable" there, as this stand-in does. ESM, as axios imports them: `import xhr from`.
export default false;
export const getFetch = () => false;
