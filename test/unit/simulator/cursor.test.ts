import * as assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../../simulator';
import { ORDERS, call, createJob } from './helpers';

async function completed(sim: Simulator, id: string) {
  const status = await call(sim, 'GET', `${ORDERS}/${id}`);
  assert.equal(status.json.details.status, 'Completed');
  return status.json.details.result as { count: number; record_cursor?: string };
}

describe('simulator: record cursors', () => {
  let sim: Simulator;
  afterEach(() => sim.close());

  it('splits the default 250,000 orders into 3 batches of 100,000, cursor on the first two', async () => {
    sim = await startSimulator({ jobDurationMs: 0 });
    const first = await completed(sim, await createJob(sim, ORDERS));
    assert.equal(first.count, 100000);
    assert.ok(first.record_cursor);
    const second = await completed(sim, await createJob(sim, ORDERS, { record_cursor: first.record_cursor }));
    assert.equal(second.count, 100000);
    assert.ok(second.record_cursor);
    const third = await completed(sim, await createJob(sim, ORDERS, { record_cursor: second.record_cursor }));
    assert.equal(third.count, 50000);
    assert.equal(third.record_cursor, undefined);
  });

  it('keeps the batch size of the first job', async () => {
    sim = await startSimulator({ jobDurationMs: 0, ordersRows: 350000 });
    const first = await completed(sim, await createJob(sim, ORDERS, { max_records: 150000 }));
    assert.equal(first.count, 150000);
    const second = await completed(sim, await createJob(sim, ORDERS, { record_cursor: first.record_cursor }));
    assert.equal(second.count, 150000);
    const third = await completed(sim, await createJob(sim, ORDERS, { record_cursor: second.record_cursor }));
    assert.equal(third.count, 50000);
  });

  it('reveals the cursor only once the job completes, and it can be reused within 15 minutes', async () => {
    sim = await startSimulator({ jobDurationMs: 60000, ordersRows: 100001 });
    const id = await createJob(sim, ORDERS);
    assert.equal((await call(sim, 'GET', `${ORDERS}/${id}`)).json.details.result, undefined);
    sim.clock.advance(60000);
    const cursor = (await completed(sim, id)).record_cursor;
    sim.clock.advance(14 * 60000);
    for (let i = 0; i < 2; i++) {
      const next = await call(sim, 'POST', ORDERS, { body: { query: { record_cursor: cursor } } });
      assert.equal(next.status, 200);
    }
  });

  it('refuses a cursor 15 simulated minutes after it was issued', async () => {
    sim = await startSimulator({ jobDurationMs: 0, ordersRows: 100001 });
    const cursor = (await completed(sim, await createJob(sim, ORDERS))).record_cursor;
    sim.clock.advance(15 * 60000);
    const late = await call(sim, 'POST', ORDERS, { body: { query: { record_cursor: cursor } } });
    assert.equal(late.status, 400);
    assert.match(late.json.message, /expired/);
  });

  it('refuses a cursor request carrying other keys, and an unknown cursor', async () => {
    sim = await startSimulator({ jobDurationMs: 0, ordersRows: 100001 });
    const cursor = (await completed(sim, await createJob(sim, ORDERS))).record_cursor;
    const extra = await call(sim, 'POST', ORDERS, {
      body: { query: { record_cursor: cursor, max_records: 100000 } },
    });
    assert.equal(extra.status, 400);
    assert.match(extra.json.message, /max_records/);
    const unknown = await call(sim, 'POST', ORDERS, { body: { query: { record_cursor: 'nope' } } });
    assert.equal(unknown.status, 400);
    assert.match(unknown.json.message, /record_cursor/);
  });
});
