// The exports shared by every window (one file per run): the one-file list of older versions is
// never written over when it is in a format this version does not know, and moved aside when it is
// not an exports list.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFile, mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { systemClock } from '../../../src/core/ports';
import { SharedJsonFile } from '../../../src/core/sharedJsonFile';
import { itemFileName } from '../../../src/core/itemFile';
import { EXPORTS_FILE_NAME, EXPORTS_FOLDER_NAME, ExportStore } from '../../../src/exports/exportStore';
import type { ExportRun } from '../../../src/exports/model';
import { RecordingLogger } from '../jobs/recordingLogger';
import { SharedStorage } from '../jobs/sharedStorage';

const RUN = { id: 'run-1', batches: [] } as unknown as ExportRun;

describe('ExportStore (shared file)', () => {
  let shared: SharedStorage;
  beforeEach(async () => {
    shared = await SharedStorage.create();
  });
  afterEach(() => shared.dispose());

  const exportsPath = (): string => path.join(shared.dir, EXPORTS_FILE_NAME);
  /** The run as stored in its file (undefined: no file). */
  const storedRun = async (id: string): Promise<ExportRun | undefined> =>
    (await shared.readItem(id, EXPORTS_FOLDER_NAME))?.value as ExportRun | undefined;

  it('leaves a file in a format it does not know (a newer release) as it is', async () => {
    const newer = JSON.stringify({ version: 2, exports: [{ id: 'theirs' }] });
    await writeFile(exportsPath(), newer);
    const logger = new RecordingLogger();
    const store = new ExportStore(shared.file(EXPORTS_FILE_NAME), logger);

    await store.add(RUN);
    await store.flushed();

    assert.equal(await readFile(exportsPath(), 'utf8'), newer);
    assert.match(logger.problems().join('\n'), /format 2/);
    store.dispose();
  });

  it('moves a file that is not JSON aside, then saves', async () => {
    await writeFile(exportsPath(), '{"version": 1, "exp');
    const logger = new RecordingLogger();
    const store = new ExportStore(shared.file(EXPORTS_FILE_NAME, undefined, logger), logger);

    await store.add(RUN);
    await store.flushed();

    assert.equal((await storedRun('run-1'))?.id, 'run-1');
    assert.equal(
      (await readdir(shared.dir)).filter((name) => name.startsWith('exports.json.bad-')).length,
      1,
    );
    store.dispose();
  });

  /** A valid running run, as two windows would both know it. */
  const running = (): ExportRun =>
    ({
      id: 'run-2',
      accountId: 'acc',
      ref: { owner: 'o', app: 'a', report: 'All_Orders' },
      query: {},
      destination: '/tmp/x.csv',
      state: 'running',
      batches: [{ key: 'k1', jobId: '1', appended: false }],
      bytesWritten: 0,
      records: 0,
      startedAt: 1,
    }) as ExportRun;

  it("two windows changing one run at once keep both changes: the holder's progress and the other's cancel request", async () => {
    const holder = new ExportStore(shared.file(EXPORTS_FILE_NAME));
    await holder.add(running());
    await holder.flushed();
    const other = new ExportStore(shared.file(EXPORTS_FILE_NAME));
    assert.equal(other.get('run-2')?.state, 'running');

    await Promise.all([
      holder.update('run-2', { records: 100_000, bytesWritten: 5_000_000 }),
      other.requestCancel('run-2', true),
    ]);
    await Promise.all([holder.flushed(), other.flushed()]);
    holder.sync();
    other.sync();

    for (const store of [holder, other]) {
      const run = store.get('run-2');
      assert.equal(run?.records, 100_000, 'the progress survives');
      assert.deepEqual(run?.cancelRequest, { keepRecords: true }, 'and so does the request');
    }
    holder.dispose();
    other.dispose();
  });

  it('a change to a run another window removed does not bring it back; a cancel asks only a running run', async () => {
    const one = new ExportStore(shared.file(EXPORTS_FILE_NAME));
    await one.add(running());
    await one.flushed();
    const two = new ExportStore(shared.file(EXPORTS_FILE_NAME));
    await one.update('run-2', { state: 'completed' });
    await one.remove('run-2');
    await one.flushed();

    await two.update('run-2', { seenAt: 5 }); // e.g. Open Export in a window that had not synced yet
    await two.flushed();
    assert.equal(two.get('run-2'), undefined, 'the stored removal wins');
    assert.equal(await storedRun('run-2'), undefined);

    await one.add(running());
    await one.flushed();
    two.sync();
    await one.update('run-2', { state: 'completed' });
    await one.flushed();
    assert.equal(two.get('run-2')?.state, 'running', 'two has not seen the end yet');
    await two.requestCancel('run-2', false);
    await two.flushed();
    assert.equal(two.get('run-2')?.state, 'completed');
    assert.equal(two.get('run-2')?.cancelRequest, undefined, 'no request on a finished run');
    one.dispose();
    two.dispose();
  });
  it("a writer that lost the run (paused, then woke up) changes nothing: the new writer's progress stays", async () => {
    const paused = new ExportStore(shared.file(EXPORTS_FILE_NAME));
    await paused.add({ ...running(), writer: 'writer-a' });
    await paused.flushed();
    const next = new ExportStore(shared.file(EXPORTS_FILE_NAME));
    // Claimed only if nothing moved since the new window looked (same writer, same bytes).
    assert.equal(await next.claim('run-2', 'writer-c', { writer: 'writer-a', bytesWritten: 1 }), undefined);
    assert.equal(
      (await next.claim('run-2', 'writer-b', { writer: 'writer-a', bytesWritten: 0 }))?.writer,
      'writer-b',
    );
    await next.updateAs('run-2', 'writer-b', { records: 200, bytesWritten: 9000 });
    await next.flushed();

    // The paused window has not seen any of it yet, and records what it appended meanwhile.
    assert.equal(paused.get('run-2')?.writer, 'writer-a');
    const refused = await paused.updateAs('run-2', 'writer-a', { records: 100, bytesWritten: 4000 });
    await paused.flushed();

    assert.equal(refused, undefined, 'the late write is refused');
    const stored = await storedRun('run-2');
    assert.equal(stored?.writer, 'writer-b');
    assert.equal(stored?.records, 200);
    assert.equal(stored?.bytesWritten, 9000);
    assert.equal(paused.get('run-2')?.writer, 'writer-b', 'the paused window takes in the stored run');
    assert.equal(paused.get('run-2')?.records, 200);
    paused.dispose();
    next.dispose();
  });
});

