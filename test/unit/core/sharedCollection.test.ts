// The one shared-state mechanism (src/core/sharedCollection.ts): separate instances over one real
// folder, as separate windows are, merging under two and three writers, a writer that pauses
// mid-write, a crash mid-write, the folder's one watcher, and moving an old one-file list.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { utimesSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { itemFileName } from '../../../src/core/itemFile';
import { systemClock, type Logger } from '../../../src/core/ports';
import { SharedCollection, type CollectionChange } from '../../../src/core/sharedCollection';
import { SharedFolder } from '../../../src/core/sharedFolder';
import { SharedJsonFile, UnusableContentError } from '../../../src/core/sharedJsonFile';
import { RecordingLogger } from '../jobs/recordingLogger';
import { SharedStorage } from '../jobs/sharedStorage';
import { COUNTERS, increment, isCounter, type Counter } from './counters';

describe('SharedCollection (one file per item, many windows)', () => {
  let shared: SharedStorage;
  const open: Array<SharedCollection<Counter>> = [];
  beforeEach(async () => {
    shared = await SharedStorage.create();
  });
  afterEach(async () => {
    open.splice(0).forEach((collection) => collection.dispose());
    await shared.dispose();
  });

  /** A new window's collection over the shared folder. */
  function window(logger?: Logger): SharedCollection<Counter> {
    const collection = new SharedCollection({
      dir: shared.dir,
      name: COUNTERS,
      label: 'counters',
      isItem: isCounter,
      clock: systemClock,
      logger,
    });
    open.push(collection);
    return collection;
  }

  const file = (key: string): string => shared.itemPath(key, COUNTERS);
  const stored = async (key: string): Promise<{ rev: number; value: Counter } | undefined> =>
    (await shared.readItem(key, COUNTERS)) as { rev: number; value: Counter } | undefined;

  function record(collection: SharedCollection<Counter>): Array<CollectionChange<Counter>> {
    const changes: Array<CollectionChange<Counter>> = [];
    collection.onDidChange((change) => changes.push(change));
    return changes;
  }

  it('two writers changing one item at the same time keep both changes, and each hears the other once', async () => {
    const [a, b] = [window(), window()];
    const heardByA = record(a);
    await Promise.all([a.change('x', increment('x', 'a')), b.change('x', increment('x', 'b'))]);

    assert.equal((await stored('x'))?.value.count, 2);
    assert.equal((await stored('x'))?.rev, 2);
    a.sync();
    b.sync();
    assert.equal(a.get('x')?.count, 2);
    assert.equal(b.get('x')?.count, 2);
    assert.deepEqual(
      heardByA.map(({ kind, external }) => [kind, external]),
      [
        ['added', false], // its own, at once
        ['updated', true], // b's, once read
      ],
    );
    assert.equal(heardByA.at(-1)?.item.count, 2);
  });

  it('three writers adding to one item and to items of their own lose nothing', async () => {
    const writers = [window(), window(), window()];
    await Promise.all(
      writers.flatMap((writer, w) =>
        Array.from({ length: 10 }, (_, i) => [
          writer.change('shared', increment('shared', `w${w}`)),
          writer.change(`own-${w}-${i}`, increment(`own-${w}-${i}`, `w${w}`)),
        ]).flat(),
      ),
    );
    const reader = window();
    assert.equal(reader.get('shared')?.count, 30);
    assert.ok((await stored('shared'))!.rev <= 30, 'changes queued together are written together');
    assert.deepEqual(
      ['w0', 'w1', 'w2'].map((w) => reader.get('shared')?.by.filter((by) => by === w).length),
      [10, 10, 10],
    );
    assert.equal(reader.all().length, 31);
  });

  it('a change writes only its own item, and the other window reads only that file', async () => {
    const a = window();
    for (const key of ['x', 'y', 'z']) {
      await a.change(key, increment(key, 'a'));
    }
    const b = window();
    const untouched = await Promise.all(['x', 'z'].map(async (key) => (await stat(file(key))).ino));
    const heard = record(b);

    await a.change('y', increment('y', 'a'));
    b.syncFile(itemFileName('y')); // what the folder's watcher tells it
    b.syncFile(itemFileName('x')); // a name reported twice (or by mistake) is cheap: nothing changed

    assert.deepEqual(
      await Promise.all(['x', 'z'].map(async (key) => (await stat(file(key))).ino)),
      untouched,
    );
    assert.deepEqual(
      heard.map(({ kind, key, external }) => [kind, key, external]),
      [['updated', 'y', true]],
    );
    assert.ok((await stat(file('y'))).size < 200, 'a few hundred bytes');
  });

  it('a writer paused mid-write (its lock broken meanwhile) does not clobber the newer item: it merges again', async function () {
    this.timeout(60_000); // starts a second Node process
    const paused = window();
    await paused.change('x', increment('x', 'first'));
    let pausedOnce = false;
    let armed = false;
    const lock = `${file('x')}.lock`;
    const write = paused.change('x', (current) => {
      if (armed && !pausedOnce) {
        pausedOnce = true;
        // This process stops here (a closed laptop lid) long enough for its lock to look
        // abandoned, and another window's process breaks it and stores a newer revision.
        const past = new Date(Date.now() - 60_000);
        utimesSync(lock, past, past);
        execFileSync(
          process.execPath,
          ['-r', 'esbuild-register', path.join(__dirname, 'collectionWriter.ts'), shared.dir, 'x'],
          { stdio: 'inherit' },
        );
      }
      return increment('x', 'paused')(current);
    });
    armed = true;
    const written = await write;

    assert.ok(pausedOnce, 'the write paused');
    const final = await stored('x');
    assert.equal(final?.value.count, 3, 'the other window’s change survives');
    assert.deepEqual(final?.value.by, ['first', 'other process', 'paused']);
    assert.equal(final?.rev, 3);
    assert.equal(written.previous?.count, 2, 'the merge ran again on the newer item');
  });

  it('a writer that crashed mid-write leaves no half item: readers see the last whole one, and the next writer goes on', async () => {
    const a = window();
    await a.change('x', increment('x', 'a'));
    // The crash: a half-written temp file, and the lock it never released (untouched since).
    await writeFile(`${file('x')}.0b5e1f-crashed.tmp`, '{"format":1,"key":"x","rev":2,"value":{"cou');
    await writeFile(`${file('x')}.lock`, 'crashed-writer');
    const past = new Date(Date.now() - 60_000);
    await utimes(`${file('x')}.lock`, past, past);

    await utimes(
      `${file('x')}.0b5e1f-crashed.tmp`,
      new Date(Date.now() - 3_600_000),
      new Date(Date.now() - 3_600_000),
    );

    const b = window();
    assert.deepEqual(b.get('x')?.by, ['a']);
    await b.change('x', increment('x', 'b'));
    assert.deepEqual((await stored('x'))?.value.by, ['a', 'b']);
    assert.equal((await stored('x'))?.rev, 2);
    assert.deepEqual(
      (await readdir(path.join(shared.dir, COUNTERS))).filter((name) => name.endsWith('.tmp')),
      [],
      'the crashed writer’s temp file is cleared by the next window',
    );
  });

  it('an item file that is not whole JSON is skipped with a warning, then set aside by the next write', async () => {
    await mkdir(path.join(shared.dir, COUNTERS), { recursive: true });
    await writeFile(file('x'), '{"format":1,"key":"x","rev":4,"ord');
    const logger = new RecordingLogger();
    const a = window(logger);
    assert.equal(a.get('x'), undefined);
    assert.match(logger.problems().join('\n'), /not JSON/);

    await a.change('x', increment('x', 'a'));
    assert.deepEqual((await stored('x'))?.value.by, ['a']);
    const aside = (await readdir(path.join(shared.dir, COUNTERS))).filter((name) => name.includes('.bad-'));
    assert.equal(aside.length, 1, 'kept for the user');
  });

  it('a change shown only once stored (not optimistic) is never announced when the merge refuses', async () => {
    const a = window();
    await a.change('x', increment('x', 'a'));
    const heard = record(a);
    const refused = await a.change('x', (current) => current, false);
    const accepted = a.change('x', increment('x', 'a'), false);
    assert.equal(a.get('x')?.count, 1, 'not shown before it is stored');
    await accepted;

    assert.equal(refused.accepted, false);
    assert.deepEqual(
      heard.map(({ kind, item, external }) => [kind, item.count, external]),
      [['updated', 2, false]],
    );
  });

  it('a write that fails rejects its caller and shows what is stored again', async () => {
    const a = window(new RecordingLogger());
    await a.change('x', increment('x', 'a'));
    await shared.blockWrites(COUNTERS);
    await assert.rejects(a.change('x', increment('x', 'a')));
    await assert.rejects(a.change('y', increment('y', 'a')));
    assert.equal(a.get('x')?.count, 1);
    assert.equal(a.get('y'), undefined);
  });

  it("the folder's one watcher names the item file another window changed", async () => {
    const a = window();
    await a.change('x', increment('x', 'a'));
    await a.change('y', increment('y', 'a'));
    const folder = SharedFolder.acquire(shared.dir, systemClock);
    const lease = new SharedJsonFile(path.join(shared.dir, 'lease.json'), systemClock);
    try {
      const names = new Set<string>();
      folder.onDidChange(COUNTERS, (name) => names.add(name));
      lease.watch(); // the lease, a file of the folder itself, starts the same watcher
      await folder.check(); // the first pass stamps what is there
      names.clear();
      const heard = new Promise<void>((resolve) => folder.onDidChange(COUNTERS, () => resolve()));

      await window().change('y', increment('y', 'b'));
      await folder.check(); // the stat fallback (events are not awaited: they may come first)
      await heard;

      assert.deepEqual([...names], [itemFileName('y')]);
    } finally {
      lease.dispose();
      folder.release();
    }
  });

  it('a window that opens from the snapshot still sees every change made since, and a damaged snapshot costs only reads', async () => {
    const a = window();
    await Promise.all(Array.from({ length: 60 }, (_, i) => a.change(`k${i}`, increment(`k${i}`, 'a'))));
    const first = window(); // reads 60 files, leaves the snapshot
    await first.flushed();
    assert.ok((await readdir(path.join(shared.dir, COUNTERS))).includes('index.snapshot'));
    await a.change('k3', increment('k3', 'a'));
    await a.change('k4', () => undefined);
    await a.change('k60', increment('k60', 'a'));

    const next = window();
    await next.flushed(); // the check of the snapshot's files
    assert.equal(next.get('k3')?.count, 2);
    assert.equal(next.get('k4'), undefined);
    assert.equal(next.get('k60')?.count, 1);
    assert.equal(next.all().length, 60);

    await writeFile(path.join(shared.dir, COUNTERS, 'index.snapshot'), '{"format":1,"items":{"x":');
    const after = window();
    await after.flushed();
    assert.equal(after.get('k3')?.count, 2);
    assert.equal(after.all().length, 60);
  });

  it('a window that opens from an old snapshot shows every item as its file has it now, before any check', async () => {
    const a = window();
    await Promise.all(Array.from({ length: 60 }, (_, i) => a.change(`k${i}`, increment(`k${i}`, 'a'))));
    const first = window(); // reads 60 files, leaves the snapshot
    await first.flushed();
    assert.ok((await readdir(path.join(shared.dir, COUNTERS))).includes('index.snapshot'));
    await a.change('k7', increment('k7', 'a')); // e.g. a job completed since
    await a.change('k8', () => undefined);

    const next = window(); // what activation sees, synchronously
    assert.equal(next.get('k7')?.count, 2);
    assert.equal(next.get('k8'), undefined);
    assert.equal(next.get('k9')?.count, 1);
    assert.equal(next.all().length, 59);
  });

  describe('moving an old one-file list', () => {
    const legacyPath = (): string => path.join(shared.dir, 'counters.json');
    const legacy = (): { file: SharedJsonFile; parse: (raw: unknown) => Array<[string, Counter]> } => ({
      file: new SharedJsonFile(legacyPath(), systemClock),
      parse: (raw) => {
        if (!Array.isArray(raw)) {
          throw new UnusableContentError('not a list');
        }
        return (raw as Counter[]).map((counter) => [counter.key, counter]);
      },
    });
    const old: Counter[] = ['c', 'a', 'b'].map((key) => ({ key, count: 5, by: ['old'] }));

    it('two windows starting at the same time move every item once, in list order, and keep the old file', async () => {
      await writeFile(legacyPath(), JSON.stringify(old));
      const [a, b] = [window(), window()];
      a.importLegacy(legacy());
      b.importLegacy(legacy());
      assert.deepEqual(
        a.all().map((counter) => counter.key),
        ['c', 'a', 'b'],
        'shown at once',
      );
      const added = b.change('a', increment('a', 'b')); // waits for the move
      await Promise.all([a.flushed(), b.flushed(), added]);

      const reader = window();
      assert.deepEqual(
        reader.all().map((counter) => [counter.key, counter.count]),
        [
          ['c', 5],
          ['a', 6],
          ['b', 5],
        ],
      );
      assert.deepEqual(
        (await Promise.all(['c', 'b'].map(stored))).map((item) => item?.rev),
        [1, 1],
        'moved once',
      );
      assert.deepEqual(JSON.parse(await readFile(`${legacyPath()}.migrated`, 'utf8')), old);
      assert.equal(
        (JSON.parse(await readFile(legacyPath(), 'utf8')) as { movedTo: string }).movedTo,
        COUNTERS,
        'a placeholder in place of the old file',
      );
      assert.ok(!(await readdir(shared.dir)).includes('counters.json.migrating'));
    });

    /** The state a window leaves once it has claimed the list (see src/core/legacyList.ts). */
    async function claimed(lockAge: number): Promise<string> {
      await writeFile(`${legacyPath()}.migrating`, JSON.stringify(old));
      await writeFile(legacyPath(), JSON.stringify({ version: 2, movedTo: COUNTERS }));
      const lock = `${legacyPath()}.migrating.lock`;
      await writeFile(lock, 'the mover');
      const time = new Date(Date.now() - lockAge);
      await utimes(lock, time, time);
      return lock;
    }

    it('a move another window is at is left to it: a window starting meanwhile shows the list, moves nothing, and a job removed after the move stays removed', async () => {
      const lock = await claimed(0);
      const b = window();
      b.importLegacy(legacy());
      assert.deepEqual(
        b.all().map((counter) => counter.key),
        ['c', 'a', 'b'],
        'shown from the claimed list',
      );
      const waited = b.flushed();
      // The mover (another window) stores the items, and the user then removes one.
      const mover = window();
      for (const counter of old) {
        await mover.change(counter.key, (stored) => stored ?? counter);
      }
      await mover.change('a', () => undefined);
      await rename(`${legacyPath()}.migrating`, `${legacyPath()}.migrated`);
      await rm(lock);
      await waited;

      assert.deepEqual(
        b.all().map((counter) => counter.key),
        ['c', 'b'],
      );
      assert.equal(await stored('a'), undefined, 'not moved again');
      assert.deepEqual(
        (await Promise.all(['c', 'b'].map(stored))).map((item) => item?.rev),
        [1, 1],
        'moved once',
      );
    });

    it('a move whose window crashed (its claim untouched past the lock’s life) is finished by the next window', async () => {
      await claimed(60_000);
      await mkdir(path.join(shared.dir, COUNTERS), { recursive: true });
      const a = window();
      await a.change('c', (stored) => stored ?? old[0]); // moved before the crash, then changed
      await a.change('c', increment('c', 'new'));

      const b = window();
      b.importLegacy(legacy());
      await b.flushed();

      assert.deepEqual(
        ['c', 'a', 'b'].map((key) => b.get(key)?.by),
        [['old', 'new'], ['old'], ['old']],
      );
      const names = await readdir(shared.dir);
      assert.ok(names.includes('counters.json.migrated'));
      assert.ok(!names.includes('counters.json.migrating'));
    });

    it('a move that crashed half-way is finished by the next window, keeping what was stored since', async () => {
      const a = window();
      await a.change('a', increment('a', 'new')); // moved, then changed, before the crash
      await a.change('a', increment('a', 'new'));
      await writeFile(legacyPath(), JSON.stringify(old));

      const b = window();
      b.importLegacy(legacy());
      await b.flushed();

      assert.deepEqual(
        ['c', 'a', 'b'].map((key) => b.get(key)?.by),
        [['old'], ['new', 'new'], ['old']],
      );
    });
  });
});
