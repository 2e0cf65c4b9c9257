import * as assert from 'node:assert/strict';
import { buildCreateBody } from '../../../src/zoho/createBody';
import { DATA_CENTRES, resolveEndpoints } from '../../../src/zoho/dataCentres';
import { classifyResponse, parseRetryAfter } from '../../../src/zoho/errorMapping';
import { isZohoError } from '../../../src/zoho/errors';
import {
  applicationsPath,
  bulkReadPath,
  isValidJobId,
  isValidLinkName,
  jobResultPath,
  jobStatusPath,
  reportsPath,
} from '../../../src/zoho/paths';
import { redact } from '../../../src/zoho/redact';
import { normalizeStatus, parseJobDetails } from '../../../src/zoho/status';
import type { AccountTarget } from '../../../src/zoho/types';

const ref = { owner: 'demo', app: 'zylker-store', report: 'All_Orders' };

function target(partial: Partial<AccountTarget>): AccountTarget {
  return { dataCentre: 'US', family: 'B', owner: 'demo', ...partial };
}

describe('zoho data centres', () => {
  it('maps every DC to its hosts for both families', () => {
    assert.deepEqual(resolveEndpoints(target({ dataCentre: 'EU' })), {
      apiBase: 'https://www.zohoapis.eu',
      accountsBase: 'https://accounts.zoho.eu',
    });
    assert.equal(
      resolveEndpoints(target({ dataCentre: 'AU', family: 'A' })).apiBase,
      'https://creator.zoho.com.au',
    );
    assert.equal(
      resolveEndpoints(target({ dataCentre: 'CA' })).accountsBase,
      'https://accounts.zohocloud.ca',
    );
    assert.equal(Object.keys(DATA_CENTRES).length, 9);
  });

  it('refuses family A where Zoho has no creator host', () => {
    for (const dataCentre of ['CA', 'SA', 'UK'] as const) {
      assert.throws(
        () => resolveEndpoints(target({ dataCentre, family: 'A' })),
        (e) => isZohoError(e, 'badRequest'),
      );
    }
  });

  it('accepts https custom hosts and plain http only on loopback', () => {
    assert.deepEqual(
      resolveEndpoints(target({ dataCentre: 'custom', customHost: 'http://127.0.0.1:8780/' })),
      {
        apiBase: 'http://127.0.0.1:8780',
        accountsBase: 'http://127.0.0.1:8780',
      },
    );
    assert.equal(
      resolveEndpoints(
        target({
          dataCentre: 'custom',
          customHost: 'https://creator.example.com',
          customAccountsHost: 'https://id.example.com',
        }),
      ).accountsBase,
      'https://id.example.com',
    );
    assert.ok(resolveEndpoints(target({ dataCentre: 'custom', customHost: 'http://localhost:1' })));
    assert.ok(resolveEndpoints(target({ dataCentre: 'custom', customHost: 'http://[::1]:1' })));
    for (const customHost of [
      'http://creator.example.com',
      'ftp://127.0.0.1',
      'not a url',
      'http://128.0.0.1',
    ]) {
      assert.throws(
        () => resolveEndpoints(target({ dataCentre: 'custom', customHost })),
        (e) => isZohoError(e, 'badRequest'),
        customHost,
      );
    }
    assert.throws(
      () => resolveEndpoints(target({ dataCentre: 'custom' })),
      (e) => isZohoError(e, 'badRequest'),
    );
  });
});

describe('zoho paths', () => {
  it('builds bulk and meta paths of both families', () => {
    assert.equal(bulkReadPath('B', ref), '/creator/v2.1/bulk/demo/zylker-store/report/All_Orders/read');
    assert.equal(bulkReadPath('A', ref), '/api/bulk/v2.1/demo/zylker-store/report/All_Orders/read');
    assert.equal(
      jobStatusPath('B', ref, '2000000018003'),
      '/creator/v2.1/bulk/demo/zylker-store/report/All_Orders/read/2000000018003',
    );
    assert.equal(
      jobResultPath('A', ref, '12'),
      '/api/bulk/v2.1/demo/zylker-store/report/All_Orders/read/12/result',
    );
    assert.equal(applicationsPath('B', 'demo'), '/creator/v2.1/meta/applications');
    assert.equal(applicationsPath('A', 'demo'), '/api/v2.1/demo/applications');
    assert.equal(reportsPath('B', 'demo', 'app_1'), '/creator/v2.1/meta/demo/app_1/reports');
    assert.equal(reportsPath('A', 'demo', 'app_1'), '/api/v2.1/demo/app_1/reports');
  });

  it('rejects names and job ids that could change the path', () => {
    for (const bad of ['', '..', '../x', 'a/b', 'a b', 'a?b', '-a', '.a', 'a%2F']) {
      assert.equal(isValidLinkName(bad), false, bad);
      assert.throws(
        () => bulkReadPath('B', { ...ref, report: bad }),
        (e) => isZohoError(e, 'badRequest'),
      );
    }
    assert.ok(isValidLinkName('Sales_2024.v2-final'));
    assert.ok(isValidJobId('2000000018003'));
    for (const bad of ['', '12a', '1/2', ' 12', '-1']) {
      assert.equal(isValidJobId(bad), false, bad);
      assert.throws(
        () => jobStatusPath('B', ref, bad),
        (e) => isZohoError(e, 'badRequest'),
      );
    }
  });
});

