import * as assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { crc32, crc32InJs } from '../../../src/results/crc32';

describe('crc32', () => {
  it('the JavaScript fallback gives the standard check value and matches zlib over any chunking', () => {
    assert.equal(crc32InJs(Buffer.from('123456789'), 0), 0xcbf43926);
    let seed = 11;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const data = Buffer.from(Array.from({ length: 50_000 }, () => Math.floor(random() * 256)));
    let js = 0;
    for (let at = 0; at < data.length;) {
      const next = Math.min(data.length, at + Math.floor(random() * 3000));
      js = crc32InJs(data.subarray(at, next), js);
      at = next;
    }
    assert.equal(js, zlib.crc32(data));
  });

  it('uses zlib.crc32 where Node has it and the fallback where it does not', () => {
    assert.equal(crc32(zlib), zlib.crc32);
    assert.equal(crc32({ ...zlib, crc32: undefined } as unknown as typeof zlib), crc32InJs);
  });
});
