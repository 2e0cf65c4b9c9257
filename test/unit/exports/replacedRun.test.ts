// A plain definition whose destination has no {date}/{time}, run twice: the second run replaces
// the file, as the user agreed. The first run is then "replaced", not a file that went wrong
// (walk-through of issue 20, item 4): ExportRunner over the simulator, real files.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { ExportRunner } from '../../../src/exports/exportRunner';
import type { ExportRun } from '../../../src/exports/model';
import { JobService } from '../../../src/jobs/jobService';
import { DEMO, startSimulator, type Simulator } from '../../simulator';
import { SharedStorage } from '../jobs/sharedStorage';
import { systemRunner } from '../helpers/systemRunner';

const TICKETS = { owner: DEMO.owner, app: 'help-desk', report: 'All_Tickets' };

describe('a completed export whose file a later run replaced', function () {
  this.timeout(60_000);
  let sim: Simulator;
  let shared: SharedStorage;
  let service: JobService;
  let runner: ExportRunner;

  beforeEach(async () => {
    sim = await startSimulator({ jobDurationMs: 0, throttles: false, ticketsRows: 200 });
    shared = await SharedStorage.create();
    ({ service, runner } = systemRunner(sim, shared));
  });

  afterEach(async () => {
    runner.dispose();
    service.dispose();
    await shared.dispose();
    await sim.close();
  });

  async function run(destination: string): Promise<ExportRun> {
    const ended = new Promise<ExportRun>((resolve) => {
      const a = runner.onDidFinishExport((done) => (a.dispose(), b.dispose(), resolve(done)));
      const b = runner.onDidStopExport((stopped) => (a.dispose(), b.dispose(), resolve(stopped)));
    });
    await runner.start({ accountId: 'acc', ref: TICKETS, query: {}, destination, definition: 'Plain' });
    return ended;
  }

  it('names the run that replaced it and is not reported as untrusted', async () => {
    const file = path.join(shared.dir, 'ws', 'exports', 'tickets-plain.csv');
    const other = path.join(shared.dir, 'ws', 'exports', 'tickets-other.csv');
    const first = await run(file);
    const elsewhere = await run(other);
    assert.equal(first.state, 'completed', first.error);
    sim.changeReport('help-desk', 'All_Tickets', { seed: 1, added: 5, edited: 3, deleted: 2 });
    const second = await run(file);
    assert.equal(second.state, 'completed', second.error);

    assert.equal(runner.get(first.id)?.replacedBy, second.id, 'the older run knows what replaced its file');
    assert.equal(
      await runner.verifyCompleted(first.id),
      undefined,
      'no "not trusted … Run the export again"',
    );
    assert.equal(runner.get(first.id)?.error, undefined);
    assert.equal(runner.get(second.id)?.replacedBy, undefined);
    assert.equal(runner.get(elsewhere.id)?.replacedBy, undefined, 'another file is not replaced');
    assert.equal(await runner.verifyCompleted(second.id), undefined, 'the newer run holds its own file');
  });
});
