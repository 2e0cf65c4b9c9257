// The result pipeline: download, extract and count a job's CSV.
export { countCsvRecords } from './countCsvRecords';
export { CsvRecordCounter } from './csvRecordCounter';
export {
  DEFAULT_MAX_EXTRACTED_BYTES,
  extractCsv,
  isUnsafeEntryName,
  type ExtractOptions,
  type Extracted,
} from './extractCsv';
export { deleteResultFiles, fetchResult, plausibleResultBytes, type FetchResultOptions } from './fetchResult';
export type { LocalResult } from './localResult';
export {
  resultFileName,
  resultPaths,
  storedResultFolder,
  type ResultOwner,
  type ResultPaths,
} from './resultPaths';
