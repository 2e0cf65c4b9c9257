// Bulk read jobs: creation (first batch or from a record cursor), status over simulated time,
// batches planned up front so count and cursor are known, results retained 24 simulated hours.
import { randomBytes } from 'node:crypto';
import { DAY, MINUTE, formatDateTime, type SimClock } from './clock';
import { CriteriaError, parseCriteria, type RowPredicate } from './criteria';
import type { AppDef, ReportDef, RowSource } from './data';
import { HttpError } from './http';
import type { SimulatorSwitches } from './api';

export const CURSOR_LIFETIME_MS = 15 * MINUTE;
export const RESULT_RETENTION_MS = DAY;
const DEFAULT_BATCH = 100000;
/** The live text of 7150 (docs/zoho-bulk-read-api.md, "Error codes"). */
export const UNSUPPORTED_REPORT =
  'Bulk APIs are currently not supported for pivot charts, pivot tables and third-party reports';

export interface Job {
  id: string;
  app: AppDef;
  report: ReportDef;
  /** The rows as they were when the first batch was created (a changing report's later changes do not show). */
  source: RowSource;
  createdAt: number;
  completesAt: number;
  fails: boolean;
  /** Column indices served, in order. */
  fields: number[];
  predicate?: RowPredicate;
  batchSize: number;
  /** Raw row range [startRow, endRow) scanned by this batch; `count` rows of it match. */
  startRow: number;
  endRow: number;
  count: number;
  /** Issued when the job completes, only while matching rows remain after endRow. */
  cursor?: string;
}

export type JobState = 'running' | 'completed' | 'failed';

interface CursorInfo {
  job: Job;
}

export class JobStore {
  private readonly jobs = new Map<string, Job>();
  private readonly cursors = new Map<string, CursorInfo>();
  private nextId = 2000000018003;

  constructor(
    private readonly clock: SimClock,
    private readonly switches: SimulatorSwitches,
  ) {}

  /** Creates a job from a parsed request body; throws HttpError 400 for anything invalid. */
  create(app: AppDef, report: ReportDef, body: unknown): Job {
    if (report.type === 'pivot') {
      throw new HttpError(this.switches.unsupportedReportHttpStatus, 7150, UNSUPPORTED_REPORT);
    }
    const query = readQuery(body);
    if ('record_cursor' in query) {
      return this.fromCursor(app, report, query);
    }
    const fields = resolveFields(report, query.fields);
    const batchSize = resolveBatchSize(query.max_records);
    let predicate: RowPredicate | undefined;
    if (query.criteria !== undefined) {
      if (typeof query.criteria !== 'string') {
        throw new HttpError(400, 3020, 'criteria must be a string.');
      }
      if (query.criteria.trim() !== '') {
        try {
          predicate = parseCriteria(query.criteria, report.columns, app.date_format);
        } catch (error) {
          throw error instanceof CriteriaError ? new HttpError(400, 3020, error.message) : error;
        }
      }
    }
    return this.add(app, report, report.freeze?.() ?? report, fields, predicate, batchSize, 0);
  }

  find(id: string, app: AppDef, report: ReportDef): Job {
    const job = this.jobs.get(id);
    if (!job || job.app !== app || job.report !== report) {
      throw new HttpError(404, 7120, `No bulk read job with id ${id} for report ${report.link_name}.`);
    }
    return job;
  }

  state(job: Job): JobState {
    if (this.clock.now() < job.completesAt) {
      return 'running';
    }
    return job.fails ? 'failed' : 'completed';
  }

  /** The status word as the current profile spells it. */
  statusText(job: Job): string {
    const state = this.state(job);
    const doc = this.switches.statusProfile !== 'sample';
    if (state === 'running') {
      return doc ? 'IN PROGRESS' : 'In-progress';
    }
    if (state === 'failed') {
      return doc ? 'FAILED' : 'Failed';
    }
    return doc ? 'COMPLETED' : 'Completed';
  }

  resultExpired(job: Job): boolean {
    return this.clock.now() >= job.completesAt + RESULT_RETENTION_MS;
  }

  /** Rows of the batch, lazily, restricted to the selected fields. */
  *rows(job: Job): Generator<string[]> {
    for (let i = job.startRow; i < job.endRow; i++) {
      const row = job.source.row(i);
      if (!job.predicate || job.predicate(row)) {
        yield job.fields.map((c) => row[c]);
      }
    }
  }

  private fromCursor(app: AppDef, report: ReportDef, query: Record<string, unknown>): Job {
    const extra = Object.keys(query).filter((k) => k !== 'record_cursor');
    if (extra.length > 0) {
      throw new HttpError(
        400,
        3020,
        `A request with record_cursor must not carry other keys (found: ${extra.join(', ')}).`,
      );
    }
    const cursor = query.record_cursor;
    const info = typeof cursor === 'string' ? this.cursors.get(cursor) : undefined;
    if (!info || info.job.app !== app || info.job.report !== report || this.state(info.job) !== 'completed') {
      throw new HttpError(400, 3020, 'Invalid record_cursor: it was not issued for this report.');
    }
    const prev = info.job;
    if (this.clock.now() >= prev.completesAt + CURSOR_LIFETIME_MS) {
      throw new HttpError(
        400,
        3020,
        'The record_cursor has expired: a cursor must be used within 15 minutes of being issued.',
      );
    }
    return this.add(app, report, prev.source, prev.fields, prev.predicate, prev.batchSize, prev.endRow);
  }

