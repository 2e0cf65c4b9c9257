// Remove Export: forgets a finished export and its batch jobs; files in the workspace stay.
import type { Services } from '../services';
import { resolveExport } from './exportArgs';
import { confirmCancel } from './exportProgress';
import { closeTabsOf } from './resultTabs';

/** The handler of 'creatorBulkJobs.removeExport' (registered, and loaded on first use, by registerCommands.ts). */
export function removeExportCommand(services: Services) {
  return async (arg?: unknown) => {
    const run = await resolveExport(services, arg, () => true, 'Remove which export from the list?');
    if (!run) {
      return;
    }
    if (run.state === 'running') {
      // Removed only when the user's answer stopped it: an export that completed (or failed) while
      // the question was open stays listed, whatever the answer (Continue Export must not remove).
      const after = await confirmCancel(services, run.id);
      if (after?.state !== 'cancelled') {
        return;
      }
    }
    const gone = [`export:${run.id}`, ...run.batches.map((batch) => batch.key)];
    await services.exports.remove(run.id);
    await closeTabsOf(gone); // they could no longer be read; the files in the workspace stay
  };
}
