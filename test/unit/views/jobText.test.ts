// What the tree and the QuickPicks say about a job, and how the tree groups jobs.
import * as assert from 'assert';
import { jobKey, type TrackedJob } from '../../../src/jobs/model';
import { jobActions, jobContextValue } from '../../../src/views/jobContext';
import {
  checkText,
  downloadStopText,
  formatAge,
  formatCount,
  formatDuration,
  jobDescription,
  jobLabel,
  queryText,
} from '../../../src/views/jobDescription';
import { computeShape, layoutTree } from '../../../src/views/treeShape';

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const MIN = 60_000;

function job(overrides: Partial<TrackedJob> = {}): TrackedJob {
  const ref = overrides.ref ?? { owner: 'demo', app: 'zylker-store', report: 'All_Orders' };
  const accountId = overrides.accountId ?? 'acc1';
  const jobId = overrides.jobId ?? '2000000018003';
  return {
    key: jobKey(accountId, ref, jobId),
    accountId,
    ref,
    jobId,
    state: 'completed',
    batch: 1,
    trackedAt: NOW - 10 * MIN,
    changedAt: NOW - 3 * MIN,
    download: 'ready',
    result: { path: '/tmp/x.csv', bytes: 10, downloadedAt: NOW },
    details: {
      id: jobId,
      status: 'Completed',
      state: 'completed',
      result: { count: 100000, download_url: '/r', record_cursor: 'c1' },
    },
    cursorSeenAt: NOW - 3 * MIN,
    ...overrides,
  };
}

