import * as assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { MemoryKeyValueStore } from '../../../src/core/ports';
import { LocalRefusal } from '../../../src/core/refusal';
import { LEGACY_JOBS_STATE_KEY, JobStore } from '../../../src/jobs/jobStore';
import { readStoredJobs } from '../../../src/jobs/storedJobs';
import { jobKey } from '../../../src/jobs/model';
import type { TrackedJob } from '../../../src/jobs/model';
import type { JobChange } from '../../../src/jobs/serviceApi';
import { RecordingLogger } from './recordingLogger';
import { SharedStorage } from './sharedStorage';

const REF = { owner: 'acme', app: 'crm', report: 'All_Leads' };

function job(jobId: string, extra: Partial<TrackedJob> = {}): TrackedJob {
  return {
    key: jobKey('acct-1', REF, jobId),
    accountId: 'acct-1',
    ref: REF,
    jobId,
    state: 'running',
    batch: 1,
    trackedAt: 1000,
    changedAt: 1000,
    download: 'none',
    ...extra,
  };
}

function ids(store: JobStore): string[] {
  return store.all().map((each) => each.jobId);
}

function record(store: JobStore): JobChange[] {
  const changes: JobChange[] = [];
  store.onDidChange((change) => changes.push(change));
  return changes;
}

