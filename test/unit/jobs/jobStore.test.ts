import * as assert from 'node:assert/strict';
import { MemoryKeyValueStore } from '../../../src/core/ports';
import type { KeyValueStore } from '../../../src/core/ports';
import { JOBS_STATE_KEY, JobStore } from '../../../src/jobs/jobStore';
import { jobKey } from '../../../src/jobs/model';
import type { TrackedJob } from '../../../src/jobs/model';
import type { JobChange } from '../../../src/jobs/serviceApi';
import { settle } from '../helpers/fakeClock';
import { RecordingLogger } from './recordingLogger';

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

function record(store: JobStore): JobChange[] {
  const changes: JobChange[] = [];
  store.onDidChange((change) => changes.push(change));
  return changes;
}

/** Storage whose writes land only when the test releases them, in any order it likes. */
class ControlledStore implements KeyValueStore {
  readonly inner = new MemoryKeyValueStore();
  readonly pending: Array<() => void> = [];
  get<T>(key: string): T | undefined {
    return this.inner.get<T>(key);
  }
  update(key: string, value: unknown): Promise<void> {
    const snapshot = structuredClone(value);
    return new Promise((resolve) => this.pending.push(() => resolve(this.inner.update(key, snapshot))));
  }
}

describe('JobStore', () => {
  it('persists added jobs as { version: 1, jobs } and a new store over the same storage sees them', async () => {
    const storage = new MemoryKeyValueStore();
    const store = new JobStore(storage);
    await store.add(job('1'));
    await store.add(job('2', { state: 'completed' }));

    assert.deepEqual(storage.get(JOBS_STATE_KEY), {
      version: 1,
      jobs: [job('1'), job('2', { state: 'completed' })],
    });
    const reloaded = new JobStore(storage);
    assert.deepEqual(reloaded.all(), store.all());
    assert.deepEqual(
      reloaded.all().map((each) => each.jobId),
      ['1', '2'],
    );
  });

  it('fires added after the job is in memory, and rejects a second add of the same key', async () => {
    const store = new JobStore(new MemoryKeyValueStore());
    const seen: Array<TrackedJob | undefined> = [];
    store.onDidChange((change) => seen.push(store.get(change.job.key)));
    await store.add(job('1'));
    assert.equal(seen[0]?.jobId, '1');

    await assert.rejects(store.add(job('1', { state: 'failed' })), /already tracked/);
    assert.equal(store.get(job('1').key)?.state, 'running');
    assert.equal(seen.length, 1);
  });

  it('keeps its own copy of an added job', async () => {
    const store = new JobStore(new MemoryKeyValueStore());
    const original = job('1');
    await store.add(original);
    original.state = 'failed';
    assert.equal(store.get(original.key)?.state, 'running');
  });

  it('update merges, persists, and fires updated with the new job visible in memory', async () => {
    const storage = new MemoryKeyValueStore();
    const store = new JobStore(storage);
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
    assert.equal(new JobStore(storage).get(key)?.changedAt, 2000);
  });

  it('fires nothing and writes nothing when an update changes no value (deep compare)', async () => {
    let writes = 0;
    const inner = new MemoryKeyValueStore();
    const storage: KeyValueStore = {
      get: (key) => inner.get(key),
      update: (key, value) => (writes++, inner.update(key, value)),
    };
    const details = { id: '1', status: 'In-progress', state: 'running' as const, result: { count: 0 } };
    const store = new JobStore(storage);
    await store.add(job('1', { details }));
    const changes = record(store);
    const writesBefore = writes;

    const result = await store.update(job('1').key, { details: structuredClone(details), state: 'running' });

    assert.equal(changes.length, 0);
    assert.equal(writes, writesBefore);
    assert.equal(result?.details?.status, 'In-progress');
  });

  it('an update with an undefined property clears it, also after reload', async () => {
    const storage = new MemoryKeyValueStore();
    const store = new JobStore(storage);
    await store.add(job('1', { lastError: { kind: 'network', message: 'offline', at: 5 } }));

    await store.update(job('1').key, { lastError: undefined });

    assert.equal('lastError' in store.get(job('1').key)!, false);
    assert.equal(new JobStore(storage).get(job('1').key)?.lastError, undefined);
  });

  it('update of an unknown key resolves undefined without an event', async () => {
    const store = new JobStore(new MemoryKeyValueStore());
    const changes = record(store);
    assert.equal(await store.update('nope', { state: 'failed' }), undefined);
    assert.equal(changes.length, 0);
  });

  it('remove fires removed, persists, and returns the job; an unknown key resolves undefined', async () => {
    const storage = new MemoryKeyValueStore();
    const store = new JobStore(storage);
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
    assert.deepEqual(
      new JobStore(storage).all().map((each) => each.jobId),
      ['2'],
    );
  });

  it('serialises writes so concurrent updates never lose one, even if the storage answers out of order', async () => {
    const storage = new ControlledStore();
    const store = new JobStore(storage);
    const key = job('1').key;
    const added = store.add(job('1'));
    await settle();
    const first = store.update(key, { state: 'completed' });
    const second = store.update(key, { lastPolledAt: 7 });
    await settle();
    const third = store.update(key, { download: 'ready' });
    await settle();

    // Release the newest write first whenever several are waiting: a store that writes in parallel
    // would then let an older snapshot overwrite a newer one.
    while (storage.pending.length > 0) {
      storage.pending.pop()!();
      await settle();
    }
    await Promise.all([added, first, second, third]);

    const saved = new JobStore(storage).get(key);
    assert.equal(saved?.state, 'completed');
    assert.equal(saved?.lastPolledAt, 7);
    assert.equal(saved?.download, 'ready');
  });

  it('still saves a change when a listener throws, and logs the listener failure', async () => {
    const storage = new MemoryKeyValueStore();
    const logger = new RecordingLogger();
    const store = new JobStore(storage, logger);
    store.onDidChange(() => {
      throw new Error('listener broke');
    });
    await store.add(job('1'));
    assert.equal(new JobStore(storage).all().length, 1);
    assert.match(logger.problems().join('\n'), /listener broke/);
  });

  it('rejects an update that tries to change the key', async () => {
    const store = new JobStore(new MemoryKeyValueStore());
    await store.add(job('1'));
    await assert.rejects(store.update(job('1').key, { key: 'other' }), /cannot change/);
    assert.ok(store.get(job('1').key));
  });

  describe('loading', () => {
    it('brings a job that was downloading back as none (the window died mid-download)', async () => {
      const storage = new MemoryKeyValueStore();
      await storage.update(JOBS_STATE_KEY, {
        version: 1,
        jobs: [job('1', { download: 'downloading' }), job('2', { download: 'ready' })],
      });
      const store = new JobStore(storage);
      assert.deepEqual(
        store.all().map((each) => each.download),
        ['none', 'ready'],
      );
    });

    for (const [label, garbage] of [
      ['a string', 'not json at all'],
      ['another version', { version: 2, jobs: [job('1')] }],
      ['jobs that are not a list', { version: 1, jobs: { a: 1 } }],
      ['null', null],
    ] as const) {
      it(`ignores ${label} with a logged warning`, () => {
        const storage = new MemoryKeyValueStore();
        void storage.update(JOBS_STATE_KEY, garbage);
        const logger = new RecordingLogger();
        const store = new JobStore(storage, logger);
        assert.deepEqual(store.all(), []);
        assert.equal(logger.problems().length, 1);
      });
    }

    it('keeps the readable jobs and skips broken or duplicate ones with a warning', async () => {
      const storage = new MemoryKeyValueStore();
      await storage.update(JOBS_STATE_KEY, {
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
      const store = new JobStore(storage, logger);
      assert.deepEqual(
        store.all().map((each) => [each.jobId, each.batch]),
        [
          ['1', 1],
          ['3', 1],
        ],
      );
      assert.match(logger.problems().join('\n'), /4 unreadable or duplicate/);
    });

    it('survives storage that throws when read', () => {
      const logger = new RecordingLogger();
      const storage: KeyValueStore = {
        get: () => {
          throw new SyntaxError('Unexpected token');
        },
        update: async () => undefined,
      };
      const store = new JobStore(storage, logger);
      assert.deepEqual(store.all(), []);
      assert.match(logger.problems().join('\n'), /Unexpected token/);
    });

    it('starts empty and silent when nothing was stored yet', () => {
      const logger = new RecordingLogger();
      assert.deepEqual(new JobStore(new MemoryKeyValueStore(), logger).all(), []);
      assert.deepEqual(logger.problems(), []);
    });
  });
});
