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
import { JOBS_FILE_NAME, JOBS_FOLDER_NAME, JobStore } from '../../src/jobs/jobStore';
import { countCsvRecords } from '../../src/results/countCsvRecords';
import { DEMO, type Simulator } from '../simulator';
import {
  collectErrors,
  setSetting,
  waitFor,
  waitForJob,
  waitForResult,
  withStubbedPrompt,
  useSignedInSimulator,
} from './helpers';

const APP = DEMO.app;

describe('Jobs: create, track, next batch, restart', function () {
  this.timeout(120_000);
  let sim: Simulator;
  let api: TestApi;
  let accountId: string;
  useSignedInSimulator(
    { jobDurationMs: 1500, throttles: false },
    (signedIn) => ({ sim, api, accountId } = signedIn),
  );

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

  it('names a job Zoho created but could not be saved, and Track Existing Job picks it up', async () => {
    const jobsPath = path.join(api.services.storageDir, JOBS_FOLDER_NAME);
    const aside = `${jobsPath}.kept-by-test`;
    // A file where the jobs folder belongs: every write of a job fails until it is put back.
    const had = fs.existsSync(jobsPath);
    if (had) {
      await fs.promises.rename(jobsPath, aside);
    }
    await fs.promises.writeFile(jobsPath, 'in the way');
    const errors: string[] = [];
    let choose: (choice: string | undefined) => void = () => undefined;
    try {
      const key = await withStubbedPrompt(
        'showErrorMessage',
        (message: string) => {
          errors.push(message);
          return new Promise((resolve) => (choose = resolve));
        },
        () =>
          vscode.commands.executeCommand<string | undefined>('creatorBulkJobs.createJob', {
            accountId,
            app: APP,
            report: 'All_Orders',
          }),
      );
      assert.strictEqual(key, undefined);
    } finally {
      await fs.promises.rm(jobsPath, { recursive: true, force: true });
      if (had) {
        await fs.promises.rename(aside, jobsPath);
      }
    }
    assert.strictEqual(errors.length, 1, errors.join('\n'));
    const jobId = /Zoho created bulk read job (\d+), but it could not be saved/.exec(errors[0])?.[1];
    assert.ok(jobId, errors[0]);
    assert.match(errors[0], /Track Existing Job/);
    assert.ok(!api.services.jobs.jobs().some((job) => job.jobId === jobId), 'not tracked');

    choose('Track Existing Job');
    const tracked = await waitFor(
      () => api.services.jobs.jobs().find((job) => job.jobId === jobId),
      `job ${jobId} tracked from the error's action`,
    );
    assert.strictEqual(tracked.ref.report, 'All_Orders');
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
