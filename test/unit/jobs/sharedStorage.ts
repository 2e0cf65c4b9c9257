// One global storage folder that several "windows" (JobStores, leases) share in a test: real
// files in a temp dir, as in the extension, where every window's extension host reaches the same
// folder.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { disposeAll, type IDisposable } from '../../../src/core/lifecycle';
import { systemClock, type Clock, type KeyValueStore, type Logger } from '../../../src/core/ports';
import { itemFileName } from '../../../src/core/itemFile';
import { SharedJsonFile } from '../../../src/core/sharedJsonFile';
import { JOBS_FILE_NAME, JOBS_FOLDER_NAME, JobStore } from '../../../src/jobs/jobStore';

export class SharedStorage {
  private readonly owned: IDisposable[] = [];
  private constructor(readonly dir: string) {}

  static async create(): Promise<SharedStorage> {
    return new SharedStorage(await mkdtemp(path.join(tmpdir(), 'cbj-shared-')));
  }

  /** The one-file job list of older versions (moved into the jobs folder on start). */
  get jobsPath(): string {
    return path.join(this.dir, JOBS_FILE_NAME);
  }

  /** The file of one item of a shared collection (default: a tracked job). */
  itemPath(key: string, folder = JOBS_FOLDER_NAME): string {
    return path.join(this.dir, folder, itemFileName(key));
  }

  /** The item stored for `key` (its envelope: format, key, rev, order, value), or undefined. */
  async readItem(
    key: string,
    folder = JOBS_FOLDER_NAME,
  ): Promise<{ rev: number; value: unknown } | undefined> {
    const text = await readFile(this.itemPath(key, folder), 'utf8').catch(() => undefined);
    return text === undefined ? undefined : (JSON.parse(text) as { rev: number; value: unknown });
  }

  /** Changes a stored item in place of a window (a new revision, as a write would store it). */
  async editItem<T>(key: string, folder: string, edit: (value: T) => T): Promise<void> {
    const envelope = (await this.readItem(key, folder)) as { rev: number; value: T };
    await writeFile(
      this.itemPath(key, folder),
      JSON.stringify({ ...envelope, rev: envelope.rev + 1, value: edit(envelope.value) }),
    );
  }

  /** Makes every write of a collection fail (a file where its folder belongs), on any file system. */
  async blockWrites(folder = JOBS_FOLDER_NAME): Promise<void> {
    await rm(path.join(this.dir, folder), { recursive: true, force: true });
    await writeFile(path.join(this.dir, folder), 'in the way');
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
