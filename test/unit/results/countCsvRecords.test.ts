import * as assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { countCsvRecords } from '../../../src/results/countCsvRecords';
import { tempDir } from './helpers';

describe('countCsvRecords', () => {
  let temp: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    temp = await tempDir();
  });
  afterEach(() => temp.remove());

  async function count(text: string): Promise<number> {
    const file = path.join(temp.dir, 'x.csv');
    await writeFile(file, text);
    return countCsvRecords(file);
  }

  it('counts records, not the header', async () => {
    assert.equal(await count('a,b\n1,2\n3,4\n'), 2);
    assert.equal(await count('a,b\r\n1,2\r\n3,4'), 2, 'CRLF and no final newline');
  });

  it('does not count newlines inside quoted fields', async () => {
    assert.equal(await count('id,note\n1,"line one\nline two"\n2,"say ""hi""\r\nbye"\n'), 2);
  });

  it('gives 0 for a header-only or empty file and ignores blank lines', async () => {
    assert.equal(await count('a,b\n'), 0);
    assert.equal(await count(''), 0);
    assert.equal(await count('a,b\n\n1,2\n\n'), 1);
  });
});
