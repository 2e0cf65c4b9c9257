// Decompression bombs for tests, built without inflating them first: a gibibyte of one byte
// deflates to about a megabyte, made here from one compressed mebibyte repeated (a full flush
// ends each piece on a byte boundary with no reference to earlier data, so pieces concatenate).
import * as zlib from 'node:zlib';

const MIB = 1024 * 1024;

export interface Deflated {
  /** Raw deflate data (no zlib or gzip header), as a ZIP entry holds it. */
  data: Buffer;
  /** Inflated size and CRC-32 of the content, as an honest ZIP declares them. */
  size: number;
  crc32: number;
}

/** Raw deflate of `head`, then `mebibytes` MiB of `fill`, then `tail`. */
export function deflateBomb(head: string, fill: string, mebibytes: number, tail: string): Deflated {
  const flush = { finishFlush: zlib.constants.Z_FULL_FLUSH };
  const block = Buffer.alloc(MIB, fill);
  const blockDeflated = zlib.deflateRawSync(block, flush);
  const pieces = [zlib.deflateRawSync(Buffer.from(head), flush)];
  let crc = zlib.crc32(head);
  for (let i = 0; i < mebibytes; i++) {
    pieces.push(blockDeflated);
    crc = zlib.crc32(block, crc);
  }
  pieces.push(zlib.deflateRawSync(Buffer.from(tail))); // the final block
  crc = zlib.crc32(tail, crc);
  return {
    data: Buffer.concat(pieces),
    size: Buffer.byteLength(head) + mebibytes * MIB + Buffer.byteLength(tail),
    crc32: crc,
  };
}

/**
 * A ZIP of one deflated entry (32-bit sizes) that declares `declaredSize` (default: the true size)
 * in its local header and central directory.
 */
export function zipOfDeflated(name: string, entry: Deflated, declaredSize: number = entry.size): Buffer {
  const nameBytes = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4); // version needed
  local.writeUInt16LE(8, 8); // deflate
  local.writeUInt16LE(0x21, 12); // 1980-01-01
  local.writeUInt32LE(entry.crc32 >>> 0, 14);
  local.writeUInt32LE(entry.data.length, 18);
  local.writeUInt32LE(declaredSize, 22);
  local.writeUInt16LE(nameBytes.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4); // made by
  central.writeUInt16LE(20, 6); // version needed
  central.writeUInt16LE(8, 10);
  central.writeUInt16LE(0x21, 14);
  central.writeUInt32LE(entry.crc32 >>> 0, 16);
  central.writeUInt32LE(entry.data.length, 20);
  central.writeUInt32LE(declaredSize, 24);
  central.writeUInt16LE(nameBytes.length, 28);
  central.writeUInt32LE(0, 42); // the local header's offset
  const centralAt = local.length + nameBytes.length + entry.data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + nameBytes.length, 12);
  end.writeUInt32LE(centralAt, 16);
  return Buffer.concat([local, nameBytes, entry.data, central, nameBytes, end]);
}