describe('JobStore', () => {
  let shared: SharedStorage;
  beforeEach(async () => {
    shared = await SharedStorage.create();
  });
  afterEach(() => shared.dispose());

  it('persists each added job in its own file of the jobs folder and a new store sees them', async () => {
    const store = shared.store();
    await store.add(job('1'));
    await store.add(job('2', { state: 'completed' }));

    assert.deepEqual((await shared.readItem(job('1').key))?.value, job('1'));
    assert.deepEqual((await shared.readItem(job('2').key))?.value, job('2', { state: 'completed' }));
    assert.equal(
      (await readdir(path.join(shared.dir, 'jobs'))).filter((name) => name.endsWith('.json')).length,
      2,
    );
    const reloaded = shared.store();
    assert.deepEqual(reloaded.all(), store.all());
    assert.deepEqual(
      reloaded.all().map((each) => each.jobId),
      ['1', '2'],
    );
  });

  it('fires added after the job is in memory, and rejects a second add of the same key', async () => {
    const store = shared.store();
    const seen: Array<TrackedJob | undefined> = [];
    store.onDidChange((change) => seen.push(store.get(change.job.key)));
    await store.add(job('1'));
    assert.equal(seen[0]?.jobId, '1');

    // A refusal of ours (shown as it stands, no Zoho step named: core/refusal.ts).
    await assert.rejects(
      store.add(job('1', { state: 'failed' })),
      (error) => error instanceof LocalRefusal && /already tracked/.test(error.message),
    );
    assert.equal(store.get(job('1').key)?.state, 'running');
    assert.equal(seen.length, 1);
  });

  it('keeps its own copy of an added job', async () => {
    const store = shared.store();
    const original = job('1');
    await store.add(original);
    original.state = 'failed';
    assert.equal(store.get(original.key)?.state, 'running');
  });

  it('update merges, persists, and fires updated with the new job visible in memory', async () => {
    const store = shared.store();
    await store.add(job('1'));
    const key = job('1').key;
    const seen: Array<TrackedJob | undefined> = [];
    const changes = record(store);
    store.onDidChange(() => seen.push(store.get(key)));

    const updated = await store.update(key, { state: 'completed', changedAt: 2000 });

    assert.equal(updated?.state, 'completed');
    assert.deepEqual(
      changes.map((change) => [change.kind, change.job.state]),
      [['updated', 'completed']],
    );
    assert.equal(seen[0]?.state, 'completed');
    assert.equal(shared.store().get(key)?.changedAt, 2000);
  });

  it('fires nothing and writes nothing when an update changes no value (deep compare)', async () => {
    const details = { id: '1', status: 'In-progress', state: 'running' as const, result: { count: 0 } };
    const store = shared.store();
    await store.add(job('1', { details }));
    const changes = record(store);
    const { stat } = await import('node:fs/promises');
    const before = (await stat(shared.itemPath(job('1').key))).ino;

    const result = await store.update(job('1').key, { details: structuredClone(details), state: 'running' });

    assert.equal(changes.length, 0);
    assert.equal((await stat(shared.itemPath(job('1').key))).ino, before, 'the file was rewritten');
    assert.equal(result?.details?.status, 'In-progress');
  });

  it('an update with an undefined property clears it, also after reload', async () => {
    const store = shared.store();
    await store.add(job('1', { lastError: { kind: 'network', message: 'offline', at: 5 } }));

    await store.update(job('1').key, { lastError: undefined });

    assert.equal('lastError' in store.get(job('1').key)!, false);
    assert.equal(shared.store().get(job('1').key)?.lastError, undefined);
  });

  it('update of an unknown key resolves undefined without an event', async () => {
    const store = shared.store();
    const changes = record(store);
    assert.equal(await store.update('nope', { state: 'failed' }), undefined);
    assert.equal(changes.length, 0);
  });

  it('remove fires removed, persists, and returns the job; an unknown key resolves undefined', async () => {
    const store = shared.store();
    await store.add(job('1'));
    await store.add(job('2'));
    const changes = record(store);

    const removed = await store.remove(job('1').key);
    assert.equal(await store.remove(job('1').key), undefined);

    assert.equal(removed?.jobId, '1');
    assert.deepEqual(
      changes.map((change) => [change.kind, change.job.jobId]),
      [['removed', '1']],
    );
    assert.equal(store.get(job('1').key), undefined);
    assert.deepEqual(ids(shared.store()), ['2']);
  });

  it('still saves a change when a listener throws, and logs the listener failure', async () => {
    const logger = new RecordingLogger();
    const store = shared.store(logger);
    store.onDidChange(() => {
      throw new Error('listener broke');
    });
    await store.add(job('1'));
    assert.equal(shared.store().all().length, 1);
    assert.match(logger.problems().join('\n'), /listener broke/);
  });

  it('rejects an update that tries to change the key', async () => {
    const store = shared.store();
    await store.add(job('1'));
    await assert.rejects(store.update(job('1').key, { key: 'other' }), /cannot change/);
    assert.ok(store.get(job('1').key));
  });

  describe('several windows over one storage folder', () => {
    it('merges: jobs added by two windows that never re-read are both kept', async () => {
      const a = shared.store();
      const b = shared.store();
      await a.add(job('1'));
      await b.add(job('2'));

      assert.deepEqual(ids(shared.store()), ['1', '2']);
      // Each window sees the other's job once it re-reads (a write touches its own job only).
      b.sync();
      assert.deepEqual(
        b.all().map((each) => each.jobId),
        ['1', '2'],
      );
      const changes = record(a);
      a.sync();
      assert.deepEqual(
        changes.map((change) => [change.kind, change.job.jobId, change.external]),
        [['added', '2', true]],
      );
    });

    it('patches land on the latest stored job: fields changed by another window survive', async () => {
      const a = shared.store();
      await a.add(job('1'));
      const b = shared.store();
      const key = job('1').key;
      await a.update(key, { state: 'completed', changedAt: 5000 });
      await b.update(key, { nextBatchKey: 'next' }); // b still holds the running copy

      const stored = shared.store().get(key);
      assert.equal(stored?.state, 'completed');
      assert.equal(stored?.nextBatchKey, 'next');
      assert.equal(b.get(key)?.state, 'completed');
    });

    it('a job stopped in one window is not brought back by a later write of another', async () => {
      const a = shared.store();
      await a.add(job('1'));
      await a.add(job('2'));
      const b = shared.store();
      await a.remove(job('1').key);
      const changes = record(b);

      assert.equal(await b.update(job('1').key, { state: 'failed' }), undefined);

      assert.deepEqual(ids(shared.store()), ['2']);
      assert.equal(b.get(job('1').key), undefined);
      assert.deepEqual(
        changes.map((change) => [change.kind, change.job.jobId]),
        [
          ['updated', '1'],
          ['removed', '1'],
        ],
      );
    });

    it('loses nothing when three windows write at the same time', async () => {
      const windows = [shared.store(), shared.store(), shared.store()];
      await Promise.all(
        windows.flatMap((store, w) =>
          Array.from({ length: 15 }, (_, i) => store.add(job(`${w}-${i}`, { batch: w + 1 }))),
        ),
      );
      const stored = ids(shared.store());
      assert.equal(stored.length, 45);
      assert.equal(new Set(stored).size, 45);
    });

    it('updateFrom tells the previous stored state, so only one window acts on a transition', async () => {
      const a = shared.store();
      await a.add(job('1'));
      const b = shared.store();
      const key = job('1').key;
      const first = await a.updateFrom(key, { state: 'completed' });
      const second = await b.updateFrom(key, { state: 'completed' });
      assert.equal(first.previous?.state, 'running');
      assert.equal(second.previous?.state, 'completed');
    });

    it("hears another window's write through the file watcher, without a sync call", async () => {
      const a = shared.store();
      const file = shared.file();
      const b = new JobStore(file);
      file.watch();
      const heard = new Promise<JobChange>((resolve) => b.onDidChange(resolve));
      await a.add(job('1'));
      const change = await heard;
      assert.deepEqual([change.kind, change.job.jobId, change.external], ['added', '1', true]);
      b.dispose();
    });

    it('moves a list left in globalState by an older version into the shared store, once', async () => {
      const legacy = new MemoryKeyValueStore();
      await legacy.update(LEGACY_JOBS_STATE_KEY, { version: 1, jobs: [job('1'), job('2')] });
      const store = shared.store(undefined, legacy);
      assert.deepEqual(
        store.all().map((each) => each.jobId),
        ['1', '2'],
      );
      await store.flushed();
      await new Promise((resolve) => setImmediate(resolve));

      assert.equal(legacy.get(LEGACY_JOBS_STATE_KEY), undefined);
      assert.deepEqual(ids(shared.store()), ['1', '2']);
    });
  });

  describe('when the shared store cannot be written', () => {
    const blockWrites = (): Promise<void> => shared.blockWrites();

    it('rejects the change and keeps nothing of it in memory', async () => {
      const store = shared.store(new RecordingLogger());
      await blockWrites();
      await assert.rejects(store.add(job('1')));
      assert.deepEqual(ids(store), []);
    });

    it('keeps the list left in globalState by an older version until it is written', async () => {
      const legacy = new MemoryKeyValueStore();
      const old = { version: 1, jobs: [job('1')] };
      await legacy.update(LEGACY_JOBS_STATE_KEY, old);
      await blockWrites();
      const logger = new RecordingLogger();
      const store = shared.store(logger, legacy);
      await store.flushed();
      await new Promise((resolve) => setImmediate(resolve));

      assert.deepEqual(legacy.get(LEGACY_JOBS_STATE_KEY), old);
      assert.match(logger.problems().join('\n'), /Could not save/);
    });
  });

  describe('loading the one-file list of an older version (jobs.json)', () => {
    for (const [label, garbage] of [
      ['a string', 'not json at all'],
      ['another version', { version: 2, jobs: [job('1')] }],
      ['jobs that are not a list', { version: 1, jobs: { a: 1 } }],
      ['null', null],
    ] as const) {
      it(`ignores ${label} with a logged warning`, async () => {
        await shared.writeJobs(JSON.stringify(garbage));
        const logger = new RecordingLogger();
        const store = shared.store(logger);
        await store.flushed();
        assert.deepEqual(store.all(), []);
        assert.equal(logger.problems().length, 1, logger.problems().join('\n'));
      });
    }

    it('keeps the readable jobs and skips broken or duplicate ones with a warning', async () => {
      await shared.writeJobs({
        version: 1,
        jobs: [
          job('1'),
          { key: 'x' },
          42,
          job('2', { state: 'weird' as never }),
          job('1', { batch: 9 }),
          job('3'),
        ],
      });
      const logger = new RecordingLogger();
      const store = shared.store(logger);
      const expected = [
        ['1', 1],
        ['3', 1],
      ];
      assert.deepEqual(
        store.all().map((each) => [each.jobId, each.batch]),
        expected,
        'shown at once',
      );
      await store.flushed();
      assert.deepEqual(
        shared
          .store()
          .all()
          .map((each) => [each.jobId, each.batch]),
        expected,
        'and stored',
      );
      assert.match(logger.problems().join('\n'), /4 unreadable or duplicate/);
    });

    it('moves every job into the jobs folder once, in tracking order, and keeps the old file as jobs.json.migrated', async () => {
      const old = { version: 1, jobs: [job('3'), job('1'), job('2', { state: 'completed' })] };
      await shared.writeJobs(old);
      const store = shared.store();
      await store.flushed();

      assert.deepEqual(ids(shared.store()), ['3', '1', '2']);
      assert.deepEqual(
        await readdir(shared.dir).then((names) =>
          names.filter((name) => name.startsWith('jobs.json')).sort(),
        ),
        ['jobs.json', 'jobs.json.migrated'],
      );
      assert.deepEqual(JSON.parse(await readFile(`${shared.jobsPath}.migrated`, 'utf8')), old);
    });

    it('leaves in place of jobs.json a placeholder that a window of an older version refuses: it keeps its list and never writes over it', async () => {
      await shared.writeJobs({ version: 1, jobs: [job('1'), job('2')] });
      await shared.store().flushed();
      // What a window of the version before the move (d650fba: JobStore over storedJobs) does with
      // the file: its reader throws for an unknown version (it keeps the list it has, with a
      // warning), and its write (SharedJsonFile.modify) fails without touching the file.
      const placeholder = await readFile(shared.jobsPath, 'utf8');
      assert.throws(
        () => readStoredJobs(JSON.parse(placeholder), new RecordingLogger()),
        /format 2, .*Update the extension \(or reload this window\)/,
      );
      const oldWindow = shared.file();
      await assert.rejects(
        oldWindow.modify((latest) => ({
          version: 1,
          jobs: [...readStoredJobs(latest, new RecordingLogger()), job('3')],
        })),
        /format 2/,
      );
      assert.equal(await readFile(shared.jobsPath, 'utf8'), placeholder);

      const logger = new RecordingLogger();
      const next = shared.store(logger); // a new window takes the placeholder for "moved"
      await next.flushed();
      assert.deepEqual(ids(next), ['1', '2']);
      assert.deepEqual(logger.problems(), []);
      assert.equal(await readFile(shared.jobsPath, 'utf8'), placeholder);
    });

    it('two windows starting at the same time move the list once and lose no job', async () => {
      await shared.writeJobs({ version: 1, jobs: Array.from({ length: 20 }, (_, i) => job(String(i))) });
      const [a, b] = [shared.store(), shared.store()];
      const key = job('5').key;
      // Both show the old list at once, and a change made meanwhile lands on the moved job.
      assert.equal(a.all().length, 20);
      assert.equal(b.all().length, 20);
      const updated = b.update(key, { state: 'completed' });
      await Promise.all([a.flushed(), b.flushed(), updated]);
      a.sync();

      for (const store of [a, b, shared.store()]) {
        assert.equal(store.all().length, 20);
        assert.equal(store.get(key)?.state, 'completed');
      }
      assert.equal((await shared.readItem(key))?.rev, 2, 'moved once, then updated once');
    });

    it('does not bring back a job that another window stopped tracking once it had moved the list', async () => {
      await shared.writeJobs({ version: 1, jobs: [job('1'), job('2')] });
      const [a, b] = [shared.store(), shared.store()]; // both started with the old list
      await a.flushed();
      await a.remove(job('1').key);
      await b.flushed();
      b.sync();

      assert.deepEqual(ids(b), ['2']);
      assert.deepEqual(ids(shared.store()), ['2']);
    });

    it('survives a file that is not JSON', async () => {
      await shared.writeJobs('{"version": 1, "jobs": [');
      const logger = new RecordingLogger();
      const store = shared.store(logger);
      await store.flushed();
      assert.deepEqual(store.all(), []);
      assert.equal(logger.problems().length, 1);
    });

    it('leaves a list in a format it does not know (a newer release) as it is, and keeps working', async () => {
      const newer = JSON.stringify({ version: 2, jobs: [job('1')], more: 'fields' });
      await shared.writeJobs(newer);
      const logger = new RecordingLogger();
      const store = shared.store(logger);

      await store.add(job('2'));
      await store.flushed();
      assert.equal(await readFile(shared.jobsPath, 'utf8'), newer);
      assert.deepEqual(ids(store), ['2']);
      assert.match(logger.problems().join('\n'), /format 2/);
    });

    for (const [label, text] of [
      ['not JSON', '{"version": 1, "jobs": ['],
      ['not a job list', '{"version": 1, "jobs": {"a": 1}}'],
    ] as const) {
      it(`moves a file that is ${label} aside with a warning before the first write, losing nothing`, async () => {
        await shared.writeJobs(text);
        const logger = new RecordingLogger();
        const store = shared.store(logger);

        await store.add(job('2'));

        assert.deepEqual(ids(shared.store()), ['2']);
        const aside = (await readdir(shared.dir)).filter((name) => name.startsWith('jobs.json.bad-'));
        assert.equal(aside.length, 1);
        assert.equal(await readFile(path.join(shared.dir, aside[0]), 'utf8'), text);
        assert.match(logger.problems().join('\n'), /moved to jobs\.json\.bad-/);
      });
    }

    it('starts empty and silent when nothing was stored yet', async () => {
      const logger = new RecordingLogger();
      const store = shared.store(logger);
      await store.flushed();
      assert.deepEqual(store.all(), []);
      assert.deepEqual(logger.problems(), []);
    });
  });

  describe('job files', () => {
    it('never overwrites a job stored in a format it does not know (a newer release): the change is refused', async () => {
      const store = shared.store(new RecordingLogger());
      await store.add(job('1'));
      const newer = JSON.stringify({ format: 2, key: job('1').key, whatever: true });
      await writeFile(shared.itemPath(job('1').key), newer);

      await assert.rejects(store.update(job('1').key, { state: 'failed' }), /format 2/);
      assert.equal(await readFile(shared.itemPath(job('1').key), 'utf8'), newer);
      assert.equal(store.get(job('1').key)?.state, 'running', 'the refused change is not shown');
    });

    it('refuses to write when a job file cannot be read (not only when it is missing)', async () => {
      await mkdir(shared.itemPath(job('1').key), { recursive: true });
      const store = shared.store(new RecordingLogger());
      await assert.rejects(store.add(job('1')), /EISDIR/);
      assert.deepEqual(await readdir(shared.itemPath(job('1').key)), []);
      assert.deepEqual(ids(store), []);
    });
  });
});
