// Request dispatch: URL families A and B, meta APIs, the token endpoint, and the order of checks
// (record -> injected fault -> token & scope -> daily limit -> owner/app/report -> throttle -> handler).
import { DEFAULT_DATE_FORMAT } from '../../src/zoho/dateFormat';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RecordedRequest, Route, SimulatorSwitches } from './api';
import type { AuthStore } from './auth';
import type { SimClock } from './clock';
import type { AppDef, ReportDef } from './data';
import { sendDownload, sendEmptyResult } from './download';
import type { FaultQueue } from './faults';
import { HttpError, readBody, sendError, sendJson } from './http';
import type { JobStore } from './jobs';
import type { Limits } from './limits';

export interface SimContext {
  url: string;
  clock: SimClock;
  switches: SimulatorSwitches;
  auth: AuthStore;
  jobs: JobStore;
  limits: Limits;
  faults: FaultQueue;
  catalog: AppDef[];
  requests: RecordedRequest[];
}

type Family = 'A' | 'B';

interface Match {
  route: Exclude<Route, 'any'>;
  family: Family;
  owner?: string;
  app?: string;
  report?: string;
  jobId?: string;
}

const SCOPES: Record<Exclude<Route, 'any' | 'token'>, string> = {
  create: 'ZohoCreator.bulk.CREATE',
  status: 'ZohoCreator.bulk.READ',
  download: 'ZohoCreator.bulk.READ',
  applications: 'ZohoCreator.dashboard.READ',
  reports: 'ZohoCreator.meta.application.READ',
};

export function matchRoute(method: string, pathname: string): Match | undefined {
  let s: string[];
  try {
    s = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return undefined;
  }
  const get = method === 'GET';
  if (method === 'POST' && s.join('/') === 'oauth/v2/token') {
    return { route: 'token', family: 'B' };
  }
  let family: Family | undefined;
  if (s[0] === 'creator' && s[1] === 'v2.1' && s[2] === 'bulk') {
    family = 'B';
  } else if (s[0] === 'api' && s[1] === 'bulk' && s[2] === 'v2.1') {
    family = 'A';
  }
  if (family && s.length >= 8 && s[5] === 'report' && s[7] === 'read') {
    const base = { family, owner: s[3], app: s[4], report: s[6] };
    const rest = s.slice(8);
    if (rest.length === 0 && method === 'POST') {
      return { ...base, route: 'create' };
    }
    if (rest.length === 1 && get) {
      return { ...base, route: 'status', jobId: rest[0] };
    }
    if (rest.length === 2 && rest[1] === 'result' && get) {
      return { ...base, route: 'download', jobId: rest[0] };
    }
    return undefined;
  }
  if (!get) {
    return undefined;
  }
  if (s[0] === 'creator' && s[1] === 'v2.1' && s[2] === 'meta') {
    if (s.length === 4 && s[3] === 'applications') {
      return { route: 'applications', family: 'B' };
    }
    if (s.length === 6 && s[5] === 'reports') {
      return { route: 'reports', family: 'B', owner: s[3], app: s[4] };
    }
  }
  if (s[0] === 'api' && s[1] === 'v2.1') {
    if (s.length === 4 && s[3] === 'applications') {
      return { route: 'applications', family: 'A', owner: s[2] };
    }
    if (s.length === 5 && s[4] === 'reports') {
      return { route: 'reports', family: 'A', owner: s[2], app: s[3] };
    }
  }
  return undefined;
}

export async function handle(ctx: SimContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', ctx.url);
  const match = matchRoute(method, url.pathname);
  const body = await readBody(req);
  ctx.requests.push({
    method,
    path: req.url ?? '/',
    authorization: req.headers.authorization,
    body: match?.route === 'download' ? undefined : body,
    at: ctx.clock.now(),
  });
  try {
    if (!match) {
      throw new HttpError(404, 1000, 'Invalid API URL');
    }
    const fault = ctx.faults.take(match.route);
    if (fault) {
      const headers: Record<string, string> =
        fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) };
      sendError(res, fault.httpStatus, fault.code, fault.text ?? 'Injected fault', fault.textField, headers);
      return;
    }
    if (match.route === 'token') {
      const params = new URLSearchParams(url.search);
      for (const [key, value] of new URLSearchParams(body)) {
        params.set(key, value);
      }
      const answer = ctx.auth.token(params, ctx.url);
      sendJson(res, answer.status, answer.body);
      return;
    }
    ctx.auth.authorize(req.headers.authorization, SCOPES[match.route]);
    ctx.limits.countDailyCall();
    handleCreator(ctx, match, body, res);
  } catch (error) {
    if (error instanceof HttpError) {
      sendError(res, error.status, error.code, error.message, error.textField, error.headers);
    } else {
      console.error('simulator: unexpected error', error);
      sendError(res, 500, 9000, 'Internal simulator error.');
    }
  }
}

