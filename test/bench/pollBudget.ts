// The poll budget: status calls and detection latency of one job, before (0.1.0) and now, and the
// calls per minute of many running jobs of one account. Real scheduler, fake clock.
import { toPollSettings } from '../../src/host/pollSettings';
import { PollScheduler } from '../../src/jobs/pollScheduler';
import type { PollSettings } from '../../src/jobs/serviceApi';
import { FakeClock } from '../unit/helpers/fakeClock';
import { fmt } from './stats';

/**
 * The policy before the poll budget (0.1.0): first check after 5 s, the wait doubling up to 60 s
 * while nothing changes. A bulk read job reports no progress, so "nothing changes" until it ends.
 */
function beforeBudget(durationMs: number): { calls: number; latencyMs: number } {
  let at = 5000;
  let wait = 5000;
  let calls = 1;
  while (at < durationMs) {
    wait = Math.min(60_000, wait * 2);
    at += wait;
    calls++;
  }
  return { calls, latencyMs: at - durationMs };
}

/** One job that completes after `durationMs`, polled by the real scheduler with default settings. */
async function afterBudget(
  durationMs: number,
  settings: PollSettings,
): Promise<{ calls: number; latencyMs: number }> {
  const clock = new FakeClock(0);
  let calls = 0;
  let detectedAt = -1;
  const scheduler = new PollScheduler({
    clock,
    settings,
    poll: async () => {
      calls++;
      if (clock.now() >= durationMs) {
        detectedAt = clock.now();
        return 'finished';
      }
      return 'unchanged';
    },
  });
  scheduler.add('job', 'account');
  while (detectedAt < 0) {
    await clock.tickAsync(1000);
  }
  scheduler.dispose();
  return { calls, latencyMs: detectedAt - durationMs };
}

function seconds(ms: number): string {
  return ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${fmt(ms / 60_000)} min`;
}

export async function benchPollBudget(): Promise<void> {
  const settings = toPollSettings({});
  console.log(
    `\npoll budget, default settings (first check ${settings.initialIntervalMs / 1000} s, ` +
      `cap ${settings.maxIntervalMs / 60_000} min, ${settings.maxChecksPerMinute} checks/min per account), ` +
      'real scheduler, fake clock, focused window:',
  );
  console.log(
    '| job runs | status calls before | after | detection latency before | after | latency bound |',
  );
  console.log('|---|---|---|---|---|---|');
  for (const durationMs of [30_000, 120_000, 600_000, 1_800_000, 7_200_000]) {
    const before = beforeBudget(durationMs);
    const after = await afterBudget(durationMs, settings);
    const bound = Math.min(600_000, Math.max(30_000, durationMs / 4));
    console.log(
      `| ${seconds(durationMs)} | ${before.calls} | ${after.calls} | ${seconds(before.latencyMs)} | ` +
        `${seconds(after.latencyMs)} | ${seconds(bound)} |`,
    );
  }
  // Worst case over completion moments: the latency bound must hold for any duration, not only these.
  let worst = 0;
  for (let durationMs = 1000; durationMs <= 7_200_000; durationMs += 7_000) {
    const { latencyMs } = await afterBudget(durationMs, settings);
    worst = Math.max(worst, latencyMs / Math.min(600_000, Math.max(30_000, durationMs / 4)));
  }
  console.log(
    `worst detection latency over durations 1 s..2 h (every 7 s): ${fmt(worst * 100, 0)}% of its bound`,
  );
}

/** Many running jobs of one account: calls per minute stay under the ceiling, also right after a reload. */
export async function benchCeiling(jobs: number): Promise<void> {
  const settings = toPollSettings({});
  const clock = new FakeClock(0);
  const starts: number[] = [];
  const scheduler = new PollScheduler({
    clock,
    settings,
    poll: async () => {
      starts.push(clock.now());
      return 'unchanged';
    },
  });
  // A reload 20 minutes into their run: every job was last checked well before.
  clock.tick(20 * 60_000);
  const reloadAt = clock.now();
  for (let i = 0; i < jobs; i++) {
    scheduler.add(`job-${i}`, 'account', { startedAt: 0, lastCheckedAt: 0 });
  }
  for (let t = 0; t < 60 * 60; t++) {
    await clock.tickAsync(1000);
  }
  scheduler.dispose();
  let worstMinute = 0;
  for (let from = reloadAt; from < clock.now() - 60_000; from += 1000) {
    worstMinute = Math.max(worstMinute, starts.filter((at) => at >= from && at < from + 60_000).length);
  }
  const firstTen = starts.filter((at) => at < reloadAt + 10_000).length;
  console.log(
    `${jobs} running jobs of one account, after a reload, over one hour: busiest minute ${worstMinute} ` +
      `status calls (ceiling ${settings.maxChecksPerMinute}), ${firstTen} in the first 10 s, ` +
      `${starts.length} in the hour (before: ${jobs} a minute, all ${jobs} at once on reload)`,
  );
}
