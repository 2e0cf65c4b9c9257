import * as assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { countCsvRecords } from '../../../src/results/countCsvRecords';
import { CsvRecordCounter } from '../../../src/results/csvRecordCounter';
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

describe('CsvRecordCounter', () => {
  /** The plain byte-by-byte RFC 4180 state machine the fast counter must agree with. */
  function reference(text: string): number {
    let records = 0;
    let inQuotes = false;
    let hasContent = false;
    for (const byte of Buffer.from(text)) {
      if (byte === 0x22) {
        inQuotes = !inQuotes;
        hasContent = true;
      } else if (!inQuotes && (byte === 0x0a || byte === 0x0d)) {
        if (hasContent) {
          records++;
          hasContent = false;
        }
      } else {
        hasContent = true;
      }
    }
    return Math.max(0, records + (hasContent ? 1 : 0) - 1);
  }

  const samples = [
    'id,note\r\n1,"line one\nline two"\r\n2,"say ""hi""\r\nbye"\r\n3,plain\r\n',
    'a,b\n\n"",""\n"x\r\ny",z\rq,r',
    '"h1","h2"\n"""",""""""\n,\n"unterminated\n',
    'a\n"Zoë, Müller","Kraków ""PL"""\n',
  ];

  it('agrees with the byte-by-byte count however the text is split into chunks', () => {
    for (const text of samples) {
      const bytes = Buffer.from(text);
      const expected = reference(text);
      for (let cut = 0; cut <= bytes.length; cut++) {
        for (const second of [cut, Math.min(bytes.length, cut + 1), Math.min(bytes.length, cut + 3)]) {
          const counter = new CsvRecordCounter();
          counter.push(bytes.subarray(0, cut));
          counter.push(bytes.subarray(cut, second));
          counter.push(bytes.subarray(second));
          assert.equal(counter.count, expected, `${JSON.stringify(text)} cut at ${cut} and ${second}`);
        }
      }
    }
  });

  it('counts a pseudo-random CSV in random chunks as the byte-by-byte count does', () => {
    let seed = 7;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const alphabet = ['a', 'b', ',', '"', '""', '\n', '\r\n', '\r', 'ü'];
    const text = Array.from({ length: 20_000 }, () => alphabet[Math.floor(random() * alphabet.length)]).join(
      '',
    );
    const bytes = Buffer.from(text);
    const counter = new CsvRecordCounter();
    for (let at = 0; at < bytes.length;) {
      const next = Math.min(bytes.length, at + 1 + Math.floor(random() * 700));
      counter.push(bytes.subarray(at, next));
      at = next;
    }
    assert.equal(counter.count, reference(text));
  });

  /** `text`'s bytes at `offset` within a fresh ArrayBuffer (so its 4-byte words fall differently). */
  function at(bytes: Buffer, offset: number): Uint8Array {
    const copy = new Uint8Array(new ArrayBuffer(bytes.length + 8), offset, bytes.length);
    copy.set(bytes);
    return copy;
  }

  it('agrees at every alignment, with long runs read a word at a time and line ends next to them', () => {
    // Runs long enough for whole 4-byte words, every special byte at each position within a word,
    // and bytes near the 0x0e bound (tab, 0x0b, 0x0c, 0x0e, 0x00) and above 0x7f.
    const pieces = [
      'abcdefgh',
      '"',
      '""',
      '\n',
      '\r\n',
      '\r',
      '\t',
      '\x0b\x0c\x0e\x00',
      'ü€',
      '"a""b"',
      ',',
      '\x7f',
    ];
    let seed = 11;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 40; round++) {
      const text = Array.from({ length: 300 }, () => pieces[Math.floor(random() * pieces.length)]).join('');
      const bytes = Buffer.from(text);
      const expected = reference(text);
      for (let offset = 0; offset < 4; offset++) {
        const whole = new CsvRecordCounter();
        whole.push(at(bytes, offset));
        assert.equal(whole.count, expected, `round ${round}, offset ${offset}`);
        const cut = Math.floor(random() * bytes.length);
        const split = new CsvRecordCounter();
        split.push(at(bytes.subarray(0, cut), offset));
        split.push(at(bytes.subarray(cut), (offset + 1) % 4));
        assert.equal(split.count, expected, `round ${round}, offset ${offset}, cut at ${cut}`);
        assert.equal(split.endsInQuotes, (text.match(/"/g) ?? []).length % 2 === 1);
      }
    }
  });

  it('tells a value that is still open after quote-heavy words from one that closed', () => {
    const open = new CsvRecordCounter();
    open.push(Buffer.from('h\n"[{""Product"":""Monitor 27\\"""",""Qty"":2}]\nnext'));
    assert.equal(open.endsInQuotes, true);
    assert.equal(open.count, 1, 'the newline inside the open value ends nothing');
    open.push(Buffer.from('"\n2\n'));
    assert.equal(open.endsInQuotes, false);
    assert.equal(open.count, 2);
  });
});
