// CRC-32 (the ZIP checksum) over a stream of chunks. Node's zlib.crc32 (Node 20.15 and 22.2 on;
// every VS Code this extension supports) runs natively, several times faster than JavaScript;
// older Node gets the classic table-driven version.
import type * as zlibModule from 'node:zlib';

/** Continues `value` (0 to start) over `data`; returns the unsigned CRC-32 so far. */
export type Crc32 = (data: Uint8Array, value: number) => number;

let table: Int32Array | undefined;

function crcTable(): Int32Array {
  if (!table) {
    table = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) {
        c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      }
      table[n] = c;
    }
  }
  return table;
}

/** CRC-32 in JavaScript, for a Node without zlib.crc32. */
export const crc32InJs: Crc32 = (data, value) => {
  const t = crcTable();
  let crc = ~value;
  for (let i = 0; i < data.length; i++) {
    crc = t[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  }
  return ~crc >>> 0;
};

/** zlib.crc32 where this Node has it, else crc32InJs. */
export function crc32(zlib: typeof zlibModule): Crc32 {
  const native = (zlib as { crc32?: Crc32 }).crc32;
  return typeof native === 'function' ? native : crc32InJs;
}
