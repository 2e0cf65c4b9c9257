import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import {
  Disposable,
  DisposableStore,
  Emitter,
  logUnexpectedErrorsTo,
  toDisposable,
  type IDisposable,
} from '../../../src/core/lifecycle';
import { FileLease, POLLER_LEASE_FILE_NAME } from '../../../src/core/lease';
import { systemClock } from '../../../src/core/ports';
import { SharedJsonFile } from '../../../src/core/sharedJsonFile';
import { jobKey, type TrackedJob } from '../../../src/jobs/model';
import { RecordingLogger } from '../jobs/recordingLogger';
import { SharedStorage } from '../jobs/sharedStorage';

/** Routes unexpected errors to a RecordingLogger for one test. */
function recordUnexpected(): { logger: RecordingLogger; restore: IDisposable } {
  const logger = new RecordingLogger();
  return { logger, restore: logUnexpectedErrorsTo(logger) };
}

describe('Emitter', () => {
  let unexpected: ReturnType<typeof recordUnexpected>;
  beforeEach(() => (unexpected = recordUnexpected()));
  afterEach(() => unexpected.restore.dispose());

  it('still calls the other listeners when one throws, and logs the failure', () => {
    const emitter = new Emitter<number>();
    const heard: string[] = [];
    emitter.event((value) => heard.push(`first ${value}`));
    emitter.event(() => {
      throw new Error('this view broke');
    });
    emitter.event((value) => heard.push(`last ${value}`));

    emitter.fire(1);
    emitter.fire(2);

    assert.deepEqual(heard, ['first 1', 'last 1', 'first 2', 'last 2']);
    assert.deepEqual(unexpected.logger.problems(), [
      'error A listener failed: this view broke',
      'error A listener failed: this view broke',
    ]);
  });

  it('logs an async listener whose promise rejects', async () => {
    const emitter = new Emitter<void>();
    let rejected: Promise<void> = Promise.resolve();
    emitter.event(() => (rejected = Promise.reject(new Error('later'))));
    emitter.fire();
    await rejected.catch(() => undefined); // the emitter's handler, attached first, has run
    assert.deepEqual(unexpected.logger.problems(), ['error A listener failed: later']);
  });

  it("reports to the emitter's own handler when it has one", () => {
    const own: unknown[] = [];
    const emitter = new Emitter<void>((error) => own.push(error));
    emitter.event(() => {
      throw new Error('store listener');
    });
    emitter.fire();
    assert.equal(own.length, 1);
    assert.deepEqual(unexpected.logger.problems(), []);
  });

  it('has the shape of a VS Code event: thisArg, a disposables array, and unsubscribing', () => {
    const emitter = new Emitter<string>();
    const subscriptions: IDisposable[] = [];
    const receiver = {
      heard: [] as string[],
      hear(this: { heard: string[] }, value: string) {
        this.heard.push(value);
      },
    };
    emitter.event(receiver.hear, receiver, subscriptions);
    emitter.fire('a');
    assert.equal(subscriptions.length, 1);
    void subscriptions[0].dispose();
    emitter.fire('b');
    assert.deepEqual(receiver.heard, ['a']);
  });

  it('calls no listener after it is disposed, nor one subscribed afterwards', () => {
    const emitter = new Emitter<void>();
    let calls = 0;
    emitter.event(() => calls++);
    emitter.dispose();
    emitter.event(() => calls++);
    emitter.fire();
    assert.equal(calls, 0);
  });
});

class Owner extends Disposable {
  constructor(
    private readonly log: string[],
    private readonly flush: Promise<void> = Promise.resolve(),
  ) {
    super();
  }
  own(name: string, fail = false): void {
    this.register(
      toDisposable(() => {
        this.log.push(name);
        if (fail) {
          throw new Error(`${name} failed`);
        }
      }),
    );
  }
  get disposedNow(): boolean {
    return this.isDisposed;
  }
  protected override onDispose(): Promise<void> {
    this.log.push('own teardown');
    return this.flush.then(() => void this.log.push('flushed'));
  }
}

describe('Disposable', () => {
  let unexpected: ReturnType<typeof recordUnexpected>;
  beforeEach(() => (unexpected = recordUnexpected()));
  afterEach(() => unexpected.restore.dispose());

  it('disposes what it registered last-first and at once, then resolves after its own flush', async () => {
    const log: string[] = [];
    let finishFlush!: () => void;
    const owner = new Owner(log, new Promise((resolve) => (finishFlush = resolve)));
    owner.own('first');
    owner.own('second');

    let resolved = false;
    const disposed = owner.dispose().then(() => (resolved = true));

    assert.equal(owner.disposedNow, true);
    assert.deepEqual(log, ['second', 'first', 'own teardown'], 'all torn down synchronously');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(resolved, false, 'still waiting for the flush');
    finishFlush();
    await disposed;
    assert.deepEqual(log, ['second', 'first', 'own teardown', 'flushed']);
  });

  it('returns the same promise every time and tears down once', async () => {
    const log: string[] = [];
    const owner = new Owner(log);
    owner.own('child');
    const first = owner.dispose();
    assert.equal(owner.dispose(), first);
    await first;
    assert.deepEqual(log, ['child', 'own teardown', 'flushed']);
  });

  it('disposes the rest when one owned item throws, logs it, and never rejects', async () => {
    const log: string[] = [];
    const owner = new Owner(log);
    owner.own('first');
    owner.own('broken', true);
    owner.own('last');
    await owner.dispose();
    assert.deepEqual(log, ['last', 'broken', 'first', 'own teardown', 'flushed']);
    assert.deepEqual(unexpected.logger.problems(), ['error Could not dispose: broken failed']);
  });

  it('disposes at once what is registered after it was disposed', async () => {
    const log: string[] = [];
    const owner = new Owner(log);
    await owner.dispose();
    owner.own('late');
    assert.deepEqual(log, ['own teardown', 'flushed', 'late']);
  });

  it('a store waits for what its children still write', async () => {
    const store = new DisposableStore();
    let written = false;
    store.add({
      dispose: () => new Promise<void>((resolve) => setImmediate(resolve)).then(() => void (written = true)),
    });
    await store.dispose();
    assert.equal(written, true);
  });
});

describe('Disposing what must flush (real files)', () => {
  let shared: SharedStorage;
  beforeEach(async () => (shared = await SharedStorage.create()));
  afterEach(() => shared.dispose());

  it('a job changed just before the window closes is in the shared file once dispose resolves', async () => {
    const REF = { owner: 'acme', app: 'crm', report: 'All_Leads' };
    const job: TrackedJob = {
      key: jobKey('acct-1', REF, '1'),
      accountId: 'acct-1',
      ref: REF,
      jobId: '1',
      state: 'running',
      batch: 1,
      trackedAt: 1000,
      changedAt: 1000,
      download: 'none',
    };
    const closing = shared.store();
    const added = closing.add(job); // not awaited: the window closes with the write on its way
    await closing.dispose();
    assert.deepEqual(
      shared
        .store()
        .all()
        .map((each) => each.jobId),
      ['1'],
      'another window reads the job',
    );
    await added;
  });

  it("a closing window's lease is given back once dispose resolves", async () => {
    const file = new SharedJsonFile(path.join(shared.dir, POLLER_LEASE_FILE_NAME), systemClock);
    const lease = new FileLease(file, systemClock);
    await lease.start();
    assert.equal(lease.held, true);
    await lease.dispose();
    assert.equal((file.read() as { holder: string }).holder, '', 'the lease file names no holder');
    void file.dispose();
  });
});