describe('job texts', () => {
  it('writes counts as en-US does, with a comma every three digits', () => {
    const intl = new Intl.NumberFormat('en-US');
    for (const count of [0, 7, 999, 1000, 12_345, 200_000, 1_234_567, -4321, 2 ** 53 - 1, 1.5, 12_345.678]) {
      assert.strictEqual(formatCount(count), intl.format(count));
    }
  });

  it('labels a job by its report, and by batch under a report row; never by the job id', () => {
    assert.strictEqual(jobLabel(job()), 'All_Orders');
    assert.strictEqual(jobLabel(job({ batch: 2, parentKey: 'p' })), 'All_Orders · Batch 2');
    assert.strictEqual(jobLabel(job({ nextBatchKey: 'n' })), 'All_Orders · Batch 1');
    assert.strictEqual(jobLabel(job({ batch: 3, parentKey: 'p' }), true), 'Batch 3');
  });

  it("says a batch's download was cancelled with its discarded export, not that it failed", () => {
    const cancelled = {
      download: 'failed' as const,
      result: undefined,
      lastError: { kind: 'cancelled' as const, message: 'The download was cancelled.', at: NOW },
    };
    const batch = job({ ...cancelled, exportId: 'run-1', nextBatchKey: undefined, cursorSeenAt: undefined });
    const text = jobDescription(batch, NOW);
    assert.match(text, /^100,000 records · download cancelled with its export\b/);
    assert.doesNotMatch(text, /failed/);
    assert.strictEqual(downloadStopText(batch), 'download cancelled with its export');
    assert.strictEqual(downloadStopText(job({ ...cancelled })), 'download cancelled');
    // A real failure still says so.
    const failed = job({ ...cancelled, lastError: { kind: 'network', message: 'socket hang up', at: NOW } });
    assert.strictEqual(downloadStopText(failed), undefined);
    assert.match(jobDescription(failed, NOW), /download failed/);
  });

  it('describes count or state first, then age, then the shortened query', () => {
    const seen = { path: '/tmp/x.csv', bytes: 10, downloadedAt: NOW, seenAt: NOW };
    const last = { nextBatchKey: undefined, cursorSeenAt: undefined };
    const lastDetails = { ...job().details!, result: { count: 100000, download_url: '/r' } };
    assert.strictEqual(
      jobDescription(job({ ...last, details: lastDetails }), NOW),
      '100,000 records · ready · 3 min ago',
    );
    assert.strictEqual(
      jobDescription(job({ result: seen, details: lastDetails }), NOW),
      '100,000 records · 3 min ago',
    );
    assert.strictEqual(
      jobDescription(job({ state: 'running', trackedAt: NOW - 12_000, download: 'none' }), NOW),
      'running · 12 s',
    );
    assert.strictEqual(
      jobDescription(job({ state: 'running', download: 'none' }), NOW, 'rate limited until 12:05'),
      'waiting · rate limited until 12:05',
      'a held account says waiting, not running',
    );
    assert.strictEqual(
      jobDescription(job({ state: 'failed', changedAt: NOW - 2 * 3600_000 }), NOW),
      'failed · 2 h ago',
    );
    assert.strictEqual(
      jobDescription(job({ download: 'downloading', ...last }), NOW),
      '100,000 records · downloading',
    );
    const filtered = job({
      ...last,
      details: lastDetails,
      result: seen,
      query: {
        criteria: 'Total >= 100.00 && Status == "Open" && Region == "EU"',
        fields: ['Email', 'Total'],
      },
    });
    assert.strictEqual(
      jobDescription(filtered, NOW),
      '100,000 records · 3 min ago · Total >= 100.00 && Status =… · Email, Total',
    );
    assert.strictEqual(queryText(job({ query: { fields: ['A', 'B', 'C'] } })), '3 fields');
    assert.strictEqual(queryText(job({ query: { record_cursor: 'c' } })), '');
    assert.strictEqual(formatAge(30_000), 'just now');
    assert.strictEqual(formatDuration(3 * 86_400_000), '3 d');
  });

  it('says on the row how long the record cursor can still be followed, while it can', () => {
    // Seen 3 minutes ago: 12 of its 15 minutes left.
    assert.strictEqual(
      jobDescription(job(), NOW),
      '100,000 records · ready · 3 min ago · fetch next batch within 12 min',
    );
    assert.strictEqual(
      jobDescription(job({ cursorSeenAt: NOW - 14.5 * MIN }), NOW),
      '100,000 records · ready · 3 min ago · fetch next batch within 1 min',
    );
    assert.doesNotMatch(jobDescription(job({ cursorSeenAt: NOW - 15 * MIN }), NOW), /next batch/, 'expired');
    assert.doesNotMatch(jobDescription(job({ nextBatchKey: 'k' }), NOW), /next batch/, 'followed already');
    assert.doesNotMatch(
      jobDescription(job({ exportId: 'e1' }), NOW),
      /next batch/,
      "an export's batch: the export follows its cursor itself",
    );
    assert.doesNotMatch(
      jobDescription(job({ state: 'running', download: 'none' }), NOW),
      /next batch/,
      'no cursor before completion',
    );
  });

  it('says how long an undownloaded result has left, then that it expired, and stops offering it', () => {
    const HOUR = 3600_000;
    const waiting = job({
      download: 'none',
      result: undefined,
      changedAt: NOW - 19 * HOUR,
      cursorSeenAt: NOW - 19 * HOUR,
    });
    assert.strictEqual(jobDescription(waiting, NOW), '100,000 records · ready · expires in 5 h');
    assert.match(jobContextValue(waiting, NOW), /\bcompleted\b/);
    assert.ok(jobActions(waiting, NOW).some((a) => a.command === 'creatorBulkJobs.openResult'));

    const expired = job({
      download: 'failed',
      result: undefined,
      changedAt: NOW - 25 * HOUR,
      cursorSeenAt: NOW - 25 * HOUR,
    });
    assert.strictEqual(jobDescription(expired, NOW), '100,000 records · download failed · result expired');
    assert.doesNotMatch(jobContextValue(expired, NOW), /\bcompleted\b/, 'no Open/Save in the menus');
    assert.match(jobContextValue(expired, NOW), /\bexpired\b/);
    const commands = jobActions(expired, NOW).map((a) => a.command);
    assert.ok(
      !commands.includes('creatorBulkJobs.openResult') && !commands.includes('creatorBulkJobs.saveResult'),
    );

    // A result already on disk does not expire with Zoho's copy.
    assert.strictEqual(
      jobDescription(job({ changedAt: NOW - 30 * HOUR, cursorSeenAt: NOW - 30 * HOUR }), NOW),
      '100,000 records · ready · 1 d ago',
    );
  });

  it('puts state and capability tokens in contextValue, matching the offered actions', () => {
    assert.strictEqual(jobContextValue(job(), NOW), 'job completed hasResult hasCursor');
    const expired = job({ cursorSeenAt: NOW - 16 * MIN });
    assert.strictEqual(jobContextValue(expired, NOW), 'job completed hasResult');
    assert.strictEqual(jobContextValue(job({ nextBatchKey: 'k' }), NOW), 'job completed hasResult');
    assert.strictEqual(
      jobContextValue(job({ state: 'running', download: 'none', result: undefined }), NOW),
      'job running',
    );
    const commands = (j: TrackedJob): string[] => jobActions(j, NOW).map((a) => a.command);
    assert.ok(commands(job()).includes('creatorBulkJobs.fetchNextBatch'));
    assert.ok(!commands(expired).includes('creatorBulkJobs.fetchNextBatch'));
    assert.ok(!commands(job({ state: 'failed' })).includes('creatorBulkJobs.openResult'));
    // A batch merged into its export's file: nothing of its own to open, save or follow.
    assert.strictEqual(jobContextValue(job(), NOW, true), 'job merged');
    const merged = jobActions(job(), NOW, true).map((a) => a.command);
    for (const command of ['openResult', 'saveResult', 'fetchNextBatch']) {
      assert.ok(!merged.includes(`creatorBulkJobs.${command}`), command);
    }
  });
});

