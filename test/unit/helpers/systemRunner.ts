// One window's JobService and ExportRunner on the system clock against a simulator, over the
// shared storage of a test (the simulator's clock is the system's too, so Modified_Time agrees).
import * as path from 'node:path';
import { silentLogger, systemClock } from '../../../src/core/ports';
import { ExportRunner, type ExportRunnerOptions } from '../../../src/exports/exportRunner';
import { EXPORTS_FILE_NAME, ExportStore } from '../../../src/exports/exportStore';
import { JobService } from '../../../src/jobs/jobService';
import type { Simulator } from '../../simulator';
import type { SharedStorage } from '../jobs/sharedStorage';
import { clientFor } from '../results/helpers';
import { TEST_POLL_SETTINGS } from './pollSettings';

export function systemRunner(
  sim: Simulator,
  shared: SharedStorage,
  applications?: (api: ReturnType<typeof clientFor>) => ExportRunnerOptions['applications'],
): { service: JobService; runner: ExportRunner } {
  const api = clientFor(sim);
  const service = new JobService({
    store: shared.store(),
    clients: async () => api,
    clock: systemClock,
    logger: silentLogger,
    resultsDir: path.join(shared.dir, 'results'),
    settings: TEST_POLL_SETTINGS,
    autoDownload: () => true,
  });
  const runner = new ExportRunner({
    jobs: service,
    store: new ExportStore(shared.file(EXPORTS_FILE_NAME)),
    clock: systemClock,
    logger: silentLogger,
    applications: applications?.(api),
  });
  return { service, runner };
}
