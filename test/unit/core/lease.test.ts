// Several windows (FileLease instances) over one storage folder, on fake clocks: exactly one holds
// the lease; closing or hanging hands it over within seconds.
import * as assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { acquireLock } from '../../../src/core/fileLock';
import { FileLease, LEASE_HEARTBEAT_MS, LEASE_TTL_MS, POLLER_LEASE_FILE_NAME } from '../../../src/core/lease';
import { FakeClock } from '../helpers/fakeClock';
import { SharedStorage } from '../jobs/sharedStorage';

describe('FileLease', () => {
  let shared: SharedStorage;
  const leases: FileLease[] = [];

  function lease(clock: FakeClock): FileLease {
    const made = new FileLease(shared.file(POLLER_LEASE_FILE_NAME), clock);
    leases.push(made);
    return made;
  }

  /** Moves the clocks on and waits for the heartbeats that fired (real file I/O). */
  async function advance(ms: number, ...clocks: FakeClock[]): Promise<void> {
    for (let step = 0; step < ms; step += 500) {
      for (const clock of clocks) {
        clock.tick(500);
      }
      await Promise.all(leases.map((each) => each.beat()));
    }
  }

  /** A window that holds the lease and stops beating (its clock stands still), and another. */
  async function holderAndOther() {
    const hungClock = new FakeClock();
    const clock = new FakeClock();
    const hung = lease(hungClock);
    const other = lease(clock);
    await hung.start();
    await other.start();
    return { hung, hungClock, other, clock };
  }

  beforeEach(async () => {
    shared = await SharedStorage.create();
  });
  afterEach(async () => {
    await Promise.all(leases.splice(0).map((each) => each.close()));
    await shared.dispose();
  });

  it('is held by exactly one of three windows, and says so with an event', async () => {
    const clock = new FakeClock();
    const windows = [lease(clock), lease(clock), lease(clock)];
    const events = windows.map(() => [] as boolean[]);
    windows.forEach((each, i) => each.onDidChange((held) => events[i].push(held)));
    // All three ask at once: any one may win the race, but only one.
    await Promise.all(windows.map((each) => each.start()));
    const winner = windows.findIndex((each) => each.held);
    assert.notEqual(winner, -1, 'one window holds it');
    await advance(3 * LEASE_TTL_MS, clock);

    assert.equal(windows.filter((each) => each.held).length, 1);
    assert.equal(windows[winner].held, true, 'the winner keeps it while it beats');
    assert.deepEqual(
      events,
      windows.map((_, i) => (i === winner ? [true] : [])),
    );
  });

  it('passes to another window at its next beat when the holder closes', async () => {
    const clock = new FakeClock();
    const [a, b, c] = [lease(clock), lease(clock), lease(clock)];
    for (const each of [a, b, c]) {
      await each.start();
    }
    assert.equal(a.held, true);
    await a.close(); // resolves once the release is written
    await Promise.all([b.beat(), c.beat()]); // their next beat, without the clock moving
    assert.equal([b, c].filter((each) => each.held).length, 1);
  });

  it('gives the lease back before close() resolves even with a beat of its own in flight', async () => {
    const clock = new FakeClock();
    const [a, b] = [lease(clock), lease(clock)];
    await a.start();
    await b.start();
    assert.equal(a.held, true);
    // A's next beat waits for the lease file's lock (another window is writing it) when A closes:
    // that beat must not renew the lease after the release.
    const busy = await acquireLock(path.join(shared.dir, `${POLLER_LEASE_FILE_NAME}.lock`));
    const beat = a.beat();
    const closed = a.close();
    await busy.release();
    await Promise.all([beat, closed]);
    assert.equal(a.held, false);
    const stored = JSON.parse(await readFile(path.join(shared.dir, POLLER_LEASE_FILE_NAME), 'utf8')) as {
      holder: string;
    };
    assert.equal(stored.holder, '', 'the file names no holder');
    await b.beat();
    assert.equal(b.held, true, 'the other window takes it at its next beat, not after the TTL');
  });

  it('is taken over within TTL + one beat when the holder hangs, and the holder then knows it lost it', async () => {
    const { hung, hungClock, other, clock } = await holderAndOther();
    assert.equal(hung.held, true);
    assert.equal(other.held, false);

    // Only the other window's time moves: the holder's heartbeats stop.
    await advance(LEASE_TTL_MS + LEASE_HEARTBEAT_MS, clock);
    assert.equal(other.held, true, 'taken over');

    const lost: boolean[] = [];
    hung.onDidChange((held) => lost.push(held));
    hungClock.tick(LEASE_TTL_MS); // it wakes up: its own lease has lapsed before it even beats
    assert.equal(hung.held, false);
    await hung.beat();
    assert.equal(hung.held, false, 'someone else holds it now');
    assert.equal(other.held, true);
    await advance(3 * LEASE_HEARTBEAT_MS, clock, hungClock);
    assert.equal(other.held, true, 'no flapping');
    assert.equal(hung.held, false);
  });

  it('judges the holder by the time it got the lock file, not the time it started waiting', async () => {
    const { other, clock } = await holderAndOther();
    clock.tick(LEASE_TTL_MS - 1); // the holder's lease is about to lapse

    // Another window holds the file's lock while the holder's lease lapses.
    const busy = await acquireLock(path.join(shared.dir, `${POLLER_LEASE_FILE_NAME}.lock`));
    // The beat starts now, and reaches the file only after the tick (it waits for the lock).
    const beat = other.beat();
    clock.tick(2000);
    await busy.release();
    await beat;

    assert.equal(other.held, true, 'the lapsed lease is taken at once');
  });

  it('tells the holder in the background that the user works in another window', async () => {
    const clock = new FakeClock();
    const holder = lease(clock);
    const other = lease(clock);
    await holder.start();
    await other.start();
    holder.setFocused(false);
    const seen: boolean[] = [];
    holder.onDidChangeSomeWindowFocused((focused) => seen.push(focused));
    assert.equal(holder.someWindowFocused, false);

    other.setFocused(true);
    await advance(LEASE_HEARTBEAT_MS, clock);
    assert.equal(holder.held, true);
    assert.equal(holder.someWindowFocused, true);

    other.setFocused(false);
    await advance(LEASE_TTL_MS + LEASE_HEARTBEAT_MS, clock);
    assert.equal(holder.someWindowFocused, false);
    assert.deepEqual(seen, [true, false]);
  });

  /** The holder, and another window the user works in (both have written to the file since). */
  async function userInTheOther() {
    const clock = new FakeClock();
    const holder = lease(clock);
    const other = lease(clock);
    await holder.start();
    await other.start();
    holder.setFocused(false);
    other.setFocused(true);
    await other.beat();
    await holder.beat();
    assert.equal(holder.focusedWindow, other.holderId, 'the user works in the other window');
    return { holder, other };
  }

  it('a window that loses focus stops being the one named focused with that change, not when its stamp lapses', async () => {
    const { holder, other } = await userInTheOther();
    // The user leaves it (for another application): no time passes before the holder looks again.
    other.setFocused(false);
    await other.beat();
    await holder.beat();
    assert.equal(holder.focusedWindow, undefined, 'no window is named focused');
    assert.equal(holder.someWindowFocused, false);
  });

  it('a focused window that closes is no longer named focused once close() resolves', async () => {
    const { holder, other } = await userInTheOther();
    await other.close();
    await holder.beat();
    assert.equal(holder.focusedWindow, undefined, 'a closed window is never the one to notify in');
    assert.equal(holder.held, true);
  });
});
