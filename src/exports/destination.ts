// Where an export writes its merged CSV: a workspace-relative template with placeholders, e.g. the
// default `exports/{report}_{date}.csv` (setting creatorBulkJobs.exportFile).
import * as path from 'node:path';
import type { ReportRef } from '../zoho/types';

export const DEFAULT_EXPORT_FILE = 'exports/{report}_{date}.csv';
export const PLACEHOLDERS = ['{report}', '{app}', '{date}', '{time}'] as const;

const pad = (n: number): string => String(n).padStart(2, '0');

/** Keeps a value usable as part of a file name on every file system. */
function safe(value: string): string {
  return value.replace(/[^A-Za-z0-9._-]+/g, '_') || '_';
}

/** `{report}`, `{app}`, `{date}` (2026-11-30) and `{time}` (140501, local) filled in. */
export function expandDestination(template: string, ref: ReportRef, now: Date): string {
  const date = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  const time = `${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  return template
    .replace(/\{report\}/g, safe(ref.report))
    .replace(/\{app\}/g, safe(ref.app))
    .replace(/\{date\}/g, date)
    .replace(/\{time\}/g, time);
}

/** The path's segments when it stays inside the folder it is relative to, else why not. */
export function relativeSegments(value: string): string[] | string {
  const normalised = path.posix.normalize(value.trim().replace(/\\/g, '/'));
  if (
    path.posix.isAbsolute(normalised) ||
    /^[A-Za-z]:/.test(normalised) ||
    normalised.split('/').includes('..')
  ) {
    return `"${value}" leaves the workspace folder: use a relative path such as exports/{report}_{date}.csv.`;
  }
  return normalised.split('/').filter((part) => part !== '' && part !== '.');
}

/** Problem with a destination template (before expansion), or undefined when usable. */
export function destinationProblem(template: string): string | undefined {
  const segments = relativeSegments(template);
  if (typeof segments === 'string') {
    return segments;
  }
  const unknown = template.match(/\{[^}]*\}/g)?.find((p) => !(PLACEHOLDERS as readonly string[]).includes(p));
  if (unknown) {
    return `${unknown} is not a placeholder: use ${PLACEHOLDERS.join(', ')}.`;
  }
  if (segments.length === 0 || /[\\/]\s*$/.test(template)) {
    return 'Enter a file path relative to the workspace folder, ending in a file name, e.g. exports/{report}_{date}.csv.';
  }
  return undefined;
}