  private add(
    app: AppDef,
    report: ReportDef,
    source: RowSource,
    fields: number[],
    predicate: RowPredicate | undefined,
    batchSize: number,
    startRow: number,
  ): Job {
    const now = this.clock.now();
    const plan = planBatch(source, predicate, batchSize, startRow);
    const job: Job = {
      id: String(this.nextId),
      app,
      report,
      source,
      createdAt: now,
      completesAt: now + Math.max(0, this.switches.jobDurationMs),
      fails: this.switches.failJobs,
      fields,
      predicate,
      batchSize,
      startRow,
      endRow: plan.endRow,
      count: plan.count,
      cursor: plan.hasMore && !this.switches.failJobs ? randomBytes(24).toString('base64url') : undefined,
    };
    this.nextId += 1000;
    this.jobs.set(job.id, job);
    if (job.cursor) {
      this.cursors.set(job.cursor, { job });
    }
    return job;
  }

  /** The `details` object of create and status answers. */
  details(job: Job, family: 'A' | 'B', origin: string | undefined): Record<string, unknown> {
    const details: Record<string, unknown> = {
      id: job.id,
      operation: 'read',
      created_by: job.app.owner,
      created_time: formatDateTime(job.createdAt),
      status: this.statusText(job),
    };
    if (this.state(job) === 'completed') {
      // The status page's prose sample: family A, and a trailing slash.
      const prose = this.switches.statusProfile === 'prose';
      const prefix = family === 'A' || prose ? '/api/bulk/v2.1' : '/creator/v2.1/bulk';
      const path = `${prefix}/${job.app.owner}/${job.app.link_name}/report/${job.report.link_name}/read/${job.id}/result${prose ? '/' : ''}`;
      const result: Record<string, unknown> = { count: job.count, download_url: (origin ?? '') + path };
      if (job.cursor) {
        result.record_cursor = job.cursor;
      }
      details.result = result;
    }
    return details;
  }
}

function readQuery(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 3020, 'The request body must be a JSON object like {"query":{...}}.');
  }
  const query = (body as Record<string, unknown>).query;
  if (query === undefined) {
    return {}; // `{}` is an empty query on the live API (docs/zoho-bulk-read-api.md, "Creating a job")
  }
  if (typeof query !== 'object' || query === null || Array.isArray(query)) {
    throw new HttpError(400, 3020, 'The request body must hold a "query" object.');
  }
  return query as Record<string, unknown>;
}

function resolveFields(report: ReportDef, fields: unknown): number[] {
  if (fields === undefined) {
    return report.columns.map((_, i) => i);
  }
  if (!Array.isArray(fields) || fields.length === 0 || fields.some((f) => typeof f !== 'string')) {
    throw new HttpError(400, 3020, 'fields must be a non-empty array of field link names.');
  }
  return (fields as string[]).map((name) => {
    const index = report.columns.indexOf(name);
    if (index < 0) {
      throw new HttpError(400, 3020, `Unknown field "${name}" in report ${report.link_name}.`);
    }
    return index;
  });
}

function resolveBatchSize(maxRecords: unknown): number {
  if (maxRecords === undefined) {
    return DEFAULT_BATCH;
  }
  if (
    typeof maxRecords !== 'number' ||
    !Number.isInteger(maxRecords) ||
    maxRecords < 100000 ||
    maxRecords > 200000 ||
    maxRecords % 1000 !== 0
  ) {
    throw new HttpError(
      400,
      3020,
      'max_records must be a multiple of 1000 between 100000 and 200000 (default 100000).',
    );
  }
  return maxRecords;
}

/** Scans from startRow until batchSize rows match; O(1) memory, O(rows) time only with criteria. */
function planBatch(
  report: RowSource,
  predicate: RowPredicate | undefined,
  batchSize: number,
  startRow: number,
): { endRow: number; count: number; hasMore: boolean } {
  const total = report.rowCount;
  if (!predicate) {
    const count = Math.max(0, Math.min(batchSize, total - startRow));
    return { endRow: startRow + count, count, hasMore: startRow + count < total };
  }
  let count = 0;
  let i = startRow;
  for (; i < total && count < batchSize; i++) {
    if (predicate(report.row(i))) {
      count++;
    }
  }
  let hasMore = false;
  for (let j = i; j < total && !hasMore; j++) {
    hasMore = predicate(report.row(j));
  }
  return { endRow: i, count, hasMore };
}