describe('ExportStore (a file that cannot be written)', () => {
  let folder: string | undefined;
  let mounted = false;
  afterEach(async () => {
    if (mounted && folder) {
      execFileSync('umount', ['-l', folder], { stdio: 'ignore' });
    }
    mounted = false;
    if (folder) {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('a change the disk could not take is neither reported as stored nor shown', async function () {
    folder = await mkdtemp(path.join(tmpdir(), 'cbj-full-'));
    try {
      // A 1 MB file system: a real ENOSPC without filling the real disk (needs mount rights).
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', folder], { stdio: 'ignore' });
      mounted = true;
    } catch {
      this.skip();
    }
    const file = new SharedJsonFile(path.join(folder, EXPORTS_FILE_NAME), systemClock);
    const logger = new RecordingLogger();
    const store = new ExportStore(file, logger);
    await store.add({ ...RUNNING, writer: 'writer-a' });
    // Fill the disk, then free one page: the lock fits, the new exports file does not.
    const filler = path.join(folder, 'filler');
    const page = Buffer.alloc(4096, 1);
    for (;;) {
      try {
        await appendFile(filler, page);
      } catch {
        break;
      }
    }
    await truncate(filler, (await stat(filler)).size - 4096);
    const shown: ExportRun[] = [];
    store.onDidChange(({ run }) => shown.push(run));

    const updated = await store.updateAs('run-3', 'writer-a', { state: 'completed', records: 5 });
    const claimed = await store.claim('run-3', 'writer-b', { writer: 'writer-a', bytesWritten: 0 });

    assert.equal(updated, undefined, 'a write that failed is not returned as stored');
    assert.equal(claimed, undefined, 'a claim that failed is not returned as made');
    assert.deepEqual(
      shown.map((run) => run.state),
      [],
      'nothing the file did not take is shown',
    );
    assert.equal(store.get('run-3')?.state, 'running');
    assert.equal(store.get('run-3')?.writer, 'writer-a');
    assert.match(logger.problems().join('\n'), /Could not save the exports: .*ENOSPC/);
    const stored = JSON.parse(
      await readFile(path.join(folder, EXPORTS_FOLDER_NAME, itemFileName('run-3')), 'utf8'),
    ) as { value: ExportRun };
    assert.equal(stored.value.state, 'running');
    store.dispose();
    file.dispose();
  });
});

const RUNNING = {
  id: 'run-3',
  accountId: 'acc',
  ref: { owner: 'o', app: 'a', report: 'All_Orders' },
  query: {},
  destination: '/tmp/x.csv',
  state: 'running',
  batches: [],
  bytesWritten: 0,
  records: 0,
  startedAt: 1,
} as unknown as ExportRun;
