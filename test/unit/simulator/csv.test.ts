import * as assert from 'node:assert/strict';
import { csvStream, encodeField, encodeRow, parseCsv } from '../../simulator/csv';

const TRICKY = [
  'plain',
  'a,b',
  'say "hi"',
  'line\r\nbreak',
  'lf\nonly',
  'cr\ronly',
  '',
  'Zoë 東京 Müller',
  '"',
  ',,',
];

describe('simulator: CSV encoding', () => {
  it('quotes only fields with comma, quote, CR or LF, doubling quotes', () => {
    assert.equal(encodeField('plain'), 'plain');
    assert.equal(encodeField('a,b'), '"a,b"');
    assert.equal(encodeField('say "hi"'), '"say ""hi"""');
    assert.equal(encodeField('x\ny'), '"x\ny"');
    assert.equal(encodeField('Zoë'), 'Zoë');
    assert.equal(encodeRow(['a', 'b,c', '']), 'a,"b,c",\r\n');
  });

  it('round-trips tricky values through the streaming encoder', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => [
      String(i),
      TRICKY[i % TRICKY.length],
      TRICKY[(i * 7) % TRICKY.length],
    ]);
    const chunks: Buffer[] = [];
    for await (const chunk of csvStream(['n', 'a', 'b'], rows[Symbol.iterator]())) {
      chunks.push(chunk as Buffer);
    }
    assert.ok(chunks.length > 1, 'rows are emitted in several chunks');
    const parsed = parseCsv(Buffer.concat(chunks).toString('utf8'));
    assert.deepEqual(parsed, [['n', 'a', 'b'], ...rows]);
  });
});