describe('zoho status', () => {
  it('normalises both spelling profiles', () => {
    for (const raw of [
      'In-progress',
      'IN PROGRESS',
      'in_progress',
      'Queued',
      'Scheduled',
      'Initiated',
      'INITIATED',
      'Submitted',
      'processing',
    ]) {
      assert.equal(normalizeStatus(raw), 'running', raw);
    }
    for (const raw of ['', 'Cancelled', 'Deleted', 'Paused?']) {
      assert.equal(normalizeStatus(raw), 'unknown', raw);
    }
    for (const raw of ['Completed', 'COMPLETED', ' completed ']) {
      assert.equal(normalizeStatus(raw), 'completed', raw);
    }
    for (const raw of ['Failed', 'FAILED', 'Error']) {
      assert.equal(normalizeStatus(raw), 'failed', raw);
    }
  });

  it('parses details, keeping ids as strings', () => {
    const job = parseJobDetails({
      code: 3000,
      details: {
        id: 2000000018003,
        operation: 'read',
        status: 'Completed',
        result: { count: 14567, download_url: '/x/read/2000000018003/result', record_cursor: 'abc' },
      },
    });
    assert.equal(job.id, '2000000018003');
    assert.equal(job.state, 'completed');
    assert.deepEqual(job.result, {
      count: 14567,
      download_url: '/x/read/2000000018003/result',
      record_cursor: 'abc',
    });
    assert.throws(
      () => parseJobDetails({ code: 3000 }),
      (e) => isZohoError(e, 'server'),
    );
  });
});

describe('zoho create body', () => {
  it('sends at least {"query":{}} and a cursor alone', () => {
    assert.deepEqual(buildCreateBody({}), { query: {} });
    assert.deepEqual(buildCreateBody({ fields: ['Email'], criteria: 'Number==1', max_records: 150000 }), {
      query: { fields: ['Email'], criteria: 'Number==1', max_records: 150000 },
    });
    const withExtra = { record_cursor: 'c1', fields: ['Email'] } as unknown as { record_cursor: string };
    assert.deepEqual(buildCreateBody(withExtra), { query: { record_cursor: 'c1' } });
  });

  it('validates max_records locally', () => {
    for (const max of [99000, 200001, 150500, 250000, 1.5]) {
      assert.throws(
        () => buildCreateBody({ max_records: max }),
        (e) => isZohoError(e, 'badRequest'),
        String(max),
      );
    }
    for (const max of [100000, 200000, 123000]) {
      assert.doesNotThrow(() => buildCreateBody({ max_records: max }));
    }
  });
});

describe('zoho error mapping (answers)', () => {
  const ctx = { operation: 'status' as const, ref, jobId: '1', now: Date.UTC(2026, 0, 1, 12, 0, 0) };

  it('classifies Zoho codes into kinds', () => {
    const cases: Array<[number, number | undefined, string]> = [
      [401, 1030, 'authExpired'],
      [401, 2945, 'missingScope'],
      [403, 2945, 'missingScope'],
      [404, 1040, 'notFound'],
      [404, 2892, 'notFound'],
      [404, 2894, 'notFound'],
      [404, 1000, 'notFound'],
      [400, 7120, 'notFound'],
      [400, 7130, 'notFound'],
      [403, 2933, 'forbidden'],
      [403, 1060, 'forbidden'],
      [403, 1080, 'forbidden'],
      [403, 1130, 'forbidden'],
      [400, 7150, 'unsupportedReport'],
      [400, 3020, 'badRequest'],
      [429, 2955, 'rateLimited'],
      [200, 4000, 'dailyLimit'],
      [500, undefined, 'server'],
      [200, 9999, 'server'],
    ];
    for (const [status, code, kind] of cases) {
      const error = classifyResponse({ status, data: { code, message: 'x' } }, ctx);
      assert.equal(error?.kind, kind, `${status}/${code}`);
    }
    assert.equal(classifyResponse({ status: 200, data: { code: 3000 } }, ctx), undefined);
  });

  it('names the scope of the operation and reads description text', () => {
    const error = classifyResponse(
      { status: 403, data: { code: 2945, description: 'Invalid OAuth scope' } },
      { ...ctx, operation: 'create' },
    );
    assert.equal(error?.scope, 'ZohoCreator.bulk.CREATE');
    assert.match(error!.message, /Invalid OAuth scope\. Add the scope ZohoCreator\.bulk\.CREATE/);
    const expired = classifyResponse(
      { status: 401, data: { code: 1030, description: 'Invalid OAuth token.' } },
      ctx,
    );
    assert.equal(expired?.serverMessage, 'Invalid OAuth token.');
    assert.match(expired!.message, /Sign in again/);
  });

  it('honours Retry-After as seconds or an HTTP date, else waits 60 s', () => {
    const seconds = classifyResponse(
      { status: 429, headers: { 'retry-after': '30' }, data: { code: 2955 } },
      ctx,
    );
    assert.equal(seconds?.retryAfterMs, 30_000);
    const date = new Date(ctx.now + 120_000).toUTCString();
    assert.equal(parseRetryAfter(date, ctx.now), 120_000);
    const none = classifyResponse({ status: 429, data: { code: 2955 } }, ctx);
    assert.equal(none?.retryAfterMs, 60_000);
    assert.match(none!.message, /Try again after \d\d:\d\d/);
  });
});

describe('zoho redact', () => {
  it('masks tokens, secrets and codes', () => {
    const text = redact(
      'Authorization: Zoho-oauthtoken 1000.secret.tok ?refresh_token=1000.rt&client_secret=cs1&code=1000.gc {"access_token":"1000.at","code":3000}',
    );
    for (const secret of ['1000.secret.tok', '1000.rt', 'cs1', '1000.gc', '1000.at']) {
      assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
    }
    assert.ok(text.includes('"code":3000'));
  });
});
