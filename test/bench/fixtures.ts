// Result ZIPs for the download benchmark, shaped like the simulator's (and Zoho's): one CSV entry,
// deflated, written by yazl in streaming mode. Rows come from the simulator's catalogue, so they
// compress like real report data. Past 64 MB the generated rows repeat (deflate looks back only
// 32 KiB, so repeats compress no better), which keeps making a 1 GB file to about a minute.
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';
import { encodeRow } from '../simulator/csv';
import { buildCatalog } from '../simulator/data';

const CHUNK_CHARS = 1024 * 1024;
const GENERATED_BYTES = 64 * 1024 * 1024;

/** Writes a ZIP of the orders report: `records` rows, or whole rows until the CSV reaches `bytes`. */
export async function writeResultZip(
  zipPath: string,
  limit: { records: number } | { bytes: number },
): Promise<{ records: number; csvBytes: number }> {
  const report = buildCatalog({ seed: 7, ordersRows: Number.MAX_SAFE_INTEGER, customersRows: 1 })[0]
    .reports[0];
  let records = 0;
  let csvBytes = 0;
  const done = (): boolean => ('records' in limit ? records >= limit.records : csvBytes >= limit.bytes);
  const generated: { chunk: Buffer; rows: number }[] = [];
  function* chunks(): Generator<Buffer> {
    let text = encodeRow(report.columns);
    let rows = 0;
    while (!done() && ('records' in limit || csvBytes < GENERATED_BYTES)) {
      text += encodeRow(report.row(records));
      records++;
      rows++;
      if (text.length >= CHUNK_CHARS || done()) {
        const chunk = Buffer.from(text, 'utf8');
        csvBytes += chunk.length;
        generated.push({ chunk, rows });
        text = '';
        rows = 0;
        yield chunk;
      }
    }
    // Whole generated chunks again (not the first: it holds the header line) until the size.
    for (let i = 1; !done(); i = i + 1 < generated.length ? i + 1 : 1) {
      records += generated[i].rows;
      csvBytes += generated[i].chunk.length;
      yield generated[i].chunk;
    }
  }
  const zip = new ZipFile();
  zip.addReadStream(Readable.from(chunks()), `All_Orders_${Date.now()}.csv`, { compress: true });
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(zipPath));
  return { records, csvBytes };
}
