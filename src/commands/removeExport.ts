// Remove Export: forgets a finished export and its batch jobs; files in the workspace stay.
import type { Services } from '../services';
import { resolveExport } from './exportArgs';
import { confirmCancel } from './exportProgress';

/** The handler of 'creatorBulkJobs.removeExport' (registered, and loaded on first use, by registerCommands.ts). */
export function removeExportCommand(services: Services) {
  return async (arg?: unknown) => {
    const run = await resolveExport(services, arg, () => true, 'Remove which export from the list?');
    if (!run) {
      return;
    }
    const after = run.state === 'running' ? await confirmCancel(services, run.id) : run;
    if (after && after.state !== 'running') {
      await services.exports.remove(run.id);
    }
  };
}