describe('check times in the tooltip', () => {
  it('says when a running job was last checked and when it is checked next', () => {
    const running = job({ state: 'running' });
    assert.deepStrictEqual(checkText(running, { last: NOW - 2 * MIN, next: NOW + 40_000 }, NOW), [
      ['Last checked', '2 min ago'],
      ['Next check', 'in 40 s'],
    ]);
  });

  it('names the window that polls when this one does not, and no next check once finished', () => {
    assert.deepStrictEqual(checkText(job({ state: 'running' }), { last: NOW - 5000 }, NOW), [
      ['Last checked', '5 s ago'],
      ['Next check', 'by the VS Code window that polls'],
    ]);
    assert.deepStrictEqual(checkText(job(), { last: NOW - 5000 }, NOW), [['Last checked', '5 s ago']]);
  });
});

describe('tree shape', () => {
  const orders = { owner: 'demo', app: 'zylker-store', report: 'All_Orders' };
  const customers = { owner: 'demo', app: 'zylker-store', report: 'All_Customers' };

  it('skips the account level for one account and the report level for one report', () => {
    const shape = computeShape(['acc1', 'acc2'], [job({ jobId: '1' }), job({ jobId: '2' })]);
    assert.strictEqual(shape.showAccounts, false, 'only acc1 has jobs');
    assert.strictEqual(shape.reports.get('acc1')?.length, 1);
  });

  it('changes its signature when a row is added or moves, not when a job changes in place', () => {
    const layout = (jobs: TrackedJob[], accounts = ['acc1']): string =>
      layoutTree({ accountOrder: accounts, jobs, exports: [], now: NOW }).signature;
    const one = layout([job({ jobId: '1' })]);
    const changedInPlace = layout([job({ jobId: '1', state: 'failed' })]);
    const sameGroup = layout([job({ jobId: '1' }), job({ jobId: '2' })]);
    const newReport = layout([job({ jobId: '1' }), job({ jobId: '3', ref: customers })]);
    const newAccount = computeShape(
      ['acc1', 'acc2'],
      [job({ jobId: '1' }), job({ jobId: '4', accountId: 'acc2' })],
    );
    assert.strictEqual(changedInPlace, one);
    assert.notStrictEqual(sameGroup, one);
    assert.notStrictEqual(newReport, one);
    assert.deepStrictEqual(newAccount.accountIds, ['acc1', 'acc2']);
    assert.strictEqual(newAccount.showAccounts, true);
  });

  it('lists a report group newest first', () => {
    const older = job({ jobId: '1', trackedAt: NOW - 5 * MIN, ref: orders });
    const newer = job({ jobId: '2', trackedAt: NOW - MIN, ref: orders });
    const layout = layoutTree({
      accountOrder: ['acc1'],
      jobs: [older, newer, job({ jobId: '3', ref: customers })],
      exports: [],
      now: NOW,
    });
    const rows = layout.children.get(`report:acc1|demo|zylker-store|All_Orders`) ?? [];
    assert.deepStrictEqual(
      rows.map((row) => (row.kind === 'job' ? row.key.split('|').pop() : row.kind)),
      ['2', '1'],
    );
  });
});
