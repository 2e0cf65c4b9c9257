// Restart Export: reads a stopped export's report again from its first batch (same query and file).
import type { Services } from '../services';
import { isUntrusted } from '../exports/model';
import { resolveExport } from './exportArgs';
import { watchExport } from './exportProgress';
import { showCommandError } from './showError';

/** The handler of 'creatorBulkJobs.restartExport' (registered, and loaded on first use, by registerCommands.ts). */
export function restartExportCommand(services: Services) {
  return async (arg?: unknown) => {
    const run = await resolveExport(
      services,
      arg,
      (r) => (r.state !== 'running' && r.state !== 'completed') || isUntrusted(r),
      'Restart which export?',
    );
    if (!run) {
      return undefined;
    }
    try {
      const next = await services.exports.restart(run.id);
      watchExport(services, next.id);
      return next.id;
    } catch (error) {
      showCommandError(services, `Could not restart the export of ${run.ref.report}`, error, run.accountId);
      return undefined;
    }
  };
}
