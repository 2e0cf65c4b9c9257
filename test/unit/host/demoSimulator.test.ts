// The demo's simulator (test/host/simulator.js, as `npm run demo` starts it with --changes): each
// change() applies one change set to help-desk/All_Tickets, which the next incremental run reads
// (walk-through of issue 20, item 8: the demo could not change a report at all).
import * as assert from 'assert';
import { startSimulator } from '../../host/simulator';

describe('the demo simulator (test/host/simulator.js)', function () {
  this.timeout(60_000);

  it('changes All_Tickets on each change(), as Enter in the demo terminal does', async () => {
    const sim = await startSimulator({ args: ['--changes', '2,3,1'] });
    try {
      const first = await sim.change();
      assert.match(first, /^Changed All_Tickets: added (\S+ ){1}\S+; edited (\S+ ){2}\S+; deleted \S+$/);
      const second = await sim.change();
      assert.notEqual(second, first, 'each Enter is a new change set');
    } finally {
      await sim.stop();
    }
  });

  it('without --changes, change() says the simulator cannot change', async () => {
    const sim = await startSimulator({});
    try {
      await assert.rejects(sim.change(), /without --changes/);
    } finally {
      await sim.stop();
    }
  });
});
