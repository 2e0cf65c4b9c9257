// Gets a completed job's CSV onto disk (downloading it if needed) behind a cancellable
// notification that shows how much has arrived.
import * as vscode from 'vscode';
import type { LocalResult, TrackedJob } from '../jobs/model';
import type { Services } from '../services';
import { formatMegabytes } from '../views/jobDescription';

/** Progress messages at most this often: downloads report every chunk. */
const REPORT_EVERY_MS = 200;

export async function ensureResultWithProgress(services: Services, job: TrackedJob): Promise<LocalResult> {
  if (job.download === 'ready' && job.result) {
    // Already on disk: ensureResult only checks it, no point flashing a notification.
    return services.jobs.ensureResult(job.key);
  }
  return vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Downloading ${job.ref.report} job ${job.jobId}`,
      cancellable: true,
    },
    async (progress, token) => {
      const controller = new AbortController();
      const cancellation = token.onCancellationRequested(() => controller.abort());
      let percentShown = 0;
      let lastReport = 0;
      try {
        return await services.jobs.ensureResult(job.key, {
          signal: controller.signal,
          onProgress: (bytes, total) => {
            const now = Date.now();
            if (now - lastReport < REPORT_EVERY_MS && (total === undefined || bytes < total)) {
              return;
            }
            lastReport = now;
            const received = total
              ? `${formatMegabytes(bytes)} of ${formatMegabytes(total)} MB received`
              : `${formatMegabytes(bytes)} MB received`;
            const percent = total ? Math.min(100, (bytes / total) * 100) : percentShown;
            progress.report({ message: received, increment: percent - percentShown });
            percentShown = percent;
          },
        });
      } finally {
        cancellation.dispose();
      }
    },
  );
}

export function isCompleted(job: TrackedJob): boolean {
  return job.state === 'completed';
}
