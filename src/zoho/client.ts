// BulkReadClient: the Bulk Read API of one account (docs/zoho-bulk-read-api.md, "Creating a job" to
// "Metadata for pickers"). Each call names its path and reads its answer; sending (deadlines, token
// refresh, backoff) is ./transport.ts, the result download ./resultDownload.ts, the create body
// ./createBody.ts.
import type { BulkReadApi, DownloadOptions } from './api';
import { buildCreateBody } from './createBody';
import { ZohoError, isZohoError } from './errors';
import { applicationsPath, bulkReadPath, jobStatusPath, reportsPath } from './paths';
import { downloadResult } from './resultDownload';
import { parseJobDetails } from './status';
import { Transport, type TransportOptions } from './transport';
import type { Application, CreateJobQuery, DownloadOutcome, JobDetails, Report, ReportRef } from './types';

export type BulkReadClientOptions = TransportOptions;

export class BulkReadClient implements BulkReadApi {
  readonly apiBase: string;
  private readonly transport: Transport;

  constructor(private readonly options: BulkReadClientOptions) {
    this.transport = new Transport(options);
    this.apiBase = this.transport.apiBase;
  }

  async createJob(ref: ReportRef, query: CreateJobQuery): Promise<JobDetails> {
    const body = buildCreateBody(query);
    const data = await this.transport.requestJson({
      method: 'POST',
      path: bulkReadPath(this.transport.family, ref),
      context: { operation: 'create', ref },
      body,
    });
    return this.details(data);
  }

  async getJob(ref: ReportRef, jobId: string): Promise<JobDetails> {
    const data = await this.transport.requestJson({
      method: 'GET',
      path: jobStatusPath(this.transport.family, ref, jobId),
      context: { operation: 'status', ref, jobId },
    });
    const details = this.details(data);
    if (details.id !== jobId) {
      throw new ZohoError({
        kind: 'server',
        message: `Zoho answered about job ${details.id} when asked about job ${jobId}. Try again later.`,
      });
    }
    return details;
  }

  async listApplications(): Promise<Application[]> {
    const data = await this.transport.requestJson({
      method: 'GET',
      path: applicationsPath(this.transport.family, this.options.target.owner),
      context: { operation: 'applications', ref: { owner: this.options.target.owner } },
    });
    return listOf<Application>(data, 'applications');
  }

  async listReports(owner: string, app: string): Promise<Report[]> {
    const data = await this.transport.requestJson({
      method: 'GET',
      path: reportsPath(this.transport.family, owner, app),
      context: { operation: 'reports', ref: { owner, app } },
    });
    return listOf<Report>(data, 'reports');
  }

  downloadResult(
    ref: ReportRef,
    jobId: string,
    destinationPath: string,
    options: DownloadOptions = {},
  ): Promise<DownloadOutcome> {
    return downloadResult(this.transport, ref, jobId, destinationPath, options);
  }

  private details(data: unknown): JobDetails {
    try {
      return parseJobDetails(data, this.transport.tokens.secrets());
    } catch (error) {
      throw isZohoError(error) ? this.transport.masked(error) : error;
    }
  }
}

function listOf<T>(data: unknown, key: string): T[] {
  const value = (data as Record<string, unknown>)[key];
  return Array.isArray(value) ? (value as T[]) : [];
}
