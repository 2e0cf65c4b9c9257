// The tree item's contextValue tokens and the matching list of actions (used by Show Jobs), kept
// together so menus and the QuickPick never disagree about what a job allows.
import { resultExpired, usableCursor, type TrackedJob } from '../jobs/model';

/**
 * `job completed hasResult hasCursor`; package.json menus match single tokens with \b regexes. A
 * batch merged into its export's file is `job merged`: nothing of its own to open, save or follow.
 */
export function jobContextValue(job: TrackedJob, now: number, merged = false): string {
  if (merged) {
    return 'job merged';
  }
  // An expired result is not "completed" for the menus: nothing to open, save or download.
  const tokens = ['job', resultExpired(job, now) ? 'expired' : job.state];
  if (job.download === 'ready' && job.result) {
    tokens.push('hasResult');
  }
  if (job.download === 'downloading') {
    tokens.push('downloading');
  }
  if (job.state === 'completed' && usableCursor(job, now) !== undefined) {
    tokens.push('hasCursor');
  }
  return tokens.join(' ');
}

export interface JobAction {
  label: string;
  command: string;
}

export function jobActions(job: TrackedJob, now: number, merged = false): JobAction[] {
  const actions: JobAction[] = [];
  // A batch merged into its export's file has nothing of its own to open or save.
  if (!merged && job.state === 'completed' && !resultExpired(job, now)) {
    actions.push(
      { label: '$(go-to-file) Open Result', command: 'creatorBulkJobs.openResult' },
      { label: '$(save) Save Result to Workspace', command: 'creatorBulkJobs.saveResult' },
    );
    if (usableCursor(job, now) !== undefined) {
      actions.push({ label: '$(arrow-right) Fetch Next Batch', command: 'creatorBulkJobs.fetchNextBatch' });
    }
  }
  actions.push(
    { label: '$(refresh) Refresh', command: 'creatorBulkJobs.refresh' },
    { label: '$(list-tree) Show in Tree', command: 'creatorBulkJobs.revealJob' },
    { label: '$(copy) Copy Job ID', command: 'creatorBulkJobs.copyJobId' },
    { label: '$(close) Stop Tracking', command: 'creatorBulkJobs.stopTracking' },
  );
  return actions;
}
