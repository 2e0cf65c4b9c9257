// Registers every job command (one file each) for extension.ts.
import type * as vscode from 'vscode';
import type { Services } from '../services';
import type { JobsTree } from '../views/jobsTree';
import { registerCopyJobId } from './copyJobId';
import { registerCreateJob } from './createJob';
import { registerFetchNextBatch } from './fetchNextBatch';
import { registerOpenResult } from './openResult';
import { registerRefresh } from './refresh';
import { registerRefreshAll } from './refreshAll';
import { registerRevealJob } from './revealJob';
import { registerSaveResult } from './saveResult';
import { registerShowJobs } from './showJobs';
import { registerStopTracking } from './stopTracking';
import { registerTrackJob } from './trackJob';

export function registerJobCommands(
  context: vscode.ExtensionContext,
  services: Services,
  tree: JobsTree,
): void {
  registerCreateJob(context, services, tree);
  registerTrackJob(context, services, tree);
  registerRefresh(context, services);
  registerRefreshAll(context, services);
  registerOpenResult(context, services);
  registerSaveResult(context, services);
  registerFetchNextBatch(context, services, tree);
  registerCopyJobId(context, services);
  registerStopTracking(context, services);
  registerShowJobs(context, services);
  registerRevealJob(context, services, tree);
}
