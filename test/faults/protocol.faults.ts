// What the server says about jobs and where it points us: hostile ids, redirects to a foreign host,
// a download_url elsewhere, and two jobs whose files could collide.
import * as assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import * as path from 'node:path';
import { ACCOUNT, Harness, REF, hostile, startHarness, stopHarness, type HarnessOptions } from './harness';
import { csvOf, json, zipOf } from './hostileServer';

describe('faults: protocol', () => {
  let h: Harness;
  const start = async (options: HarnessOptions = {}): Promise<Harness> => (h = await startHarness(options));
  afterEach(async () => {
    await stopHarness();
  });

  for (const id of ['../../../etc/passwd', '2000000018003/result', '12abc', '', '1'.repeat(41)]) {
    hostile(
      `a created job id of ${JSON.stringify(id.slice(0, 20))} is refused before it is tracked`,
      async () => {
        await start();
        h.on('create', (_req, res) => json(res, 200, { code: 3000, details: { id, status: 'In-progress' } }));
        assert.equal(await h.create(), undefined);
        assert.match(h.userErrors.join('\n'), id ? /invalid job id/ : /without a job id/);
        assert.deepEqual(h.service.jobs(), []);
        assert.equal(h.server.hits('status'), 0, 'never polled');
      },
    );
  }

  hostile('a user-typed job id that is not digits is refused without a call', async () => {
    await start();
    await assert.rejects(h.service.trackJob(ACCOUNT, REF, '../1/result'), /digits only/);
    assert.equal(h.server.requests.length, 0);
  });

  hostile('a status answer about another job is not taken for this one', async () => {
    await start();
    h.completesWith(1).on('status', (_req, res) =>
      json(res, 200, { code: 3000, details: { id: '999', status: 'Completed', result: { count: 1 } } }),
    );
    const created = await h.create();
    assert.ok(created);
    const job = await h.until(created.key, (j) => !!j.lastError, 'a poll error');
    assert.match(job.lastError?.message ?? '', /about job 999 when asked about job/);
    assert.equal(job.state, 'running');
  });

  hostile(
    'a download redirected to another host is not followed: no request (and no token) reaches it',
    async () => {
      await start();
      h.completesWith(1).on('download', (_req, res) => {
        res.writeHead(302, { Location: `${h.server.foreign.url}/steal` });
        res.end();
      });
      await h.assertFailedCleanly(await h.createAndSettle(), /HTTP 302/);
      // assertNothingLeaked (afterEach) checks that the foreign host saw nothing.
    },
  );

  hostile('a status answer redirected to another host is not followed', async () => {
    await start();
    h.completesWith(1).on('status', (_req, res) => {
      res.writeHead(307, { Location: `${h.server.foreign.url}/status` });
      res.end();
    });
    const created = await h.create();
    assert.ok(created);
    const job = await h.until(created.key, (j) => !!j.lastError, 'a poll error');
    assert.match(job.lastError?.message ?? '', /HTTP 307/);
  });

  hostile("a download_url naming another host is used only as a path on the account's own host", async () => {
    await start();
    const zip = await zipOf([['All_Orders.csv', csvOf(2)]]);
    h.completesWith(2, {}).on('status', (_req, res, hit) =>
      json(res, 200, {
        code: 3000,
        details: {
          id: hit.jobId,
          status: 'Completed',
          result: {
            count: 2,
            download_url: `${h.server.foreign.url}/creator/v2.1/bulk/x/y/report/z/read/${hit.jobId}/result`,
          },
        },
      }),
    );
    h.on('download', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/zip' });
      res.end(zip);
    });
    const job = await h.createAndSettle();
    assert.equal(job.download, 'ready', job.lastError?.message);
    assert.equal(h.server.hits('download'), 1);
  });

  hostile(
    'two jobs with one id in apps whose names clean up alike get two files; stopping one keeps the other',
    async () => {
      await start();
      h.completesWith(3).on('download', async (req, res) => {
        const app = (req.url ?? '').split('/')[6];
        res.writeHead(200, { 'Content-Type': 'application/zip' });
        res.end(await zipOf([['R.csv', csvOf(3, `ID,${app}`)]]));
      });
      const first = await h.service.createJob(ACCOUNT, { ...REF, app: 'a.b' }, {});
      const second = await h.service.createJob(ACCOUNT, { ...REF, app: 'a_b' }, {});
      assert.equal(first.jobId, second.jobId);
      const done = async (key: string) =>
        (await h.until(key, (j) => j.download === 'ready', 'ready')).result?.path ?? '';
      const [firstFile, secondFile] = [await done(first.key), await done(second.key)];
      assert.notEqual(firstFile, secondFile);
      assert.match(
        path.relative(h.dir, firstFile),
        /^results\/jason18_a\.b_[0-9a-f]{12}\/All_Orders_2000000018003\.csv$/,
      );
      await h.service.stopTracking(first.key);
      await assert.rejects(access(firstFile), "the stopped job's file is deleted");
      await access(secondFile);
      assert.deepEqual(await h.files(), [path.relative(h.dir, secondFile)]);
    },
  );
});
