// The exports file shared by every window: never written over when it cannot be read or is in a
// format this version does not know; moved aside when it is not an exports list.
import * as assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { EXPORTS_FILE_NAME, ExportStore } from '../../../src/exports/exportStore';
import type { ExportRun } from '../../../src/exports/model';
import { RecordingLogger } from '../jobs/recordingLogger';
import { SharedStorage } from '../jobs/sharedStorage';

const RUN = { id: 'run-1', batches: [] } as unknown as ExportRun;

describe('ExportStore (shared file)', () => {
  let shared: SharedStorage;
  beforeEach(async () => {
    shared = await SharedStorage.create();
  });
  afterEach(() => shared.dispose());

  const exportsPath = (): string => path.join(shared.dir, EXPORTS_FILE_NAME);

  it('leaves a file in a format it does not know (a newer release) as it is', async () => {
    const newer = JSON.stringify({ version: 2, exports: [{ id: 'theirs' }] });
    await writeFile(exportsPath(), newer);
    const logger = new RecordingLogger();
    const store = new ExportStore(shared.file(EXPORTS_FILE_NAME), logger);

    await store.add(RUN);
    await store.flushed();

    assert.equal(await readFile(exportsPath(), 'utf8'), newer);
    assert.match(logger.problems().join('\n'), /format 2/);
    store.dispose();
  });

  it('moves a file that is not JSON aside, then saves', async () => {
    await writeFile(exportsPath(), '{"version": 1, "exp');
    const logger = new RecordingLogger();
    const store = new ExportStore(shared.file(EXPORTS_FILE_NAME, undefined, logger), logger);

    await store.add(RUN);
    await store.flushed();

    const stored = JSON.parse(await readFile(exportsPath(), 'utf8')) as { exports: Array<{ id: string }> };
    assert.deepEqual(
      stored.exports.map((run) => run.id),
      ['run-1'],
    );
    assert.equal(
      (await readdir(shared.dir)).filter((name) => name.startsWith('exports.json.bad-')).length,
      1,
    );
    store.dispose();
  });
});
