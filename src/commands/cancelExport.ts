// Cancel Export: stops creating batches, asking whether to keep the records so far.
import type { Services } from '../services';
import { resolveExport } from './exportArgs';
import { confirmCancel } from './exportProgress';

/** The handler of 'creatorBulkJobs.cancelExport' (registered, and loaded on first use, by registerCommands.ts). */
export function cancelExportCommand(services: Services) {
  return async (arg?: unknown) => {
    const run = await resolveExport(services, arg, (r) => r.state === 'running', 'Cancel which export?');
    return run && confirmCancel(services, run.id);
  };
}
