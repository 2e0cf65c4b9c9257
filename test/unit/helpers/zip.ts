// ZIPs built in memory for tests (yazl), and a way to give an entry a name yazl would refuse.
import { ZipFile } from 'yazl';

/** A ZIP of the given entries (name, content), deflated unless `compress` is false. */
export function zipOf(
  entries: Array<[name: string, content: string | Buffer]>,
  options: { compress?: boolean } = {},
): Promise<Buffer> {
  const file = new ZipFile();
  for (const [name, content] of entries) {
    file.addBuffer(Buffer.isBuffer(content) ? content : Buffer.from(content), name, {
      compress: options.compress ?? true,
    });
  }
  file.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    file.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    file.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    file.outputStream.on('error', reject);
  });
}

/** Replaces a same-length placeholder name inside a ZIP (yazl refuses to write hostile names). */
export function renameInZip(zip: Buffer, from: string, to: string): Buffer {
  if (from.length !== to.length) {
    throw new Error('names must have the same length');
  }
  return Buffer.from(zip.toString('latin1').split(from).join(to), 'latin1');
}
