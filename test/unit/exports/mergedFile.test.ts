// MergedFileWriter on the real file system, without jobs, stores or windows: the merged file of a
// run is exactly the batches' records (header once), a window taking a run over copies only what
// was recorded (so a late writer's bytes reach no file anyone reads), a file changed behind the
// run's back is never completed, and a full disk costs no records already merged.
import * as assert from 'node:assert/strict';
import { appendFile, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { AppendOutcome } from '../../../src/exports/appendCsv';
import { MergedFileWriter, type BatchFile } from '../../../src/exports/mergedFile';
import { partialPath, workingPath, type ExportRun } from '../../../src/exports/model';
import { ExportStop } from '../../../src/exports/runParts';
import { mountSmallDisk } from '../helpers/smallDisk';
import { RecordingLogger } from '../jobs/recordingLogger';
import { tempDir } from '../results/helpers';

const WRITER_A = 'aaaaaaaa-1111-4111-8111-111111111111';
const WRITER_B = 'bbbbbbbb-2222-4222-8222-222222222222';

/** What a stop says once the records are kept or discarded (a text, or a text told the run). */
function stopText(error: unknown, run: ExportRun): string {
  assert.ok(error instanceof ExportStop, `an ExportStop, not ${String(error)}`);
  return typeof error.text === 'function' ? error.text(run) : error.text;
}

describe('MergedFileWriter (real files, no jobs)', () => {
  let temp: Awaited<ReturnType<typeof tempDir>>;
  let folder: string;
  let destination: string;
  let logger: RecordingLogger;
  let files: MergedFileWriter;
  let unmount: (() => void) | undefined;

  beforeEach(async () => {
    temp = await tempDir();
    folder = path.join(temp.dir, 'exports');
    destination = path.join(folder, 'All_Orders.csv');
    logger = new RecordingLogger();
    files = new MergedFileWriter(logger);
  });
  afterEach(async () => {
    unmount?.();
    unmount = undefined;
    await temp.remove();
  });

  function runOf(writer: string, over: Partial<ExportRun> = {}): ExportRun {
    return {
      id: 'run-1',
      accountId: 'acc-1',
      ref: { owner: 'owner', app: 'shop', report: 'All_Orders' },
      query: {},
      destination,
      state: 'running',
      batches: [
        { key: 'k1', jobId: '1001', appended: false },
        { key: 'k2', jobId: '1002', appended: false },
      ],
      bytesWritten: 0,
      records: 0,
      startedAt: 0,
      writer,
      ...over,
    };
  }

  /** A batch's CSV as the job service leaves it, with the records Zoho counted. */
  async function batch(key: string, text: string, records: number): Promise<BatchFile> {
    const file = path.join(temp.dir, `${key}.csv`);
    await writeFile(file, text);
    return { key, path: file, bytes: Buffer.byteLength(text), records };
  }

  /** The run as the store records it after an append (ExportStore.updateAs in the runner). */
  function recorded(run: ExportRun, index: number, outcome: AppendOutcome): ExportRun {
    return {
      ...run,
      batches: run.batches.map((b, i) => (i === index ? { ...b, appended: true } : b)),
      header: outcome.header,
      bytesWritten: run.bytesWritten + outcome.bytes,
      records: run.records + outcome.records,
    };
  }

  /** Batch 1 (2 records) merged by writer A. */
  async function afterBatchOne(): Promise<ExportRun> {
    await files.begin(destination, WRITER_A);
    const run = runOf(WRITER_A);
    const one = await files.append(run, await batch('k1', 'ID,Note\r\n1,a\r\n2,"b\r\nc"\r\n', 2));
    return recorded(run, 0, one);
  }

  /** The export folder on a 1 MB file system (./helpers/smallDisk.ts), or the case is skipped. */
  async function smallDisk(test: Mocha.Context): Promise<void> {
    await mkdir(folder, { recursive: true });
    unmount = mountSmallDisk(folder);
    if (!unmount) {
      test.skip();
    }
  }

  it('writes the header once, appends every batch after the recorded bytes, checks and names the file', async () => {
    let run = await afterBatchOne();
    const two = await files.append(run, await batch('k2', 'ID,Note\r\n3,d\r\n', 1));
    run = recorded(run, 1, two);

    const working = workingPath(run);
    assert.equal(await readFile(working, 'utf8'), 'ID,Note\r\n1,a\r\n2,"b\r\nc"\r\n3,d\r\n');
    assert.deepEqual([run.records, run.bytesWritten], [3, (await stat(working)).size]);
    assert.equal(await files.fileToComplete(run), working);
    await files.verify(run, working);
    assert.equal(await files.publish(run, working), 'done');
    assert.deepEqual(await readdir(folder), ['All_Orders.csv'], 'the working file has its final name');
    assert.equal(await files.checkCompleted(run), undefined, 'exactly what was written');
  });

  it('refuses a batch with other columns, one cut short and one that is not what Zoho counted', async () => {
    const run = await afterBatchOne();
    const before = await readFile(workingPath(run), 'utf8');

    const columns = await files
      .append(run, await batch('k2', 'ID,Phone\r\n3,555\r\n', 1))
      .catch((e: unknown) => e);
    assert.equal((columns as ExportStop).state, 'failed');
    assert.match(stopText(columns, run), /^Batch 2 \(job 1002\) cannot be merged: its columns differ/);
    assert.equal(await readFile(workingPath(run), 'utf8'), before, 'nothing of that batch written');

    const cut = await files
      .append(run, await batch('k2', 'ID,Note\r\n3,"open\r\n', 1))
      .catch((e: unknown) => e);
    assert.match(stopText(cut, run), /^Batch 2 \(job 1002\) ends inside a quoted value/);

    const counted = await files
      .append(run, await batch('k2', 'ID,Note\r\n3,d\r\n4,e\r\n', 3))
      .catch((e: unknown) => e);
    assert.equal((counted as ExportStop).state, 'failed');
    assert.match(stopText(counted, run), /^Batch 2 \(job 1002\) holds 2 records but Zoho counted 3;/);
  });

  it('cuts a half-written append (a crash after the last record) before the next batch', async () => {
    const run = await afterBatchOne();
    await appendFile(workingPath(run), '9,never recorded\r\n10,"half');
    const two = await files.append(run, await batch('k2', 'ID,Note\r\n3,d\r\n', 1));
    await files.verify(recorded(run, 1, two), workingPath(run));
    assert.equal(await readFile(workingPath(run), 'utf8'), 'ID,Note\r\n1,a\r\n2,"b\r\nc"\r\n3,d\r\n');
  });

  it('never completes a file changed behind the run: more bytes, or the same bytes with one record more', async () => {
    const run = await afterBatchOne();
    const working = workingPath(run);
    await appendFile(working, '3,x\r\n');
    const longer = await files.verify(run, working).catch((e: unknown) => e);
    assert.match(
      stopText(longer, run),
      /was changed while the export ran \(\d+ bytes where \d+ were written\).*it was not kept/,
    );

    const text = 'ID,Note\r\n1,a\r\n2,"b\r\nc"\r\n';
    await writeFile(working, text.replace('1,a', '1\na'));
    const more = await files.verify(run, working).catch((e: unknown) => e);
    assert.match(stopText(more, run), /\(3 records where 2 were written\)/);
  });

  it('a file it named before a reload is checked under its final name, and taken back when changed', async () => {
    const merged = await afterBatchOne();
    const run = { ...merged, renamedAt: 1 };
    assert.equal(await files.publish(run, workingPath(run)), 'done');
    assert.equal(await files.fileToComplete(run), destination, 'the named file is found after a reload');
    await files.verify(run, destination);

    await appendFile(destination, '3,late\r\n');
    const changed = await files.verify(run, destination).catch((e: unknown) => e);
    assert.equal((changed as ExportStop).state, 'failed');
    assert.deepEqual(
      await readdir(folder),
      [path.basename(workingPath(run))],
      'not left under the final name',
    );

    const never = { ...merged, renamedAt: undefined };
    await writeFile(destination, 'ID,Note\r\n1,the user\r\n');
    await writeFile(workingPath(never), ''); // gone below: the user's file must not be taken for it
    await files.remove(workingPath(never));
    const missing = await files.fileToComplete(never).catch((e: unknown) => e);
    assert.match(stopText(missing, never), /^The merged file All_Orders\.csv\.aaaaaaaa\.part is missing/);
    assert.equal(await readFile(destination, 'utf8'), 'ID,Note\r\n1,the user\r\n');
  });

  it('a window taking over copies only the recorded bytes: what the late writer appends reaches no file anyone reads', async () => {
    const run = await afterBatchOne();
    // Writer A was paused mid-append of batch 2: half of it is in A's file, unrecorded.
    await appendFile(workingPath(run), '3,half of');
    assert.deepEqual(await files.copyForTakeover(run, WRITER_B), { kind: 'ready' });
    const ofB = { ...run, writer: WRITER_B };
    assert.equal((await stat(workingPath(ofB))).size, run.bytesWritten);

    // A wakes up and writes the rest of its append through the handle it kept: into its own file.
    await appendFile(workingPath(run), ' batch two\r\n4,more\r\n');
    const two = await files.append(ofB, await batch('k2', 'ID,Note\r\n3,d\r\n', 1));
    const done = recorded(ofB, 1, two);
    await files.verify(done, workingPath(done));
    assert.equal(await readFile(workingPath(done), 'utf8'), 'ID,Note\r\n1,a\r\n2,"b\r\nc"\r\n3,d\r\n');

    // A file already under the final name (the user's, or a late writer's) is never replaced.
    await writeFile(destination, 'ID,Note\r\n1,late\r\n');
    assert.equal(await files.publish(done, workingPath(done)), 'exists');
    assert.equal(await readFile(destination, 'utf8'), 'ID,Note\r\n1,late\r\n');
  });

  it('a takeover finds nothing to copy: an empty run starts a new file, a run with records cannot go on', async () => {
    await mkdir(folder, { recursive: true });
    assert.deepEqual(await files.copyForTakeover(runOf(WRITER_A), WRITER_B), { kind: 'ready' });
    assert.equal(await readFile(workingPath(runOf(WRITER_B)), 'utf8'), '');

    const lost = runOf(WRITER_A, { bytesWritten: 100, records: 3 });
    const copy = await files.copyForTakeover(lost, WRITER_B);
    assert.equal(copy.kind, 'unusable');
    assert.match(copy.kind === 'unusable' ? copy.problem : '', /All_Orders\.csv\.aaaaaaaa\.part is missing/);

    await files.remove(workingPath(runOf(WRITER_B)));
    const shorter = await afterBatchOne();
    await writeFile(workingPath(shorter), 'ID,Note\r\n');
    const cut = await files.copyForTakeover(shorter, WRITER_B);
    assert.match(
      cut.kind === 'unusable' ? cut.problem : '',
      /was changed while the export ran \(it holds 9 bytes where \d+ were written\)/,
    );
  });

  it('no room to copy on a takeover: nothing is copied or deleted, and the only copy is kept as the partial file', async () => {
    const run = await afterBatchOne();
    await appendFile(workingPath(run), '3,unrecorded');
    const cramped = new MergedFileWriter(logger, () => Promise.resolve(run.bytesWritten - 1));
    assert.deepEqual(await cramped.copyForTakeover(run, WRITER_B), {
      kind: 'diskFull',
      room: run.bytesWritten - 1,
    });
    assert.deepEqual(await readdir(folder), [path.basename(workingPath(run))], 'no copy left behind');

    await cramped.keepUncopied(run, partialPath(destination));
    assert.equal(await readFile(partialPath(destination), 'utf8'), 'ID,Note\r\n1,a\r\n2,"b\r\nc"\r\n');
  });

  it('a full disk mid-append stops the run as interrupted, and the records merged before are kept whole', async function () {
    await smallDisk(this);
    await files.begin(destination, WRITER_A);
    const rows = (from: number, n: number): string =>
      Array.from({ length: n }, (_, i) => `${from + i},${'x'.repeat(40)}\n`).join('');
    const start = runOf(WRITER_A);
    const one = await files.append(start, await batch('k1', `ID,Note\n${rows(1, 5000)}`, 5000));
    const run = recorded(start, 0, one);
    const big = await batch('k2', `ID,Note\n${rows(5001, 40_000)}`, 40_000);

    const full = await files.append(run, big).catch((e: unknown) => e);
    assert.equal((full as ExportStop).state, 'interrupted');
    const kept = await files.keepOrDiscard(run, true);
    assert.equal(kept, partialPath(destination));
    const stopped = { ...run, keptPath: kept };
    assert.match(
      stopText(full, stopped),
      /^The disk is full: Batch 2 \(job 1002\) of All_Orders could not be added to the merged file in /,
    );
    assert.match(
      stopText(full, stopped),
      /Free at least 2 MB there \(the batch is [\d,]+ bytes.*The 5,000 records so far are kept in All_Orders\.partial\.csv\./,
    );
    assert.equal(
      (await stat(partialPath(destination))).size,
      run.bytesWritten,
      'cut back to what was recorded',
    );
  });

  it('keeps the records so far under a free partial name, or removes the file', async () => {
    const run = await afterBatchOne();
    await writeFile(partialPath(destination), 'an earlier export kept this');
    const kept = await files.keepOrDiscard(run, true);
    assert.equal(
      kept,
      path.join(folder, 'All_Orders.partial (2).csv'),
      'never replaces another partial file',
    );
    assert.equal(await readFile(partialPath(destination), 'utf8'), 'an earlier export kept this');

    await files.begin(destination, WRITER_B);
    assert.equal(await files.keepOrDiscard(runOf(WRITER_B), true), undefined, 'no records: nothing kept');
    const again = await afterBatchOne();
    assert.equal(await files.keepOrDiscard(again, false), undefined);
    assert.deepEqual((await readdir(folder)).sort(), [
      'All_Orders.partial (2).csv',
      'All_Orders.partial.csv',
    ]);
  });
});
