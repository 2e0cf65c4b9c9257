// Drives the real core (JobService -> BulkReadClient -> fetchResult -> extractCsv) against the
// hostile server, with a real job store, the real clock and a real temp folder, and collects
// everything a user or another extension could see: the log, the stored state and the files.
import * as assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { systemClock } from '../../src/core/ports';
import { JobService } from '../../src/jobs/jobService';
import type { TrackedJob } from '../../src/jobs/model';
import type { PollSettings } from '../../src/jobs/serviceApi';
import type { TokenProvider } from '../../src/zoho/api';
import { RefreshTokenProvider, StaticTokenProvider } from '../../src/zoho/auth';
import { BulkReadClient } from '../../src/zoho/client';
import type { ReportRef } from '../../src/zoho/types';
import { RecordingLogger } from '../unit/jobs/recordingLogger';
import { SharedStorage } from '../unit/jobs/sharedStorage';
import { HostileZoho, json, type Handler } from './hostileServer';

export const ACCESS_TOKEN = '1000.faultsaccesstoken7c1d9e5a';
export const REFRESH_TOKEN = '1000.faultsrefreshtoken3b8f0d11';
export const CLIENT_ID = '1000.FAULTSCLIENTID';
export const CLIENT_SECRET = 'faultsclientsecret9e2a44c1';
export const ACCOUNT = 'acc-faults';
export const REF: ReportRef = { owner: 'jason18', app: 'zylker', report: 'All_Orders' };
export const JOB_ID = '2000000018003';

/** Fast polling: the suite must stay well under a minute. */
const SETTINGS: PollSettings = {
  initialIntervalMs: 20,
  maxIntervalMs: 50,
  unfocusedMultiplier: 1,
  maxConcurrent: 3,
  maxChecksPerMinute: Infinity,
};

export interface HarnessOptions {
  /** 'refresh' signs in with a refresh token against the hostile accounts endpoint. */
  auth?: 'static' | 'refresh';
  /** Total deadline of status/create requests and download headers. */
  timeoutMs?: number;
  idleTimeoutMs?: number;
  attempts?: number;
  /** 'default': the client's retry policy as the extension has it (DEFAULT_RETRY), not `attempts`. */
  retry?: 'default';
  autoDownload?: boolean;
  freeBytes?: (dir: string) => Promise<number>;
}

export class Harness {
  /** The harness of the running case, checked for leaks when the case ends. */
  static current: Harness | undefined;
  readonly server = new HostileZoho();
  readonly logger = new RecordingLogger();
  /** The shared job list every window reads and writes (the extension's global storage). */
  storage!: SharedStorage;
  dir = '';
  service!: JobService;
  tokens!: TokenProvider;
  /** Every value that must never leave SecretStorage; grows when the server issues tokens. */
  readonly secrets = new Set([ACCESS_TOKEN, REFRESH_TOKEN, CLIENT_SECRET]);
  private errors: string[] = [];

  constructor(private readonly options: HarnessOptions = {}) {
    Harness.current = this;
  }

  async start(): Promise<void> {
    await this.server.start();
    this.storage = await SharedStorage.create();
    this.dir = await mkdtemp(path.join(tmpdir(), 'cbj-faults-'));
    this.tokens =
      this.options.auth === 'refresh'
        ? new RefreshTokenProvider({
            accountsBase: this.server.url,
            clientId: CLIENT_ID,
            clientSecret: CLIENT_SECRET,
            refreshToken: REFRESH_TOKEN,
            logger: this.logger,
            timeoutMs: this.options.timeoutMs ?? 2000,
          })
        : new StaticTokenProvider(ACCESS_TOKEN);
    const client = new BulkReadClient({
      target: { dataCentre: 'custom', customHost: this.server.url, family: 'B', owner: REF.owner },
      tokens: this.tokens,
      logger: this.logger,
      timeoutMs: this.options.timeoutMs ?? 2000,
      retry:
        this.options.retry === 'default'
          ? undefined
          : { attempts: this.options.attempts ?? 2, baseDelayMs: 10 },
    });
    this.service = new JobService({
      store: this.storage.store(this.logger),
      clients: async () => client,
      clock: systemClock,
      logger: this.logger,
      resultsDir: path.join(this.dir, 'results'),
      settings: SETTINGS,
      autoDownload: () => this.options.autoDownload ?? true,
      downloadIdleTimeoutMs: () => this.options.idleTimeoutMs ?? 300,
      freeBytes: this.options.freeBytes,
    });
  }

  async stop(): Promise<void> {
    this.service?.dispose();
    await this.storage?.dispose();
    await this.server.stop();
    await rm(this.dir, { recursive: true, force: true });
  }

  on(route: 'create' | 'status' | 'download' | 'token', handler: Handler): this {
    this.server.handlers[route] = handler;
    return this;
  }

