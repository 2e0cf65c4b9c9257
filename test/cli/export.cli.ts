// The built command-line tool against the simulator over HTTP: a whole 250,000-record report
// byte-identical to what the extension's export path (ExportRunner on a JobService, as
// src/extension.ts wires them) writes; JSON Lines; Ctrl+C then `resume --most-recent`.
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { definitionQuery } from '../../src/exports/definitions';
import { countCsvRecords } from '../../src/results/countCsvRecords';
import { startSimulator, type Simulator } from '../simulator';
import { systemRunner } from '../unit/helpers/systemRunner';
import { SharedStorage } from '../unit/jobs/sharedStorage';
import { clientFor, ref } from '../unit/results/helpers';
import { events, sha256, Workspace, type Finished } from './harness';

const DEFINITIONS = `{
  // As the editor's Save Export as Definition writes them, with a comment.
  "exports": [
    { "name": "Orders", "app": "zylker-store", "report": "All_Orders", "destination": "out/{report}.csv" },
    { "name": "Customers", "app": "zylker-store", "report": "All_Customers", "destination": "out/{report}.csv" }
  ]
}
`;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Polls often: the simulator's clock, moved by the test, decides when a batch completes. */
const FAST_POLLS = ['--poll-seconds', '0.2', '--max-poll-seconds', '1'];

/** `export Orders` (batches of 1 hour) stopped by `signal` once batch 1 is written and batch 2 runs. */
async function stopAtBatch2(
  sim: Simulator,
  ws: Workspace,
  args: string[],
  signal: NodeJS.Signals,
): Promise<Finished> {
  sim.switches.jobDurationMs = HOUR; // each batch runs until the test moves the simulator's clock
  const run = ws.run(['export', 'Orders', ...args]);
  await run.line((line) => line.includes('Exporting Orders'));
  sim.clock.advance(HOUR); // batch 1 completes; batch 2 is created and runs
  await run.line((line) => /batch 2\/\? · 200,000 records/.test(line));
  run.child.kill(signal);
  return run.finished;
}

/** The extension's export path, in this process: ExportRunner over a JobService, as extension.ts builds them. */
async function editorExport(sim: Simulator, destination: string): Promise<void> {
  const shared = await SharedStorage.create();
  const { service, runner } = systemRunner(sim, shared);
  try {
    const finished = new Promise<void>((resolve, reject) => {
      runner.onDidFinishExport(() => resolve());
      runner.onDidStopExport((run) => reject(new Error(run.error)));
    });
    await runner.start({
      accountId: 'editor',
      ref: ref('All_Orders'),
      query: definitionQuery({ name: 'Orders', app: 'zylker-store', report: 'All_Orders' }),
      destination,
    });
    await finished;
  } finally {
    runner.dispose();
    service.dispose();
    await shared.dispose();
  }
}

