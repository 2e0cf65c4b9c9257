// The e2e error guard (test/e2e/errorGuard.ts) lets VS Code's "No tree item with id … found." line
// pass only where a test declared it (a window opened or reloaded, ./workbench.ts) and only for a
// row with children: the same line naming a job or run row, or in any other test, fails the test,
// so a tree id bug of ours cannot hide behind VS Code's own race.
import * as assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ErrorGuard, TREE_ROOT_REFRESH_RACE } from '../../e2e/errorGuard';

const REPORT_ROW = '1/report:127.0.0.1:44451/demo|demo|zylker-store|All_Customers';
const JOB_ROW = `${REPORT_ROW}/job:127.0.0.1:44451/demo|2000000021003`;
const RUN_ROW = '1/definition:Nightly orders/run:run-2';

describe('e2e error guard: tree lines', () => {
  let logs: string;
  let log: string;
  beforeEach(() => {
    logs = mkdtempSync(path.join(tmpdir(), 'cbj-guard-'));
    mkdirSync(path.join(logs, 'exthost1'));
    log = path.join(logs, 'exthost1', 'remoteexthost.log');
    appendFileSync(log, '2026-12-06 12:57:00.318 [info] started\n');
  });
  afterEach(() => rmSync(logs, { recursive: true, force: true }));

  const noItem = (id: string): void =>
    appendFileSync(log, `2026-12-06 12:57:00.397 [error] No tree item with id '${id}' found.\n`);

  it('fails a test on the line unless the test declared the race', () => {
    const guard = new ErrorGuard(logs);
    noItem(REPORT_ROW);
    assert.equal(guard.takeUnexpected().length, 1, 'undeclared');
    guard.expect([TREE_ROOT_REFRESH_RACE]);
    noItem(REPORT_ROW);
    noItem('1/account:acc-1');
    noItem('1/export:run-7');
    noItem('1/definition:Nightly orders');
    assert.deepEqual(guard.takeUnexpected(), [], 'declared, rows with children');
    noItem(REPORT_ROW);
    assert.equal(guard.takeUnexpected().length, 1, 'the declaration held for one test only');
  });

  it('never lets it pass for a job or run row', () => {
    const guard = new ErrorGuard(logs);
    guard.expect([TREE_ROOT_REFRESH_RACE]);
    noItem(JOB_ROW);
    noItem('1/job:127.0.0.1:44451/demo|2000000021003');
    noItem(RUN_ROW);
    assert.deepEqual(
      guard.takeUnexpected().map((error) => /'([^']*)'/.exec(error.text)?.[1]),
      [JOB_ROW, '1/job:127.0.0.1:44451/demo|2000000021003', RUN_ROW],
    );
  });
});
