// Imported first by extension.ts, so it runs before the rest of the bundle: when the code started
// loading, for the "Activated in … ms" log line (README, Performance).
export const codeStartedAt = performance.now();
