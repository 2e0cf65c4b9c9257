// A CSV file as an incremental export's snapshot holds it: the header, then the records sorted by
// ID (the first column, IDs of one length), each ending in CRLF. Compares a snapshot with a full
// export byte for byte.
import { csvRecords } from '../../../src/exports/csvRecords';

export async function sortedById(file: string): Promise<string> {
  const all: string[] = [];
  for await (const record of csvRecords(file)) {
    all.push(record);
  }
  const [header, ...records] = all;
  records.sort((a, b) => a.split(',')[0].localeCompare(b.split(',')[0]));
  return [header, ...records].map((record) => `${record}\r\n`).join('');
}
