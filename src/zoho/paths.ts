// Request paths of both URL families (docs/zoho-bulk-read-api.md, "Hosts, paths and data centres" and "Metadata for pickers"). Every segment is validated and
// URI-encoded so that user input can never change the shape of a path.
import { ZohoError } from './errors';
import type { ReportRef, UrlFamily } from './types';

const LINK_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const JOB_ID = /^[0-9]{1,40}$/;

/** Owner, app and report link names: letters, digits, `_`, `.`, `-`; not starting with `.` or `-`. */
export function isValidLinkName(value: string): boolean {
  return value.length <= 200 && LINK_NAME.test(value);
}

/** Bulk job ids are digit strings (e.g. 2000000018003). */
export function isValidJobId(value: string): boolean {
  return JOB_ID.test(value);
}

function segment(value: string, what: string): string {
  if (typeof value !== 'string' || !isValidLinkName(value)) {
    throw new ZohoError({
      kind: 'badRequest',
      message: `"${String(value)}" is not a valid ${what}: use letters, digits, "_", "." and "-" only.`,
    });
  }
  return encodeURIComponent(value);
}

function jobSegment(jobId: string): string {
  if (typeof jobId !== 'string' || !isValidJobId(jobId)) {
    throw new ZohoError({
      kind: 'badRequest',
      message: `"${String(jobId)}" is not a valid job id: it must be digits only.`,
    });
  }
  return jobId;
}

/** POST target that creates a bulk read job. */
export function bulkReadPath(family: UrlFamily, ref: ReportRef): string {
  const tail = `${segment(ref.owner, 'owner name')}/${segment(ref.app, 'application link name')}/report/${segment(ref.report, 'report link name')}/read`;
  return family === 'A' ? `/api/bulk/v2.1/${tail}` : `/creator/v2.1/bulk/${tail}`;
}

export function jobStatusPath(family: UrlFamily, ref: ReportRef, jobId: string): string {
  return `${bulkReadPath(family, ref)}/${jobSegment(jobId)}`;
}

export function jobResultPath(family: UrlFamily, ref: ReportRef, jobId: string): string {
  return `${jobStatusPath(family, ref, jobId)}/result`;
}

/** Family B lists every app the token sees; family A lists the apps of one owner. */
export function applicationsPath(family: UrlFamily, owner: string): string {
  return family === 'A'
    ? `/api/v2.1/${segment(owner, 'owner name')}/applications`
    : '/creator/v2.1/meta/applications';
}

export function reportsPath(family: UrlFamily, owner: string, app: string): string {
  const tail = `${segment(owner, 'owner name')}/${segment(app, 'application link name')}/reports`;
  return family === 'A' ? `/api/v2.1/${tail}` : `/creator/v2.1/meta/${tail}`;
}
