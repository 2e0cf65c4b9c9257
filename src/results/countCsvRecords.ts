// Counts the records of a CSV already on disk (an export's appended file, tests, bench); downloads count while they write.
import { createReadStream } from 'node:fs';
import { CsvRecordCounter } from './csvRecordCounter';

/** Counts data records (header excluded); see CsvRecordCounter. */
export async function countCsvRecords(filePath: string): Promise<number> {
  const counter = new CsvRecordCounter();
  for await (const chunk of createReadStream(filePath)) {
    counter.push(chunk as Buffer);
  }
  return counter.count;
}
