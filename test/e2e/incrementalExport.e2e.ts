// An incremental definition as a person runs it (issue 20): the "Run export" CodeLens above it runs
// full the first time; the report changes in Creator (the simulator); the same CodeLens then asks
// only for what changed, and the snapshot equals a full export of the report byte for byte once
// both are sorted by ID.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { startSimulator, type Simulator } from '../simulator';
import { sortedById } from '../unit/helpers/sortedById';
import { openDefinitionsFile, signInThroughPalette } from './flows';
import { e2e, useWorkbench } from './workbench';

const DEFINITIONS = {
  exports: [
    { name: 'Tickets', app: 'help-desk', report: 'All_Tickets', mode: 'incremental' },
    { name: 'Reference', app: 'help-desk', report: 'All_Tickets', destination: 'ref/{report}.csv' },
  ],
};

/** state.json's lastStartedAt once it is past `after` (written just after the snapshot is replaced). */
async function snapshotWritten(after: number): Promise<number> {
  const state = path.join(e2e.workspace, 'exports', 'All_Tickets.csv.runs', 'state.json');
  for (let tries = 0; tries < 600; tries++) {
    try {
      const { lastStartedAt } = JSON.parse(fs.readFileSync(state, 'utf8')) as { lastStartedAt: number };
      if (lastStartedAt > after) {
        return lastStartedAt;
      }
    } catch {
      // not written yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the snapshot was not written');
}

describe('An incremental export in the editor', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ throttles: false, jobDurationMs: 0, tokenLifetimeSeconds: 30 * 24 * 3600 });
  });
  after(async () => {
    await sim?.close();
  });
  const wb = useWorkbench();

  it('runs twice through the CodeLens, the second time only what changed; the snapshot equals a full export', async () => {
    const { page } = wb();
    await wb().openView();
    await signInThroughPalette(wb(), { host: sim.url, owner: 'demo', token: 'demo-token' });
    await wb().waitForNotification(/Signed in to demo/);
    await openDefinitionsFile(wb(), DEFINITIONS);
    const lens = (title: string) => page.locator('.codelens-decoration a', { hasText: title });
    await lens('Run full export').first().waitFor();
    console.log(`      screenshot: ${await wb().screenshot('incremental definition - its CodeLenses')}`);

    await lens('Run export').first().click();
    const first = await snapshotWritten(0);
    sim.changeReport('help-desk', 'All_Tickets', { seed: 11, added: 4, edited: 6 });
    const creates = sim.requests.length;
    await lens('Run export').first().click();
    await snapshotWritten(first);
    const sent = sim.requests.slice(creates).find((request) => request.method === 'POST');
    assert.match(sent?.body ?? '', /Modified_Time > /, 'the second run asked only for what changed');

    await lens('Run export').nth(1).click(); // Reference: a plain full export
    const reference = path.join(e2e.workspace, 'ref', 'All_Tickets.csv');
    for (let tries = 0; tries < 600 && !fs.existsSync(reference); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.strictEqual(
      fs.readFileSync(path.join(e2e.workspace, 'exports', 'All_Tickets.csv'), 'utf8'),
      await sortedById(reference),
    );
  });
});
