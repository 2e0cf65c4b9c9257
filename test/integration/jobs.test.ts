// Jobs end to end in the real extension host against the simulator: create -> polled -> completed
// -> downloaded with no manual refresh; track by id; follow record cursors; survive a restart.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { TestApi } from '../../src/extension';
import { FileLease, POLLER_LEASE_FILE_NAME } from '../../src/core/lease';
import { silentLogger, systemClock } from '../../src/core/ports';
import { SharedJsonFile } from '../../src/core/sharedJsonFile';
import { JobService } from '../../src/jobs/jobService';
import { JOBS_FILE_NAME, JobStore } from '../../src/jobs/jobStore';
import { countCsvRecords } from '../../src/results/countCsvRecords';
import { startSimulator, DEMO, type Simulator } from '../simulator';
import {
  activateExtension,
  collectErrors,
  setSetting,
  signInToSimulator,
  signOut,
  useFastPolling,
  waitForJob,
  waitForResult,
  withStubbedPrompt,
} from './helpers';

const APP = DEMO.app;

describe('Jobs: create, track, next batch, restart', function () {
  this.timeout(120_000);
  let sim: Simulator;
  let api: TestApi;
  let accountId: string;
  let restoreSettings: () => Promise<void>;

  before(async () => {
    sim = await startSimulator({ jobDurationMs: 1500, throttles: false });
    api = await activateExtension();
    restoreSettings = await useFastPolling();
    accountId = await signInToSimulator(sim);
  });

  after(async () => {
    if (accountId) {
      await signOut(accountId);
    }
    await restoreSettings?.();
    await sim?.close();
  });

  const statusPolls = (jobId: string): number =>
    sim.requests.filter((r) => r.method === 'GET' && r.path.endsWith(`/read/${jobId}`)).length;

  it('creates a job that is polled, completes and is downloaded without a manual refresh', async () => {
    const key = await vscode.commands.executeCommand<string | undefined>('creatorBulkJobs.createJob', {
      accountId,
      app: APP,
      report: 'All_Customers',
    });
    assert.ok(key, 'createJob resolves the new job key');
    const created = api.services.jobs.get(key);
    assert.strictEqual(created?.state, 'running', 'a new job starts running');

    const done = await waitForResult(api, key);
    assert.strictEqual(done.details?.result?.count, 1000);
    assert.ok(statusPolls(done.jobId) >= 1, 'the extension polled the status by itself');
    assert.ok(
      done.result && fs.existsSync(done.result.path),
      'the CSV was extracted into the storage folder',
    );
    assert.strictEqual(await countCsvRecords(done.result.path), 1000);
  });

  it('tracks an existing job by id and refuses an unknown or malformed id, tracking nothing', async () => {
    const ref = { owner: DEMO.owner, app: APP, report: 'All_Customers' };
    // A job created outside the extension (another tool): only the server knows it.
    const client = await api.services.accounts.clientFor(accountId);
    const outside = await client.createJob(ref, {});
    const key = await vscode.commands.executeCommand<string | undefined>('creatorBulkJobs.trackJob', {
      accountId,
      app: APP,
      report: 'All_Customers',
      jobId: outside.id,
    });
    assert.ok(key, 'trackJob resolves the job key');
    assert.strictEqual(api.services.jobs.get(key)?.jobId, outside.id);
    await waitForResult(api, key);

    const tracked = api.services.jobs.jobs().length;
    const unknown = await collectErrors(() =>
      vscode.commands.executeCommand('creatorBulkJobs.trackJob', {
        accountId,
        app: APP,
        report: 'All_Customers',
        jobId: '999999999',
      }),
    );
    assert.strictEqual(unknown.result, undefined);
    assert.strictEqual(unknown.errors.length, 1, 'one error message');
    assert.match(unknown.errors[0], /999999999/);
    assert.doesNotMatch(unknown.errors[0], /\bat .*\(.*:\d+:\d+\)/, 'no stack trace in the message');
    assert.strictEqual(api.services.jobs.jobs().length, tracked, 'nothing new is tracked');

    const requests = sim.requests.length;
    const malformed = await collectErrors(() =>
      vscode.commands.executeCommand('creatorBulkJobs.trackJob', {
        accountId,
        app: APP,
        report: 'All_Customers',
        jobId: '12ab',
      }),
    );
    assert.strictEqual(malformed.result, undefined);
    assert.match(malformed.errors[0] ?? '', /digits only/);
    assert.strictEqual(sim.requests.length, requests, 'a malformed id never reaches the server');
  });

  it('asks for the job id in a box that accepts digits only (palette flow)', async () => {
    const client = await api.services.accounts.clientFor(accountId);
    const outside = await client.createJob({ owner: DEMO.owner, app: APP, report: 'All_Customers' }, {});
    const verdicts: Record<string, string | undefined> = {};
    type Item = vscode.QuickPickItem & { account?: { id: string } };
    const pick = async (items: readonly Item[] | Thenable<readonly Item[]>): Promise<Item | undefined> => {
      const list = await items;
      return list.find(
        (item) =>
          item.account?.id === accountId || item.description === APP || item.description === 'All_Customers',
      );
    };
    const key = await withStubbedPrompt('showQuickPick', pick, () =>
      withStubbedPrompt(
        'showInputBox',
        async (options: vscode.InputBoxOptions) => {
          const validate = options.validateInput as (value: string) => string | undefined;
          for (const candidate of ['12ab', '', ' 42 ', outside.id]) {
            verdicts[candidate] = validate(candidate);
          }
          return outside.id;
        },
        () => vscode.commands.executeCommand<string | undefined>('creatorBulkJobs.trackJob'),
      ),
    );
    assert.match(verdicts['12ab'] ?? '', /digits only/);
    assert.ok(verdicts[''], 'an empty id is refused');
    assert.strictEqual(verdicts[outside.id], undefined, 'a numeric id is accepted');
    assert.ok(
      key && api.services.jobs.get(key)?.jobId === outside.id,
      'the picked report and typed id are tracked',
    );
  });

  it('follows the record cursor: batch 2 from batch 1, batch 3 from batch 2, then no cursor', async () => {
    await setSetting('autoDownload', false); // three 100,000-row downloads add nothing here
    try {
      const key1 = await vscode.commands.executeCommand<string>('creatorBulkJobs.createJob', {
        accountId,
        app: APP,
        report: 'All_Orders',
      });
      const batch1 = await waitForJob(api, key1, (job) => job.state === 'completed', 'batch 1 completed');
      const cursor1 = batch1.details?.result?.record_cursor;
      assert.strictEqual(batch1.details?.result?.count, 100000);
      assert.ok(cursor1, 'batch 1 has a record cursor');

      const key2 = await vscode.commands.executeCommand<string>('creatorBulkJobs.fetchNextBatch', key1);
      assert.ok(key2, 'fetchNextBatch resolves the new job key');
      const creates = sim.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/All_Orders/read'));
      assert.deepStrictEqual(JSON.parse(creates[creates.length - 1].body ?? '{}'), {
        query: { record_cursor: cursor1 },
      });
      const batch2 = await waitForJob(api, key2, (job) => job.state === 'completed', 'batch 2 completed');
      assert.strictEqual(batch2.batch, 2);
      assert.strictEqual(batch2.parentKey, key1);
      assert.strictEqual(batch2.details?.result?.count, 100000);
      assert.strictEqual(api.services.jobs.get(key1)?.nextBatchKey, key2, 'batch 1 remembers its follow-up');

      const key3 = await vscode.commands.executeCommand<string>('creatorBulkJobs.fetchNextBatch', key2);
      const batch3 = await waitForJob(api, key3, (job) => job.state === 'completed', 'batch 3 completed');
      assert.strictEqual(batch3.batch, 3);
      assert.strictEqual(batch3.details?.result?.count, 50000);
      assert.strictEqual(batch3.details?.result?.record_cursor, undefined, 'the last batch has no cursor');

      const warnings: string[] = [];
      const noMore = await withStubbedPrompt(
        'showWarningMessage',
        async (message: string) => {
          warnings.push(message);
          return undefined;
        },
        async () => [
          await vscode.commands.executeCommand('creatorBulkJobs.fetchNextBatch', key3),
          await vscode.commands.executeCommand('creatorBulkJobs.fetchNextBatch', key1),
        ],
      );
      assert.deepStrictEqual(noMore, [undefined, undefined], 'no job is created without a usable cursor');
      assert.match(warnings[0] ?? '', /last batch/);
      assert.match(warnings[1] ?? '', /already created/);
    } finally {
      await setSetting('autoDownload', undefined);
    }
  });

  it('a second window over the same global storage sees every job, does not poll, and merges its own', async () => {
    const mine = api.services.jobs.jobs().filter((job) => job.accountId === accountId);
    assert.ok(mine.length >= 4, 'the earlier tests tracked jobs');
    const storageDir = api.services.storageDir;
    const jobsFile = new SharedJsonFile(path.join(storageDir, JOBS_FILE_NAME), systemClock);
    const leaseFile = new SharedJsonFile(path.join(storageDir, POLLER_LEASE_FILE_NAME), systemClock);
    const lease = new FileLease(leaseFile, systemClock);
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cbj-restart-'));
    const other = new JobService({
      store: new JobStore(jobsFile, silentLogger),
      clients: (id) => api.services.accounts.clientFor(id),
      clock: systemClock,
      logger: silentLogger,
      resultsDir: scratch,
      settings: {
        initialIntervalMs: 3_600_000,
        maxIntervalMs: 3_600_000,
        unfocusedMultiplier: 1,
        maxConcurrent: 1,
        maxChecksPerMinute: 20,
      },
      autoDownload: () => false,
      lease,
    });
    try {
      await lease.start();
      assert.strictEqual(api.services.jobs.polling.held, true, 'the real window polls');
      assert.strictEqual(other.polling.held, false, 'the second window does not');
      for (const before of mine) {
        const after = other.get(before.key);
        assert.ok(after, `job ${before.jobId} is seen by the second window`);
        assert.strictEqual(after.state, before.state);
        assert.strictEqual(after.batch, before.batch);
        assert.strictEqual(after.parentKey, before.parentKey);
        assert.strictEqual(after.details?.result?.count, before.details?.result?.count);
        assert.strictEqual(after.result?.path, before.result?.path, 'the downloaded file is remembered');
      }

      // A job tracked in the second window shows up in the real one (file watcher), and stopping
      // it there removes it here: nothing is lost or resurrected by either window's writes.
      const ref = mine[0].ref;
      const created = await (await api.services.accounts.clientFor(accountId)).createJob(ref, {});
      const seen = new Promise<void>((resolve) => {
        const subscription = api.services.jobs.onDidChangeJob((change) => {
          if (change.job.jobId === created.id && change.kind === 'added') {
            subscription.dispose();
            resolve();
          }
        });
      });
      const tracked = await other.trackJob(accountId, ref, created.id);
      await seen;
      await api.services.jobs.stopTracking(tracked.key);
      other.setFocused(true); // re-reads, as a window does when it gains focus
      assert.strictEqual(other.get(tracked.key), undefined);
      assert.ok(
        mine.every((job) => api.services.jobs.get(job.key)),
        'the earlier jobs are all still there',
      );
    } finally {
      other.dispose();
      lease.dispose();
      jobsFile.dispose();
      leaseFile.dispose();
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });
});
