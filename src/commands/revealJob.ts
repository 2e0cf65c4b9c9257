// Show in Tree (hidden command, used by notifications and Show Jobs): selects the job's row.
import { jobIdOfKey } from '../jobs/model';
import type { Services } from '../services';
import type { JobsTree } from '../views/jobsTreeView';
import { jobKeyOf, pickJob } from './pickers';
import { errorMessage } from '../core/format';
import { showCommandError } from './showError';

/** Reveals without waiting or failing: used right after create/track, where the row is a bonus. */
export function revealQuietly(services: Services, tree: JobsTree | undefined, key: string): void {
  tree?.reveal(key).then(undefined, (error: unknown) => {
    services.logger.debug(`Could not reveal ${jobIdOfKey(key)} in the tree: ${errorMessage(error)}`);
  });
}

/** The handler of 'creatorBulkJobs.revealJob' (registered, and loaded on first use, by registerCommands.ts). */
export function revealJobCommand(services: Services, tree: JobsTree) {
  return async (arg?: unknown) => {
    const key =
      jobKeyOf(arg) ??
      (await pickJob(services, { placeHolder: 'Show which job?', noneMessage: 'No job is tracked.' }))?.key;
    if (key === undefined) {
      return;
    }
    try {
      await tree.reveal(key);
    } catch (error) {
      showCommandError(services, 'Could not show the job', error);
    }
  };
}
