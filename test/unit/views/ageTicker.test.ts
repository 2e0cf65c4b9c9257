// The jobs view's age ticker: how often rows' relative times are re-rendered, and never while hidden.
import * as assert from 'assert';
import { AgeTicker, type TickNeed } from '../../../src/views/ageTicker';
import { FakeClock } from '../helpers/fakeClock';

function ticker(need: () => TickNeed): { clock: FakeClock; ticks: number[]; ticker: AgeTicker } {
  const clock = new FakeClock(0);
  const ticks: number[] = [];
  return { clock, ticks, ticker: new AgeTicker(clock, need, () => ticks.push(clock.now())) };
}

describe('the age ticker of the jobs view', () => {
  it('re-renders at once when shown, then every 5 s while something runs and every minute once idle', () => {
    let need: TickNeed = 'running';
    const t = ticker(() => need);
    t.ticker.setVisible(true);
    t.clock.tick(12_000);
    assert.deepStrictEqual(t.ticks, [0, 5_000, 10_000]);
    need = 'idle';
    t.clock.tick(80_000); // the tick at 15 s arms the next one a minute later
    assert.deepStrictEqual(t.ticks, [0, 5_000, 10_000, 15_000, 75_000]);
  });

  it('arms no timer while hidden or with nothing to age, and one at most however often asked', () => {
    let need: TickNeed = 'none';
    const t = ticker(() => need);
    t.ticker.schedule();
    assert.deepStrictEqual(t.clock.pendingTimers(), [], 'hidden: nothing armed');
    t.ticker.setVisible(true);
    assert.deepStrictEqual(t.clock.pendingTimers(), [], 'nothing to age: nothing armed');
    need = 'running';
    t.ticker.schedule();
    t.ticker.schedule();
    assert.deepStrictEqual(t.clock.pendingTimers(), [5_000]);
    t.ticker.setVisible(false);
    assert.deepStrictEqual(t.clock.pendingTimers(), [], 'hiding the view stops the timer');
    t.clock.tick(60_000);
    assert.deepStrictEqual(t.ticks, [0], 'only the tick of being shown');
  });
});
