// A server that echoes secrets back: the actual values in use (access token, refresh token,
// client secret, a freshly issued token) never reach the log, the stored state or a message.
// Every test ends with Harness.assertNothingLeaked().
import * as assert from 'node:assert/strict';
import {
  ACCESS_TOKEN,
  CLIENT_SECRET,
  Harness,
  REFRESH_TOKEN,
  hostile,
  startHarness,
  stopHarness,
  type HarnessOptions,
} from './harness';
import { json } from './hostileServer';

describe('faults: secrets', () => {
  let h: Harness;
  const start = async (options: HarnessOptions = {}): Promise<Harness> => (h = await startHarness(options));
  afterEach(async () => {
    await stopHarness();
  });

  /** Creates a job and waits for the poll error the status handler provokes. */
  async function pollError(): Promise<string> {
    const created = await h.create();
    assert.ok(created, h.userErrors.join('\n'));
    const job = await h.until(created.key, (j) => !!j.lastError, 'a poll error');
    return job.lastError?.message ?? '';
  }

  hostile('a bare access token echoed in an error message is masked in lastError and the log', async () => {
    await start();
    h.completesWith(1).on('status', (_req, res) =>
      json(res, 500, { code: 9999, message: `Internal error for ${ACCESS_TOKEN} (please retry)` }),
    );
    const message = await pollError();
    assert.match(message, /Internal error for \*\*\* \(please retry\)/);
  });

  hostile('a token inside a JSON-ish key in the message is masked', async () => {
    await start();
    h.completesWith(1).on('status', (_req, res) =>
      json(res, 400, { code: 3020, description: `bad query {"tok":"${ACCESS_TOKEN}","x":1}` }),
    );
    assert.match(await pollError(), /"tok":"\*\*\*"/);
  });

  hostile('the Authorization header echoed back in a download error is masked', async () => {
    await start();
    h.completesWith(1).on('download', (req, res) =>
      json(res, 403, { code: 2933, message: `Denied for header ${req.headers.authorization}` }),
    );
    const job = await h.createAndSettle();
    await h.assertFailedCleanly(job, /Denied for header Zoho-oauthtoken \*\*\*/);
  });

  hostile(
    'a token echoed in the job details (status, created_by) is masked before it is stored',
    async () => {
      await start();
      h.completesWith(1).on('status', (_req, res, hit) =>
        json(res, 200, {
          code: 3000,
          details: { id: hit.jobId, status: ACCESS_TOKEN, created_by: `me ${ACCESS_TOKEN}` },
        }),
      );
      const created = await h.create();
      assert.ok(created);
      const job = await h.until(created.key, (j) => j.state === 'unknown', 'the echoed status');
      assert.equal(job.details?.status, '***');
      assert.equal(job.details?.created_by, 'me ***');
    },
  );

  hostile(
    'a freshly refreshed access token echoed by the API is masked, as are the refresh token and client secret',
    async () => {
      await start({ auth: 'refresh' });
      let issued = 0;
      h.on('token', (_req, res) => {
        issued++;
        const token = `1000.freshtoken${issued}a9c3e7f2b6d4`;
        h.secrets.add(token);
        json(res, 200, {
          access_token: token,
          api_domain: h.server.url,
          token_type: 'Bearer',
          expires_in: 3600,
        });
      });
      h.completesWith(1).on('status', (req, res, hit) => {
        if (hit.n === 1) {
          json(res, 401, { code: 1030, description: 'Invalid OAuth token' }); // -> refresh once, retry
          return;
        }
        json(res, 500, {
          code: 9999,
          message: `echo ${req.headers.authorization} refresh=${REFRESH_TOKEN} secret ${CLIENT_SECRET} raw ${String(req.headers.authorization).split(' ')[1]}`,
        });
      });
      const message = await pollError();
      assert.equal(issued, 2, 'one token at start, one after the 1030');
      assert.ok(!/freshtoken/.test(message), message);
      assert.match(message, /secret \*\*\* raw \*\*\*/);
    },
  );

  hostile(
    'the accounts server echoing the refresh token and client secret in its error shows neither',
    async () => {
      await start({ auth: 'refresh' });
      h.on('token', (_req, res) =>
        json(res, 400, {
          error: 'Access Denied',
          error_description: `too many requests for ${REFRESH_TOKEN} with ${CLIENT_SECRET}`,
        }),
      );
      h.completesWith(1);
      assert.equal(await h.create(), undefined);
      assert.match(h.userErrors.join('\n'), /too many requests for \*\*\* with \*\*\*/);
    },
  );

  hostile('a token issued inside an error answer of the accounts server is masked too', async () => {
    await start({ auth: 'refresh' });
    h.secrets.add('1000.issuedinerror77f1c2d3e4');
    h.on('token', (_req, res) =>
      json(res, 200, {
        error: 'invalid_client',
        access_token: '1000.issuedinerror77f1c2d3e4',
        error_description: 'here is 1000.issuedinerror77f1c2d3e4 anyway',
      }),
    );
    h.completesWith(1);
    assert.equal(await h.create(), undefined);
    assert.match(h.userErrors.join('\n'), /invalid_client/);
  });
});
