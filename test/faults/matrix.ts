// Root hooks of the fault suite: count every case and print one line at the end, e.g.
// `fault matrix: 42 cases, 42 passed, 0 failed`.
import type { Context } from 'mocha';

const tally = { cases: 0, passed: 0, failed: 0 };

export const mochaHooks = {
  afterEach(this: Context): void {
    const state = this.currentTest?.state;
    tally.cases++;
    if (state === 'passed') {
      tally.passed++;
    } else if (state === 'failed') {
      tally.failed++;
    }
  },
  afterAll(): void {
    console.log(`\nfault matrix: ${tally.cases} cases, ${tally.passed} passed, ${tally.failed} failed`);
  },
};
