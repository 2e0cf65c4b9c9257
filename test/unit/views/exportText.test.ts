// What an export's notification and tree row say; an incremental definition's run names its
// snapshot and what it changed there, not the run's own file in the runs folder.
import * as assert from 'node:assert/strict';
import type { ExportRun } from '../../../src/exports/model';
import { exportFile } from '../../../src/exports/model';
import {
  exportDescription,
  exportFileName,
  exportFinishedText,
  exportProgressText,
} from '../../../src/views/exportText';
import { isExportUnopened } from '../../../src/views/readyResults';

const RUN = {
  id: 'run-1',
  accountId: 'acc',
  ref: { owner: 'demo', app: 'help-desk', report: 'All_Tickets' },
  query: {},
  destination: '/ws/exports/All_Tickets.csv.runs/2026-12-06-132824179Z-incremental.csv',
  state: 'completed',
  batches: [{ key: 'k1', jobId: '1', appended: true }],
  bytesWritten: 915,
  records: 10,
  startedAt: 1,
  finishedAt: 2,
  seenAt: 3,
} as ExportRun;

describe('export texts', () => {
  it('the progress notification says whether the newest batch is still read by Zoho or coming in', () => {
    const run: ExportRun = {
      ...RUN,
      state: 'running',
      batches: [
        { key: 'k1', jobId: '1', appended: true },
        { key: 'k2', jobId: '2', appended: false },
      ],
      records: 100_000,
    };
    assert.equal(exportProgressText(run), 'Batch 2 running · 100,000 records so far (1 batch done)');
    assert.equal(
      exportProgressText(run, 'downloading'),
      'Batch 2 downloading · 100,000 records so far (1 batch done)',
    );
  });

  it('an incremental run says what it changed in its snapshot, the records in it, and what it read', () => {
    const run: ExportRun = {
      ...RUN,
      mode: 'incremental',
      snapshot: '/ws/exports/All_Tickets.csv',
      changes: {
        added: 4,
        changed: 6,
        removed: 0,
        file: '/c.csv',
        snapshotCopy: '/s.csv',
        snapshotRecords: 304,
      },
    };
    assert.equal(
      exportFinishedText(run),
      'All_Tickets.csv updated by an incremental run: +4 added, ~6 changed, −0 removed; it has 304 records (10 records read in 1 batch)',
    );
    assert.equal(exportFileName(run), 'All_Tickets.csv (incremental run)');
    assert.match(
      exportDescription(run, 10),
      /^\+4 ~6 −0 · 304 records · 1 batch · .* · All_Tickets\.csv \(incremental run\)$/,
    );
    const full = {
      ...run,
      mode: 'full' as const,
      changes: { ...run.changes!, added: 0, changed: 0, removed: 3 },
    };
    assert.match(
      exportFinishedText(full),
      /^All_Tickets\.csv updated by a full run: \+0 added, ~0 changed, −3 removed;/,
    );
  });

  it('a run whose file a later run replaced says so, offers no file and is not ready', () => {
    const run = { ...RUN, seenAt: undefined, replacedBy: 'run-2' };
    assert.match(exportDescription(run, 10), /^10 records · 1 batch · file replaced by a later run · /);
    assert.equal(exportFile(run), undefined);
    assert.equal(isExportUnopened(run), false);
  });

  it('a plain export says its records and batches, and its row names its file', () => {
    const run = { ...RUN, destination: '/ws/exports/All_Orders_2026-12-06.csv', records: 250_000 };
    run.batches = [run.batches[0], run.batches[0], run.batches[0]];
    assert.equal(exportFinishedText(run), 'All_Tickets exported: 250,000 records in 3 batches');
    assert.equal(exportFileName(run), 'All_Orders_2026-12-06.csv');
  });
});
