// No request can hang forever: stalls, trickles, lies about length, silent servers, cancel,
// Retry-After extremes and statuses that are none of running, completed or failed.
import * as assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { jobDescription } from '../../src/views/jobDescription';
import { Harness, sleep, hostile, startHarness, stopHarness, type HarnessOptions } from './harness';
import { csvOf, json, zipOf } from './hostileServer';

describe('faults: time', () => {
  let h: Harness;
  const start = async (options: HarnessOptions = {}): Promise<Harness> => (h = await startHarness(options));
  const timers = new Set<NodeJS.Timeout>();
  afterEach(async () => {
    for (const timer of timers) {
      clearInterval(timer);
    }
    timers.clear();
    await stopHarness();
  });

  /** Writes `bytes` every `everyMs` until the client goes away. */
  function trickle(res: ServerResponse, bytes: Buffer, everyMs: number): void {
    const timer = setInterval(() => {
      if (res.destroyed || res.writableEnded) {
        clearInterval(timer);
        return;
      }
      res.write(bytes);
    }, everyMs);
    timers.add(timer);
  }

  hostile(
    'a download whose body stops arriving is aborted after the idle time, retried, then shown as stalled',
    async () => {
      await start({ idleTimeoutMs: 300 });
      const zip = await zipOf([['All_Orders.csv', csvOf(2000)]]);
      h.completesWith(2000).on('download', (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/zip', 'Content-Length': String(zip.length) });
        res.write(zip.subarray(0, zip.length / 2)); // and then nothing, connection left open
      });
      const job = await h.createAndSettle();
      await h.assertFailedCleanly(job, /download stalled \(no data for/);
      assert.equal(h.server.hits('download'), 2, 'retried once (attempts: 2)');
    },
  );

  hostile('a stalled first attempt is retried with back-off and the second, good one is ready', async () => {
    await start({ idleTimeoutMs: 300 });
    const zip = await zipOf([['All_Orders.csv', csvOf(2000)]]);
    h.completesWith(2000).on('download', (_req, res, hit) => {
      res.writeHead(200, { 'Content-Type': 'application/zip', 'Content-Length': String(zip.length) });
      if (hit.n === 1) {
        res.write(zip.subarray(0, 100));
      } else {
        res.end(zip);
      }
    });
    const job = await h.createAndSettle();
    assert.equal(job.download, 'ready', job.lastError?.message);
    assert.equal(job.result?.records, 2000);
    assert.equal(h.server.hits('download'), 2);
  });

  hostile(
    'a body trickling below the minimum rate (50 bytes/s) is aborted although bytes keep coming',
    async () => {
      await start({ idleTimeoutMs: 300 });
      h.completesWith(2000).on('download', (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/zip' });
        res.write('PK\x03\x04');
        trickle(res, Buffer.from('x'), 20);
      });
      const job = await h.createAndSettle();
      await h.assertFailedCleanly(job, /stalled \(\d+ bytes\/s, below 1024 bytes\/s\)/);
    },
  );

  hostile(
    'a lying Content-Length (twice the bytes sent, then the connection closes) is a cut-off download, retried',
    async () => {
      await start();
      const zip = await zipOf([['All_Orders.csv', csvOf(500)]]);
      h.completesWith(500).on('download', (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/zip', 'Content-Length': String(zip.length * 2) });
        res.write(zip, () => res.socket?.end());
      });
      const job = await h.createAndSettle();
      await h.assertFailedCleanly(job, /cut off/);
      assert.equal(h.server.hits('download'), 2);
    },
  );

  hostile(
    'a status request that never answers meets its total deadline; the job is kept and retried later',
    async () => {
      await start({ timeoutMs: 300 });
      h.completesWith(1).on('status', () => undefined /* never answers */);
      const created = await h.create();
      assert.ok(created);
      const job = await h.until(created.key, (j) => !!j.lastError, 'the deadline', 4000);
      assert.match(job.lastError?.message ?? '', /did not answer within 1 s/);
      assert.equal(job.state, 'running');
    },
  );

  hostile(
    'a status answer dribbled a byte at a time (defeating a socket timeout) meets the deadline too',
    async () => {
      await start({ timeoutMs: 300 });
      h.completesWith(1).on('status', (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        trickle(res, Buffer.from(' '), 20);
      });
      const created = await h.create();
      assert.ok(created);
      const job = await h.until(created.key, (j) => !!j.lastError, 'the deadline', 4000);
      assert.match(job.lastError?.message ?? '', /did not answer within/);
    },
  );

  hostile(
    'a create request that never answers fails with a clear message, is not repeated, and tracks nothing',
    async () => {
      await start({ timeoutMs: 300 });
      h.on('create', () => undefined);
      assert.equal(await h.create(), undefined);
      assert.match(h.userErrors.join('\n'), /did not answer within 1 s/);
      assert.equal(h.server.hits('create'), 1, 'a POST is never repeated: it could create a second job');
      assert.deepEqual(h.service.jobs(), []);
    },
  );

  hostile(
    'an error answer to a download whose body dribbles forever is read only until the deadline',
    async () => {
      await start({ timeoutMs: 300 });
      h.completesWith(1).on('download', (_req, res) => {
        res.writeHead(503, { 'Content-Type': 'application/json' });
        res.write('{"code":9999,"message":"busy');
        trickle(res, Buffer.from('.'), 20);
      });
      const job = await h.createAndSettle();
      await h.assertFailedCleanly(job, /HTTP 503/);
    },
  );

  hostile(
    "a user's cancel stops a download the automatic download had started, and leaves nothing",
    async () => {
      await start({ idleTimeoutMs: 2000 });
      let closed = false;
      h.completesWith(2000).on('download', (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/zip' });
        res.write('PK\x03\x04');
        res.on('close', () => (closed = true));
        trickle(res, Buffer.alloc(2048, 0x41), 10); // fast enough never to look stalled
      });
      const created = await h.create();
      assert.ok(created);
      await h.until(created.key, (j) => j.download === 'downloading', 'the automatic download to start');
      await sleep(50);
      const controller = new AbortController();
      const userDownload = h.service.ensureResult(created.key, { signal: controller.signal });
      controller.abort();
      await assert.rejects(userDownload, /cancelled/);
      const job = await h.until(created.key, (j) => j.download === 'failed', 'the download to stop');
      assert.equal(job.lastError?.kind, 'cancelled');
      assert.deepEqual(await h.files(), [], 'nothing partial remains');
      for (let waited = 0; !closed && waited < 2000; waited += 10) {
        await sleep(10);
      }
      assert.ok(closed, 'the connection to the server was closed');
      assert.equal(h.server.hits('download'), 1, 'and not retried');
    },
  );

  hostile(
    'Retry-After of 99999999999 s pauses the account for 24 hours, not a timer overflow into a tight loop',
    async () => {
      await start();
      h.completesWith(1).on('status', (_req, res) =>
        json(res, 429, { code: 2955, message: 'Too many requests' }, { 'Retry-After': '99999999999' }),
      );
      const created = await h.create();
      assert.ok(created);
      await h.until(
        created.key,
        (j) => !!j.lastPolledAt && h.server.hits('status') > 0,
        'the throttled poll',
      );
      await sleep(300);
      assert.equal(h.server.hits('status'), 1, 'no further status call while paused');
      const [pause] = h.service.pauses();
      assert.ok(pause, 'the account is paused');
      const hours = (pause.until - Date.now()) / 3_600_000;
      assert.ok(hours > 23.9 && hours <= 24, `paused for ${hours} h`);
    },
  );

  hostile('Retry-After of 0 (or a date in the past) still waits at least a second', async () => {
    await start();
    h.completesWith(1).on('status', (_req, res, hit) =>
      json(res, 429, { code: 2955 }, { 'Retry-After': hit.n === 1 ? '0' : 'Wed, 21 Oct 2015 07:28:00 GMT' }),
    );
    const created = await h.create();
    assert.ok(created);
    await sleep(500);
    assert.equal(h.server.hits('status'), 1, 'not hammered');
    assert.ok((h.service.pauses()[0]?.until ?? 0) - Date.now() > 400);
  });

  for (const [label, answer] of [
    [
      "Zoho's 400 Access Denied (too many requests)",
      (res: ServerResponse) =>
        json(res, 400, {
          error: 'Access Denied',
          error_description:
            'You have made too many requests continuously. Please try again after some time.',
        }),
    ],
    ['HTTP 429 with Retry-After: 120', (res: ServerResponse) => json(res, 429, {}, { 'Retry-After': '120' })],
  ] as const) {
    hostile(
      `the accounts server's ${label} is a pause that says when it lifts, and is not asked again before`,
      async () => {
        await start({ auth: 'refresh' });
        h.on('token', (_req, res) => answer(res));
        h.completesWith(1);
        const waitMs = label.includes('429') ? 120_000 : 10 * 60_000;
        const hhmm = (at: number): string =>
          [new Date(at + waitMs).getHours(), new Date(at + waitMs).getMinutes()]
            .map((n) => String(n).padStart(2, '0'))
            .join(':');
        const before = hhmm(Date.now());
        assert.equal(await h.create(), undefined);
        // The minute may turn during the request: either side of it is right.
        assert.match(
          h.userErrors.join('\n'),
          new RegExp(`too many.*pause until (${before}|${hhmm(Date.now())})`, 'i'),
        );
        assert.doesNotMatch(h.userErrors.join('\n'), /sign in again|client secret/i, 'not a failed sign-in');
        assert.equal(await h.create(), undefined);
        assert.equal(h.server.hits('token'), 1, 'the block is not asked about again');
        assert.equal(h.server.hits('create'), 0);
      },
    );
  }

  /** Waits until the server has answered `n` status requests in all (polled every 10 ms). */
  async function statusHits(n: number): Promise<void> {
    for (const deadline = Date.now() + 5000; h.server.hits('status') < n; await sleep(10)) {
      assert.ok(Date.now() < deadline, `timed out waiting for ${n} status checks`);
    }
  }

  for (const [label, status, shown] of [
    ['"Cancelled"', 'Cancelled', 'Zoho status "Cancelled"'],
    ['"Paused for review" (never seen)', 'Paused for review', 'Zoho status "Paused for review"'],
    ['no status at all', undefined, 'no status from Zoho'],
  ] as const) {
    hostile(
      `a status of ${label} is shown as what it is, still checked, never downloaded nor called failed`,
      async () => {
        await start();
        h.completesWith(1).on('status', (_req, res, hit) =>
          json(res, 200, {
            code: 3000,
            details: { id: hit.jobId, ...(status ? { status } : {}), result: { count: 1 } },
          }),
        );
        const created = await h.create();
        assert.ok(created);
        const job = await h.until(created.key, (j) => j.state === 'unknown', 'the odd status');
        assert.equal(job.details?.status, status ?? '');
        assert.match(jobDescription(job, Date.now()), new RegExp(`^${shown}`));
        await statusHits(h.server.hits('status') + 2); // checked on, at the slowest pace
        const now = h.service.get(created.key);
        assert.equal(now?.state, 'unknown', 'not called failed');
        assert.equal(now?.download, 'none');
        assert.equal(h.server.hits('download'), 0, 'never downloaded');
        assert.match(h.logger.lines.join('\n'), /neither running, completed nor failed/);
      },
    );
  }

  hostile(
    'a job Zoho calls "Initiated" is running: checked until it completes, then downloaded',
    async () => {
      await start();
      h.on('create', (_req, res) =>
        json(res, 200, {
          code: 3000,
          details: { id: '2000000018003', operation: 'read', status: 'Initiated' },
        }),
      );
      h.on('status', (_req, res, hit) =>
        json(res, 200, {
          code: 3000,
          details:
            hit.n <= 3
              ? { id: hit.jobId, status: hit.n === 1 ? 'Initiated' : 'INITIATED' }
              : { id: hit.jobId, status: 'Completed', result: { count: 3 } },
        }),
      );
      h.on('download', async (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/zip' });
        res.end(await zipOf([['All_Orders.csv', csvOf(3)]]));
      });
      const created = await h.create();
      assert.ok(created);
      assert.equal(created.state, 'running');
      const job = await h.until(created.key, (j) => j.download === 'ready', 'the download');
      assert.equal(job.state, 'completed');
      assert.equal(job.result?.records, 3);
      assert.equal(h.server.hits('status'), 4);
    },
  );

  hostile('a job shown with an odd status that then completes is announced and downloaded', async () => {
    await start();
    let answer = 'Cancelled';
    h.completesWith(3).on('status', (_req, res, hit) =>
      json(res, 200, {
        code: 3000,
        details: {
          id: hit.jobId,
          status: answer,
          ...(answer === 'Completed' ? { result: { count: 3 } } : {}),
        },
      }),
    );
    h.on('download', async (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/zip' });
      res.end(await zipOf([['All_Orders.csv', csvOf(3)]]));
    });
    const created = await h.create();
    assert.ok(created);
    await h.until(created.key, (j) => j.state === 'unknown', 'the odd status');
    // A Refresh during a poll in flight joins that poll, which may still see 'Cancelled': then the
    // next automatic check (the job is still checked) sees the end.
    answer = 'Completed';
    const finished = new Promise((resolve) => h.service.onDidFinishJob(resolve));
    await h.service.refresh(created.key);
    await finished;
    const job = await h.until(created.key, (j) => j.download === 'ready', 'the download');
    assert.equal(job.result?.records, 3);
  });
});
