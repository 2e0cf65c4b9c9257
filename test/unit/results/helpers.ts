// Shared by the results and job service tests: a real client on a real simulator, and temp dirs.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { StaticTokenProvider } from '../../../src/zoho/auth';
import { BulkReadClient } from '../../../src/zoho/client';
import type { ReportRef } from '../../../src/zoho/types';
import { DEMO, type Simulator } from '../../simulator';
import { encodeRow } from '../../simulator/csv';

export function ref(report: string): ReportRef {
  return { owner: DEMO.owner, app: DEMO.app, report };
}

/** A client with no retries, so failure tests see the first failure. */
export function clientFor(sim: Simulator, token: string = DEMO.accessToken): BulkReadClient {
  return new BulkReadClient({
    target: { dataCentre: 'custom', customHost: sim.url, family: 'B', owner: DEMO.owner },
    tokens: new StaticTokenProvider(token),
    retry: { attempts: 1, baseDelayMs: 0 },
  });
}

export async function tempDir(): Promise<{
  dir: string;
  files: () => Promise<string[]>;
  remove: () => Promise<void>;
}> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cbj-results-'));
  return {
    dir,
    // Every file below dir, as relative paths (results live in one folder per job).
    files: async () =>
      (await readdir(dir, { recursive: true, withFileTypes: true }))
        .filter((entry) => entry.isFile())
        .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
        .sort(),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Creates a job on the simulator (jobDurationMs 0 completes it at once) and returns its id. */
export async function completedJob(client: BulkReadClient, report: string): Promise<string> {
  const details = await client.createJob(ref(report), {});
  return details.id;
}

/**
 * A CSV whose fields hold JSON (quotes doubled), every row near the same: real data that
 * compresses unusually well (about 30 times deflated, 70 with brotli), for the inflate-ratio bound.
 */
export function quoteHeavyJsonCsv(records: number): string {
  const rows = [encodeRow(['ID', 'Payload', 'Audit'])];
  for (let i = 0; i < records; i++) {
    const id = 3_000_000_000_000 + i;
    const payload = { id, status: 'Open', tags: ['a', 'b'], note: `He said "hi" ${i % 7}` };
    const audit = { created: '06-Dec-2026 07:00:00', by: 'user@example.com' };
    rows.push(encodeRow([String(id), JSON.stringify(payload), JSON.stringify(audit)]));
  }
  return rows.join('');
}
