// Imported first by extension.ts, so it runs before the rest of the bundle: when the code started
// loading, for the "Activated in … ms" log line (README, Performance). CPU time beside wall time:
// on a busy machine the wall clock mostly measures the wait for a core.

export interface Mark {
  at: number;
  cpu: NodeJS.CpuUsage;
}

export function mark(): Mark {
  return { at: performance.now(), cpu: process.cpuUsage() };
}

export const codeStarted = mark();

/** Wall and CPU milliseconds (this process, all threads) between two marks. */
export function span(from: Mark, to: Mark): { ms: number; cpuMs: number } {
  return {
    ms: to.at - from.at,
    cpuMs: (to.cpu.user - from.cpu.user + to.cpu.system - from.cpu.system) / 1000,
  };
}
