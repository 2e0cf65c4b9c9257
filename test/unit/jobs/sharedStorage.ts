// One global storage folder that several "windows" (JobStores, leases) share in a test: real
// files in a temp dir, as in the extension, where every window's extension host reaches the same
// folder.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { disposeAll, type IDisposable } from '../../../src/core/lifecycle';
import { systemClock, type Clock, type KeyValueStore, type Logger } from '../../../src/core/ports';
import { SharedJsonFile } from '../../../src/core/sharedJsonFile';
import { JOBS_FILE_NAME, JobStore } from '../../../src/jobs/jobStore';

export class SharedStorage {
  private readonly owned: IDisposable[] = [];
  private constructor(readonly dir: string) {}

  static async create(): Promise<SharedStorage> {
    return new SharedStorage(await mkdtemp(path.join(tmpdir(), 'cbj-shared-')));
  }

  get jobsPath(): string {
    return path.join(this.dir, JOBS_FILE_NAME);
  }

  file(name = JOBS_FILE_NAME, clock: Clock = systemClock, logger?: Logger): SharedJsonFile {
    return this.own(new SharedJsonFile(path.join(this.dir, name), clock, logger));
  }

  /** A new window's job store over this folder. */
  store(logger?: Logger, legacy?: KeyValueStore): JobStore {
    return this.own(new JobStore(this.file(JOBS_FILE_NAME, systemClock, logger), logger, legacy));
  }

  async writeJobs(value: unknown): Promise<void> {
    await writeFile(this.jobsPath, typeof value === 'string' ? value : JSON.stringify(value));
  }

  async readJobs(): Promise<unknown> {
    return JSON.parse(await readFile(this.jobsPath, 'utf8')) as unknown;
  }

  async dispose(): Promise<void> {
    // Every write still on its way lands before the folder goes.
    await disposeAll(this.owned.splice(0).reverse());
    await rm(this.dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
  }

  private own<T extends IDisposable>(value: T): T {
    this.owned.push(value);
    return value;
  }
}
