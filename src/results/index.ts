// The result pipeline: download, extract and count a job's CSV.
export { countCsvRecords } from './countCsvRecords';
export {
  DEFAULT_MAX_EXTRACTED_BYTES,
  extractCsv,
  isUnsafeEntryName,
  type ExtractOptions,
} from './extractCsv';
export { deleteResultFiles, fetchResult, type FetchResultOptions } from './fetchResult';
export { resultFileName, resultPaths, type ResultPaths } from './resultPaths';