describe('command line: export against the simulator', function () {
  this.timeout(120_000);
  let sim: Simulator;
  let ws: Workspace;
  let reference: string;

  before(async () => {
    // No throttles: the two exports of this suite and the reference create six jobs in a minute.
    sim = await startSimulator({ jobDurationMs: 0, throttles: false });
    ws = await Workspace.create(DEFINITIONS);
    await editorExport(sim, path.join(ws.dir, 'editor', 'All_Orders.csv'));
    reference = await sha256(path.join(ws.dir, 'editor', 'All_Orders.csv'));
  });

  after(async () => {
    await sim?.close();
    await ws?.remove();
  });

  afterEach(() => {
    sim.switches.jobDurationMs = 0;
    sim.switches.dailyLimit = undefined;
  });

  it('exports the whole 250,000-record report byte-identical to the editor, with JSON Lines events', async () => {
    const requestsBefore = sim.requests.length;
    const run = ws.run([
      'export',
      'Orders',
      '--simulator',
      sim.url,
      '--json',
      '--poll-seconds',
      '0.2',
      '--max-poll-seconds',
      '1',
    ]);
    const { code, stdout, stderr } = await run.finished;
    assert.equal(code, 0, stderr);
    const all = events(stdout); // every line parses
    assert.deepEqual([...new Set(all.map((event) => event.type))], ['start', 'progress', 'done']);
    const done = all[all.length - 1];
    assert.equal(done.state, 'completed');
    assert.equal(done.records, 250_000);
    assert.equal(done.batches, 2);
    assert.equal(done.file, path.join('out', 'All_Orders.csv'));
    // What the summary says was spent is what reached Zoho.
    assert.equal(done.apiCalls, sim.requests.length - requestsBefore);
    assert.equal(await sha256(ws.file('out/All_Orders.csv')), reference);
    assert.deepEqual(await readdir(ws.file('out')), ['All_Orders.csv'], 'no working file left');
  });

  it('Ctrl+C mid-export leaves nothing under the final name, says how to resume, and resume --most-recent gives the exact file', async () => {
    const destination = ws.file('out/interrupted/All_Orders.csv');
    const definitions = ws.file('.vscode/interrupted.json');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      definitions,
      JSON.stringify({
        exports: [
          {
            name: 'Orders',
            app: 'zylker-store',
            report: 'All_Orders',
            destination: 'out/interrupted/{report}.csv',
          },
        ],
      }),
    );
    const args = ['--definitions', definitions, '--simulator', sim.url, ...FAST_POLLS];
    const stopped = await stopAtBatch2(sim, ws, args, 'SIGINT');
    assert.equal(stopped.code, 6, stopped.stderr);
    assert.match(stopped.stderr, /nothing was written under out\/interrupted\/All_Orders\.csv/);
    assert.match(stopped.stderr, /creator-bulk-jobs resume --most-recent/);
    assert.equal(existsSync(destination), false, 'nothing under the final name');
    const exportId = /resume ([0-9a-f-]{36})/.exec(stopped.stderr)?.[1];
    assert.ok(exportId, stopped.stderr);

    // The nightly run after a killed one: refused before signing in, with how to carry the old one on.
    const requestsBefore = sim.requests.length;
    const again = await ws.run(['export', 'Orders', ...args]).finished;
    assert.equal(again.code, 6, again.stderr);
    assert.match(
      again.stderr,
      new RegExp(
        `Orders: an earlier run \\(export ${exportId}, started .*\\) did not finish and still holds out/interrupted/All_Orders\\.csv`,
      ),
    );
    assert.match(
      again.stderr,
      new RegExp(
        `Resume with: creator-bulk-jobs resume ${exportId} --simulator .*\\(or: creator-bulk-jobs resume --most-recent`,
      ),
    );
    assert.match(again.stderr, /or start again with: creator-bulk-jobs export "Orders" --restart/);
    assert.doesNotMatch(again.stderr, /cancel it/, 'no command the tool does not have');
    assert.equal(sim.requests.length, requestsBefore, 'no API call spent on a refused export');

    const resumed = ws.run(['resume', '--most-recent', ...args]);
    await resumed.line((line) => line.includes('Resuming Orders'));
    sim.clock.advance(HOUR); // batch 2 completes
    const { code, stdout, stderr } = await resumed.finished;
    assert.equal(code, 0, stderr);
    const summary =
      /✔ Orders: 250,000 records, 2 batches, .*, (\d+) API calls?, .* → out\/interrupted\/All_Orders\.csv/.exec(
        stdout,
      );
    assert.ok(summary, stdout);
    // What the summary says was spent is what reached Zoho (the status check and downloads at start too).
    assert.equal(Number(summary[1]), sim.requests.length - requestsBefore);
    assert.equal(await sha256(destination), reference);
    assert.deepEqual(await readdir(path.dirname(destination)), ['All_Orders.csv'], 'no working file left');
  });

  it('SIGTERM mid-export (a CI job cancelled, a service stopped) stops as Ctrl+C does: exit 6, nothing under the final name, how to resume; export --restart starts over', async () => {
    // A state folder of its own: the run it leaves behind is no other case's.
    const own = await Workspace.create(DEFINITIONS);
    try {
      const { code, stderr } = await stopAtBatch2(
        sim,
        own,
        ['--simulator', sim.url, ...FAST_POLLS],
        'SIGTERM',
      );
      assert.equal(code, 6, stderr);
      assert.match(stderr, /SIGTERM: stopping cleanly/);
      assert.match(
        stderr,
        /✖ Orders: Interrupted after 1 of its batches: nothing was written under out\/All_Orders\.csv/,
      );
      assert.match(stderr, /Resume with: creator-bulk-jobs resume [0-9a-f-]{36} --simulator /);
      assert.equal(existsSync(own.file('out/All_Orders.csv')), false, 'nothing under the final name');
      const stoppedId = /resume ([0-9a-f-]{36})/.exec(stderr)?.[1];

      // Starting over instead of resuming: the earlier run and its working file go, a new run writes the file.
      sim.switches.jobDurationMs = 0;
      const restarted = await own.run([
        'export',
        'Orders',
        '--restart',
        '--simulator',
        sim.url,
        ...FAST_POLLS,
      ]).finished;
      assert.equal(restarted.code, 0, restarted.stderr);
      assert.match(restarted.stderr, new RegExp(`Discarded the earlier run ${stoppedId} of "Orders"`));
      assert.match(restarted.stdout, /✔ Orders: 250,000 records, 2 batches, .* → out\/All_Orders\.csv/);
      assert.equal(await sha256(own.file('out/All_Orders.csv')), reference);
      assert.deepEqual(
        await readdir(own.file('out')),
        ['All_Orders.csv'],
        'the earlier working file is gone',
      );
      const waiting = await own.run(['resume', '--simulator', sim.url]).finished;
      assert.match(waiting.stderr, /No export is waiting to be resumed/);
    } finally {
      await own.remove();
    }
  });

  it('lists the definitions, and exports a small one with a plain summary line in a log', async () => {
    const list = await ws.run(['list']).finished;
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /Orders {2}zylker-store\/All_Orders → out\/\{report\}\.csv/);
    const requestsBefore = sim.requests.length;
    const { code, stdout, stderr } = await ws.run(
      ['export', 'Customers', '--simulator', sim.url, '--poll-seconds', '0.2'],
      {},
      ws.file('out'),
    ).finished;
    assert.equal(code, 0, stderr);
    const calls = sim.requests.length - requestsBefore;
    // A pipe gets timestamped lines, no cursor movements; found from a folder below the project.
    assert.match(
      stdout,
      new RegExp(
        `^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z ✔ Customers: 1,000 records, 1 batch, 131\\.8 kB, ${calls} API calls, .* → All_Customers\\.csv$`,
        'm',
      ),
    );
    assert.ok(!stdout.includes(`${String.fromCharCode(27)}[`), 'no terminal escapes in a log');
  });

  it('status and download of a job it did not create: the counted CSV under --out, the state left as it was', async () => {
    const job = await clientFor(sim).createJob(ref('All_Customers'), {});
    const args = ['--simulator', sim.url, '--app', 'zylker-store', '--report', 'All_Customers'];
    const status = await ws.run(['status', job.id, ...args]).finished;
    assert.equal(status.code, 0, status.stderr);
    assert.match(
      status.stdout,
      new RegExp(`Job ${job.id} of zylker-store/All_Customers: Completed, 1,000 records`),
    );
    const download = await ws.run(['download', job.id, ...args, '--out', 'downloads/customers.csv', '--json'])
      .finished;
    assert.equal(download.code, 0, download.stderr);
    assert.deepEqual(events(download.stdout), [
      {
        type: 'job',
        jobId: job.id,
        state: 'completed',
        status: 'Completed',
        records: 1000,
        report: 'zylker-store/All_Customers',
        file: path.join('downloads', 'customers.csv'),
      },
    ]);
    assert.equal(await countCsvRecords(ws.file('downloads/customers.csv')), 1000);
    const again = await ws.run(['download', job.id, ...args, '--out', 'downloads/customers.csv']).finished;
    assert.equal(again.code, 2, 'an existing file is not replaced without --overwrite');
    // One file per tracked job (src/core/sharedCollection.ts): none may name this job.
    const jobsDir = path.join(ws.state, 'jobs');
    const names = await readdir(jobsDir); // the folder the store keeps its jobs in
    const stored = (await Promise.all(names.map((name) => readFile(path.join(jobsDir, name), 'utf8')))).join(
      '\n',
    );
    assert.ok(!stored.includes(job.id), 'a job looked at is not kept (nor polled, nor downloaded later)');
  });

  it('two processes of different accounts over one state folder: each finishes, neither holds the other', async () => {
    sim.switches.jobDurationMs = HOUR;
    const poll = ['--poll-seconds', '0.2', '--max-poll-seconds', '1', '--overwrite'];
    const first = ws.run(['export', 'Orders', '--simulator', sim.url, ...poll]);
    await first.line((line) => line.includes('Exporting Orders'));
    // The same simulator under another host name is another account, signed in from the environment.
    const other = sim.url.replace('127.0.0.1', 'localhost');
    const second = ws.run(['export', 'Customers', ...poll], {
      ZOHO_ACCESS_TOKEN: 'demo-token',
      ZOHO_API_URL: other,
      ZOHO_OWNER: 'demo',
    });
    await second.line((line) => line.includes('Exporting Customers'));
    sim.clock.advance(HOUR); // both first batches complete; the first process makes its batch 2
    await first.line((line) => /batch 2\/\? · 200,000 records/.test(line));
    sim.clock.advance(HOUR);
    const done = await first.finished;
    assert.equal(done.code, 0, done.stderr);
    // The first process polled while the second waited: it must not have touched the second's account.
    const holdsDir = path.join(ws.state, 'account-holds');
    const names = await readdir(holdsDir).catch(() => [] as string[]);
    const holds = (await Promise.all(names.map((name) => readFile(path.join(holdsDir, name), 'utf8')))).join(
      '\n',
    );
    assert.ok(!/No signed-in account/.test(holds), `no account held for want of credentials: ${holds}`);
    const after = await second.finished; // it takes the lease over when the first gives it back
    assert.equal(after.code, 0, after.stderr);
    assert.match(after.stdout, /✔ Customers: 1,000 records/);
    sim.switches.jobDurationMs = 0;
  });

  it('Ctrl+C while Zoho holds back a new job: exit 6 at once, no further call', async () => {
    sim.switches.throttles = true;
    const api = clientFor(sim);
    // Use up the account's 5 creations of this (simulated) minute.
    for (let used = false; !used;) {
      used = await api.createJob(ref('All_Customers'), {}).then(
        () => false,
        () => true,
      );
    }
    const run = ws.run(['export', 'Customers', '--simulator', sim.url, '--overwrite']);
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (run.stderr.includes('trying again')) {
          resolve();
        } else {
          run.child.stderr!.once('data', check); // after the harness's own listener has kept it
        }
      };
      check();
    });
    const requests = sim.requests.length;
    run.child.kill('SIGINT');
    const { code, stderr } = await run.finished;
    assert.equal(code, 6, stderr);
    assert.match(stderr, /no job was created and nothing written/);
    assert.equal(sim.requests.length, requests, 'no call after Ctrl+C');
    sim.switches.throttles = false;
    sim.clock.advance(HOUR);
  });

  it('the daily API limit met mid-export: exit 7, with how to resume', async () => {
    sim.clock.advance(DAY); // a new simulated day: its count starts at 0
    sim.switches.dailyLimit = 1; // the creation is the day's last call
    sim.switches.jobDurationMs = HOUR;
    const { code, stderr } = await ws.run(
      ['export', 'Customers', '--simulator', sim.url, '--poll-seconds', '0.2', '--overwrite'],
      {},
    ).finished;
    assert.equal(code, 7, stderr);
    assert.match(
      stderr,
      /✖ Customers: .*daily API limit.* Nothing was written under out\/All_Customers\.csv/,
    );
    assert.match(stderr, /Resume with: creator-bulk-jobs resume [0-9a-f-]{36}/);
  });
});