function handleCreator(ctx: SimContext, match: Match, body: string, res: ServerResponse): void {
  if (match.route === 'applications') {
    if (match.owner !== undefined) {
      findOwner(ctx, match.owner);
    }
    sendJson(res, 200, { code: 3000, applications: ctx.catalog.map(applicationJson) });
    return;
  }
  const app = findApp(ctx, match.owner ?? '', match.app ?? '');
  if (match.route === 'reports') {
    const reports = app.reports.map((r) => ({
      display_name: r.display_name,
      link_name: r.link_name,
      type: r.type,
    }));
    sendJson(res, 200, { code: 3000, reports });
    return;
  }
  const report = findReport(app, match.report ?? '');
  const origin = ctx.switches.downloadUrlOrigin?.replace(/\/+$/, '');
  if (match.route === 'create') {
    ctx.limits.throttle('create', app.owner);
    const job = ctx.jobs.create(app, report, parseJson(body));
    ctx.limits.count('create', app.owner); // only now: refused creates do not count
    sendJson(res, 200, { code: 3000, details: ctx.jobs.details(job, match.family, origin) });
    return;
  }
  const job = ctx.jobs.find(match.jobId ?? '', app, report);
  if (match.route === 'status') {
    sendJson(res, 200, { code: 3000, details: ctx.jobs.details(job, match.family, origin) });
    return;
  }
  const state = ctx.jobs.state(job);
  if (state === 'running') {
    throw new HttpError(400, 7121, `Bulk read job ${job.id} is not completed yet; poll its status first.`);
  }
  if (state === 'failed') {
    throw new HttpError(400, 7122, `Bulk read job ${job.id} failed; it has no result to download.`);
  }
  if (ctx.jobs.resultExpired(job)) {
    throw new HttpError(
      404,
      7120,
      `The result of bulk read job ${job.id} has expired (results are kept 24 hours).`,
    );
  }
  ctx.limits.throttle('download', app.owner);
  ctx.limits.count('download', app.owner);
  if (job.count === 0 && ctx.switches.emptyResult !== 'headerOnly') {
    sendEmptyResult(res, ctx.switches.emptyResult);
    return;
  }
  sendDownload(
    res,
    {
      report: report.link_name,
      jobId: job.id,
      header: job.fields.map((c) => report.columns[c]),
      rows: ctx.jobs.rows(job),
      mtime: job.completesAt,
      cursor: job.cursor,
    },
    ctx.switches,
  );
}

function parseJson(body: string): unknown {
  if (body.trim() === '') {
    throw new HttpError(400, 3020, 'The request body is missing: send at least {"query":{}}.');
  }
  try {
    return JSON.parse(body);
  } catch {
    throw new HttpError(400, 3020, 'The request body is not valid JSON.');
  }
}

function applicationJson(app: AppDef): Record<string, unknown> {
  return {
    application_name: app.application_name,
    link_name: app.link_name,
    workspace_name: app.workspace_name,
    category: app.category,
    date_format: app.date_format ?? DEFAULT_DATE_FORMAT,
    time_zone: 'UTC',
    created_by: app.owner,
    creation_date: app.creation_date,
  };
}

function findOwner(ctx: SimContext, owner: string): void {
  if (!ctx.catalog.some((a) => a.owner === owner)) {
    throw new HttpError(404, 1040, `No account owner named ${owner}.`);
  }
}

function findApp(ctx: SimContext, owner: string, link: string): AppDef {
  findOwner(ctx, owner);
  const app = ctx.catalog.find((a) => a.owner === owner && a.link_name === link);
  if (!app) {
    throw new HttpError(404, 2892, `No application named ${link} for owner ${owner}.`);
  }
  return app;
}

function findReport(app: AppDef, link: string): ReportDef {
  const report = app.reports.find((r) => r.link_name === link);
  if (!report) {
    throw new HttpError(404, 2894, `No report named ${link} in application ${app.link_name}.`);
  }
  return report;
}