  /** A server that creates JOB_ID and reports it completed with `count` records. */
  completesWith(count: number | undefined, extra: Record<string, unknown> = {}): this {
    this.on('create', (_req, res) =>
      json(res, 200, { code: 3000, details: { id: JOB_ID, operation: 'read', status: 'In-progress' } }),
    );
    this.on('status', (_req, res, hit) =>
      json(res, 200, {
        code: 3000,
        details: {
          id: hit.jobId,
          operation: 'read',
          status: 'Completed',
          result: {
            ...(count === undefined ? {} : { count }),
            download_url: `/creator/v2.1/bulk/${REF.owner}/${REF.app}/report/${REF.report}/read/${hit.jobId}/result`,
          },
          ...extra,
        },
      }),
    );
    return this;
  }

  /** Creates the job as a user would; a rejection is recorded as what the user would see. */
  async create(): Promise<TrackedJob | undefined> {
    try {
      return await this.service.createJob(ACCOUNT, REF, {});
    } catch (error) {
      this.errors.push(String((error as Error).message));
      return undefined;
    }
  }

  /** The messages of rejected user actions so far. */
  get userErrors(): readonly string[] {
    return this.errors;
  }

  /** Waits until `probe` holds for the job (polled every 10 ms); fails after `ms`. */
  async until(
    key: string,
    probe: (job: TrackedJob) => boolean,
    what: string,
    ms = 5000,
  ): Promise<TrackedJob> {
    let job: TrackedJob | undefined;
    await until(
      () => {
        job = this.service.get(key);
        return job !== undefined && probe(job);
      },
      () => `${what}; job is ${JSON.stringify(job)}`,
      ms,
    );
    assert.ok(job);
    return job;
  }

  /** Creates the job and waits for its automatic download to end; returns the job as then stored. */
  async createAndSettle(): Promise<TrackedJob> {
    const job = await this.create();
    assert.ok(job, `creating the job failed: ${this.errors.join('; ')}`);
    const settled = await this.until(
      job.key,
      (j) => j.download === 'ready' || j.download === 'failed',
      'the download to end',
    );
    await this.lockReleased();
    return settled;
  }

  /**
   * The row says ready or failed a moment before the download lets go of its result lock (the
   * store is written while the lock is held): wait for that, so file listings see the end state.
   */
  private async lockReleased(): Promise<void> {
    for (let waited = 0; (await this.files()).some((f) => f.endsWith('.lock')); waited += 10) {
      assert.ok(waited < 5000, 'the result lock was never released');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Files left in the results folder (and anywhere under the temp folder). */
  async files(): Promise<string[]> {
    const out: string[] = [];
    const walk = async (dir: string, prefix: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
        const name = `${prefix}${entry.name}`;
        if (entry.isDirectory()) {
          await walk(path.join(dir, entry.name), `${name}/`);
        } else {
          out.push(name);
        }
      }
    };
    await walk(this.dir, '');
    return out.sort();
  }

  /** A failed download that kept nothing: the user sees `message`, and no file (or .part) remains. */
  async assertFailedCleanly(job: TrackedJob, message: RegExp): Promise<void> {
    assert.equal(job.download, 'failed', `download state; lastError: ${job.lastError?.message}`);
    assert.equal(job.result, undefined, 'no result is presented');
    assert.match(job.lastError?.message ?? '', message);
    assert.deepEqual(await this.files(), [], 'nothing partial remains');
  }

  /** Nothing secret in the log, the stored state, any error shown, or at the foreign host. */
  /** The stored job list as text (what other windows and a later session read). */
  async storedText(): Promise<string> {
    return readFile(this.storage.jobsPath, 'utf8').catch(() => '');
  }

  async assertNothingLeaked(): Promise<void> {
    const everything = [
      ...this.logger.lines,
      await this.storedText(),
      ...this.errors,
      ...this.service.jobs().map((job) => JSON.stringify(job)),
    ].join('\n');
    for (const secret of this.secrets) {
      assert.ok(!everything.includes(secret), `a secret (${secret.slice(0, 8)}…) leaked:\n${everything}`);
    }
    assert.deepEqual(this.server.foreign.requests, [], 'a request reached the foreign host');
  }
}

/** Starts a harness for one case; `stopHarness` (each file's afterEach) stops it. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const harness = new Harness(options);
  await harness.start();
  return harness;
}

export async function stopHarness(): Promise<void> {
  await Harness.current?.stop();
  Harness.current = undefined;
}

/**
 * One fault case: runs `body`, then asserts that nothing leaked (log, stored state, errors shown,
 * foreign host). Inside the case, so a leak fails that case alone and the matrix counts it.
 */
export function hostile(title: string, body: () => Promise<void>): void {
  it(title, async () => {
    await body();
    await Harness.current?.assertNothingLeaked();
  });
}

/**
 * Waits (polling every 10 ms) until `condition` holds; fails after `ms` of real time. For what
 * real I/O brings about (the server, the file system); a wait a fake clock drives is awaited on
 * its event instead.
 */
export async function until(
  condition: () => boolean | Promise<boolean>,
  what: string | (() => string),
  ms = 8000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      assert.fail(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    }
    await sleep(10);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
