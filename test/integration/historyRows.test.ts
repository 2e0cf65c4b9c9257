// A saved export's run rows say how long ago each run ended ("3 min ago"); the tree re-renders them
// as time passes while the view is visible, as it does job rows (src/views/ageTicker.ts). On a fake
// clock and a history of its own (a temporary folder), so no other test sees the run.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { systemClock } from '../../src/core/ports';
import { RunHistory } from '../../src/exports/runHistory';
import { JobsTreeProvider, type TreeNode } from '../../src/views/jobsTree';
import { FakeClock } from '../unit/helpers/fakeClock';
import { activateExtension } from './helpers';

describe('Run history rows in the jobs tree', () => {
  it('say how long ago a run ended, and change from "just now" to "3 min ago" while the view is open', async () => {
    const api = await activateExtension();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cbj-history-'));
    const history = new RunHistory(dir, systemClock);
    const clock = new FakeClock(Date.now());
    const provider = new JobsTreeProvider({ ...api.services, history }, clock);
    try {
      await history.record({
        id: 'run-ages',
        definition: 'Nightly ages',
        accountId: 'acc',
        report: 'zylker-store / All_Orders',
        state: 'completed',
        mode: 'full',
        startedAt: clock.now() - 5000,
        finishedAt: clock.now(),
        durationMs: 5000,
        records: 12,
        bytes: 340,
        statusCalls: 1,
        creates: 1,
      });
      const saved = provider.getChildren().find((node) => node.kind === 'definition');
      assert.ok(saved, 'the saved export has a row');
      const [run] = provider.getChildren(saved);
      assert.strictEqual(provider.getTreeItem(run).description, 'just now');
      const fired: TreeNode[] = [];
      provider.onDidChangeTreeData((event) =>
        fired.push(...(Array.isArray(event) ? event : event ? [event] : [])),
      );
      provider.setVisible(true);
      clock.tick(3 * 60_000 + 1000);
      assert.ok(
        fired.some((node) => node.id === run.id),
        'the run row was re-rendered',
      );
      assert.strictEqual(provider.getTreeItem(run).description, '3 min ago');
    } finally {
      provider.dispose();
      await history.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
