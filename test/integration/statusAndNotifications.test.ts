// Status bar, completion notifications, rate-limit pauses and expired tokens, inside a real
// extension host against the simulator.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { TestApi } from '../../src/extension';
import type { TrackedJob } from '../../src/jobs/model';
import { DEMO, startSimulator, type Simulator } from '../simulator';

const EXTENSION_ID = 'creatorbulkjobs.creator-bulk-jobs';
const ORDERS = { owner: DEMO.owner, app: DEMO.app, report: 'All_Orders' };

async function testApi(): Promise<TestApi> {
  const extension = vscode.extensions.getExtension<TestApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is loaded`);
  return extension.activate();
}

interface Shown {
  message: string;
  items: string[];
}

type MessageKind = 'showInformationMessage' | 'showWarningMessage' | 'showErrorMessage';

/** Replaces a window.show*Message on the shared API object; the user dismisses every message. */
function capture(kind: MessageKind): { shown: Shown[]; restore(): void } {
  const win = vscode.window as unknown as Record<string, unknown>;
  const original = win[kind];
  const shown: Shown[] = [];
  win[kind] = (message: string, ...rest: unknown[]) => {
    shown.push({ message, items: rest.filter((r): r is string => typeof r === 'string') });
    return Promise.resolve(undefined);
  };
  return { shown, restore: () => (win[kind] = original) };
}

function hhmm(ms: number): string {
  const date = new Date(ms);
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
}

describe('Status bar and notifications', () => {
  let api: TestApi;
  const sims: Simulator[] = [];
  const restores: Array<() => void> = [];
  let infos: Shown[];
  let errors: Shown[];

  /** A fresh simulator and an account on it (accounts are per host, so each test gets its own). */
  async function freshAccount(
    token: string = DEMO.accessToken,
  ): Promise<{ sim: Simulator; accountId: string }> {
    const sim = await startSimulator({ ordersRows: 3000, customersRows: 50, jobDurationMs: 1000 });
    sims.push(sim);
    if (token !== DEMO.accessToken) {
      sim.addAccessToken(token);
    }
    const accountId = await vscode.commands.executeCommand<string>('creatorBulkJobs.signInWithAccessToken', {
      customHost: sim.url,
      owner: DEMO.owner,
      token,
    });
    assert.ok(accountId, 'signed in');
    return { sim, accountId };
  }

  /** Completes (or fails) the job on the simulator and polls it; resolves once it finished. */
  async function finish(sim: Simulator, job: TrackedJob): Promise<TrackedJob> {
    const finished = new Promise<TrackedJob>((resolve) => {
      const subscription = api.services.jobs.onDidFinishJob((done) => {
        if (done.key === job.key) {
          subscription.dispose();
          resolve(done);
        }
      });
    });
    sim.clock.advance(5_000);
    await api.services.jobs.refresh(job.key);
    return finished;
  }

  before(async () => {
    api = await testApi();
    // Start from an empty job list so counts are this suite's own.
    for (const job of api.services.jobs.jobs()) {
      await api.services.jobs.stopTracking(job.key);
    }
    await vscode.workspace
      .getConfiguration('creatorBulkJobs')
      .update('autoDownload', false, vscode.ConfigurationTarget.Global);
  });

  beforeEach(() => {
    const info = capture('showInformationMessage');
    const error = capture('showErrorMessage');
    const warning = capture('showWarningMessage');
    restores.push(info.restore, error.restore, warning.restore);
    infos = info.shown;
    errors = error.shown;
  });

  afterEach(async () => {
    for (const restore of restores.splice(0)) {
      restore();
    }
    // What sign-out does, for every account of this test (also when it failed half-way).
    for (const sim of sims.splice(0)) {
      for (const account of api.accounts.list().filter((a) => a.customHost === sim.url)) {
        await api.services.jobs.forgetAccount(account.id);
        await api.accounts.removeAccount(account.id);
      }
      await sim.close();
    }
    await vscode.workspace
      .getConfiguration('creatorBulkJobs')
      .update('notifications', undefined, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await vscode.workspace
      .getConfiguration('creatorBulkJobs')
      .update('autoDownload', undefined, vscode.ConfigurationTarget.Global);
  });

  it('shows running and ready counts, hides when nothing is tracked, and notifies on completion', async () => {
    assert.strictEqual(api.statusBar.visible, false, 'hidden while nothing is tracked');
    const { sim, accountId } = await freshAccount();

    const job = await api.services.jobs.createJob(accountId, ORDERS, { max_records: 100000 });
    assert.strictEqual(api.statusBar.text, '$(sync~spin) 1 running');
    assert.strictEqual(api.statusBar.visible, true);
    // A screen reader hears a short sentence (no codicon names); the tooltip is a few lines of summary.
    assert.strictEqual(api.statusBar.ariaLabel, 'Creator Bulk Jobs: 1 running');
    assert.doesNotMatch(api.statusBar.tooltip, /\$\(/, 'no codicon syntax in the tooltip');
    assert.match(api.statusBar.tooltip, /1 job running/);
    assert.ok(api.statusBar.tooltip.split('\n\n').length <= 5, api.statusBar.tooltip);

    const done = await finish(sim, job);
    // Created after the clock moved: it stays running until the clock moves again.
    const other = await api.services.jobs.createJob(accountId, ORDERS, {});
    assert.strictEqual(done.state, 'completed');
    assert.strictEqual(api.statusBar.text, '$(sync~spin) 1 running  $(check) 1 ready');
    assert.strictEqual(api.statusBar.ariaLabel, 'Creator Bulk Jobs: 1 running, 1 ready');

    const count = done.details?.result?.count ?? 0;
    const completed = infos.filter((s) => s.message.startsWith('All_Orders:'));
    assert.deepStrictEqual(completed, [
      {
        message: `All_Orders: ${count.toLocaleString('en-US')} records completed.`,
        items: ['Open', 'Save', 'Show in Tree'],
      },
    ]);

    await finish(sim, other);
    assert.strictEqual(api.statusBar.text, '$(check) 2 ready');

    await api.services.jobs.forgetAccount(accountId);
    assert.strictEqual(api.statusBar.visible, false, 'hidden again once nothing is tracked');
  });

  it('follows the notifications setting live: failuresOnly skips completions but reports failures', async () => {
    const { sim, accountId } = await freshAccount();
    await vscode.workspace
      .getConfiguration('creatorBulkJobs')
      .update('notifications', 'failuresOnly', vscode.ConfigurationTarget.Global);

    const good = await api.services.jobs.createJob(accountId, ORDERS, {});
    await finish(sim, good);
    assert.deepStrictEqual(
      infos.filter((s) => s.message.includes('completed')),
      [],
      'no completion notification with failuresOnly',
    );

    sim.switches.failJobs = true;
    const bad = await api.services.jobs.createJob(accountId, ORDERS, {});
    const failed = await finish(sim, bad);
    assert.strictEqual(failed.state, 'failed');
    assert.strictEqual(errors.length, 1);
    assert.match(errors[0].message, new RegExp(`^All_Orders job ${bad.jobId} failed\\.`));
    assert.deepStrictEqual(errors[0].items, ['Show in Tree', 'Show Log']);
    assert.strictEqual(api.statusBar.text, '$(check) 1 ready  $(error) 1 failed');

    await vscode.workspace
      .getConfiguration('creatorBulkJobs')
      .update('notifications', 'none', vscode.ConfigurationTarget.Global);
    const silent = await api.services.jobs.createJob(accountId, ORDERS, {});
    await finish(sim, silent);
    assert.strictEqual(errors.length, 1, 'no notification at all with none');
    await api.services.jobs.forgetAccount(accountId);
  });

  it('gives one actionable message for an expired access token, not a stream of errors', async () => {
    const token = 'it-expiring-token-9a8b';
    const { sim, accountId } = await freshAccount(token);
    const job = await api.services.jobs.createJob(accountId, ORDERS, {});
    sim.expireAccessToken(token);

    for (let i = 0; i < 3; i++) {
      await api.services.jobs.refresh(job.key);
    }

    assert.strictEqual(
      errors.length,
      1,
      `expected one message, got: ${errors.map((e) => e.message).join(' | ')}`,
    );
    assert.match(errors[0].message, /access token was rejected \(expired or revoked\)/);
    assert.ok(
      errors[0].message.startsWith(api.accounts.get(accountId)?.label ?? '?'),
      'the message names the account',
    );
    assert.deepStrictEqual(errors[0].items, ['Sign In Again', 'Show Log']);
    assert.ok(!errors[0].message.includes(token));
    assert.strictEqual(
      api.services.jobs.get(job.key)?.state,
      'running',
      'the job is kept for after the new sign-in',
    );
    await api.services.jobs.forgetAccount(accountId);
  });

  it('a rate-limited account: one state read by the status bar, the tree rows and the view message', async () => {
    const { sim, accountId } = await freshAccount();
    const job = await api.services.jobs.createJob(accountId, ORDERS, {});
    sim.inject({ route: 'status', httpStatus: 429, code: 2955, retryAfterSeconds: 600, times: 5 });
    const before = Date.now();

    await api.services.jobs.refresh(job.key);

    const pause = api.services.jobs.pauses().find((p) => p.accountId === accountId);
    assert.ok(pause, 'the account is paused');
    assert.ok(
      pause.until >= before + 590_000 && pause.until <= Date.now() + 600_000,
      'Retry-After is honoured',
    );
    const state = api.services.jobs.accountStates.get(accountId);
    assert.strictEqual(state.kind, 'throttled');
    assert.strictEqual(state.summary, `rate limited until ${hhmm(pause.until)}`);
    assert.strictEqual(
      api.statusBar.text,
      `$(watch) 1 waiting  $(debug-pause) rate limited until ${hhmm(pause.until)}`,
      'the job waits, it is not counted as running',
    );
    assert.match(api.statusBar.tooltip, new RegExp(`rate limited until ${hhmm(pause.until)}; its jobs wait`));
    const node = api.jobsTree.provider.jobNode(job.key);
    assert.ok(node);
    const row = api.jobsTree.provider.getTreeItem(node);
    assert.strictEqual(row.description, `waiting · rate limited until ${hhmm(pause.until)}`);
    assert.match(api.jobsTree.view.message ?? '', new RegExp(`rate limited until ${hhmm(pause.until)}`, 'i'));
    assert.deepStrictEqual(errors, [], 'a pause is shown in the status bar, not as an error');

    // What sign-out does: jobs forgotten, then the account removed.
    await api.services.jobs.forgetAccount(accountId);
    await api.accounts.removeAccount(accountId);
    assert.strictEqual(api.statusBar.visible, false, 'signing out ends the pause display');
  });
});
