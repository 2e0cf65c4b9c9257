// How the jobs tree is grouped: account -> report -> job, where a level with a single entry is
// skipped. Pure data so the provider can tell "one node changed" from "the grouping changed".
import type { TrackedJob } from '../jobs/model';

export interface ReportGroup {
  /** `${accountId}|${owner}|${app}|${report}` */
  key: string;
  accountId: string;
  job: TrackedJob; // any job of the group, for its ref
}

export interface TreeShape {
  /** True when more than one account has jobs: the root lists accounts. */
  showAccounts: boolean;
  /** Accounts that have jobs, in sign-in order (unknown accounts last). */
  accountIds: string[];
  /** Report groups per account, sorted by app then report. */
  reports: Map<string, ReportGroup[]>;
  /** Changes exactly when the set or order of group nodes changes. */
  signature: string;
}

export function reportGroupKey(job: TrackedJob): string {
  return [job.accountId, job.ref.owner, job.ref.app, job.ref.report].join('|');
}

export function computeShape(accountOrder: string[], jobs: TrackedJob[]): TreeShape {
  const reports = new Map<string, ReportGroup[]>();
  const seen = new Set<string>();
  for (const job of jobs) {
    const key = reportGroupKey(job);
    if (seen.has(key)) {
      continue;
    }
    seen.add(key);
    const list = reports.get(job.accountId) ?? [];
    list.push({ key, accountId: job.accountId, job });
    reports.set(job.accountId, list);
  }
  for (const list of reports.values()) {
    list.sort((a, b) => a.key.localeCompare(b.key));
  }
  const known = accountOrder.filter((id) => reports.has(id));
  const unknown = [...reports.keys()].filter((id) => !accountOrder.includes(id)).sort();
  const accountIds = [...known, ...unknown];
  const showAccounts = accountIds.length > 1;
  const signature = JSON.stringify([
    showAccounts,
    accountIds.map((id) => [id, (reports.get(id) ?? []).map((group) => group.key)]),
  ]);
  return { showAccounts, accountIds, reports, signature };
}

/** Jobs of one report group, newest first (so a new batch appears on top). */
export function jobsOfGroup(jobs: TrackedJob[], groupKey: string): TrackedJob[] {
  return jobs
    .filter((job) => reportGroupKey(job) === groupKey)
    .sort((a, b) => b.trackedAt - a.trackedAt || b.jobId.localeCompare(a.jobId));
}
