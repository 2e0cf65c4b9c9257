// Timers for activationProbe.js: the real ones, kept before anything replaces them, and a fake
// clock for the idle window's "simulated seconds" (plain JavaScript, like the probe).
'use strict';

const realTimers = {
  setTimeout: globalThis.setTimeout,
  clearTimeout: globalThis.clearTimeout,
  setInterval: globalThis.setInterval,
  clearInterval: globalThis.clearInterval,
  now: Date.now,
};
const realSleep = (ms) => new Promise((resolve) => realTimers.setTimeout(resolve, ms));

/** Resolves once no file system request is in flight (what a timer started has finished). */
async function quiet() {
  for (let calm = 0, round = 0; calm < 2 && round < 5000; round++) {
    await realSleep(1);
    const busy = process.getActiveResourcesInfo().some((name) => name.startsWith('FSReq'));
    calm = busy ? 0 : calm + 1;
  }
}

/**
 * Replaces the global timers and Date.now with a fake clock that moves only in advance(): due
 * timers run one at a time in due order, each after the file I/O the one before started (locks,
 * writes) has finished.
 */
function installFakeTimers() {
  let offset = 0;
  let seq = 0;
  const timers = new Set();
  const now = () => realTimers.now() + offset;
  const arm = (callback, ms, args, every) => {
    const handle = {
      seq: seq++,
      at: now() + Math.max(0, Number(ms) || 0),
      run: () => callback(...args),
      every,
      ref: () => handle,
      unref: () => handle,
      hasRef: () => true,
      refresh: () => handle,
      [Symbol.toPrimitive]: () => handle.seq,
    };
    timers.add(handle);
    return handle;
  };
  globalThis.setTimeout = (callback, ms, ...args) => arm(callback, ms, args, undefined);
  globalThis.setInterval = (callback, ms, ...args) => arm(callback, ms, args, Math.max(1, Number(ms) || 1));
  globalThis.clearTimeout = globalThis.clearInterval = (handle) => timers.delete(handle);
  Date.now = now;
  return {
    async advance(ms) {
      const end = now() + ms;
      for (;;) {
        const [due] = [...timers]
          .filter((each) => each.at <= end)
          .sort((a, b) => a.at - b.at || a.seq - b.seq);
        if (!due) break;
        offset += Math.max(0, due.at - now());
        timers.delete(due);
        if (due.every) {
          due.at += due.every;
          timers.add(due);
        }
        due.run();
        await quiet();
      }
      offset += Math.max(0, end - now());
    },
    pending: () => timers.size,
    restore() {
      Object.assign(globalThis, {
        setTimeout: realTimers.setTimeout,
        clearTimeout: realTimers.clearTimeout,
        setInterval: realTimers.setInterval,
        clearInterval: realTimers.clearInterval,
      });
      Date.now = realTimers.now;
    },
  };
}

module.exports = { installFakeTimers, realSleep };
