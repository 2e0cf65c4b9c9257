// How big a piece of a result file moves at a time.

/**
 * Inflater output chunk and file write buffer for results. Node's default of 16 KiB makes a 1 GB
 * result 65,000 trips through the thread pool for inflating and as many for writing; 1 MiB makes
 * it 1,000, and download + extract about twice as fast (README, Performance). Memory stays a few
 * MiB per download.
 */
export const FILE_CHUNK_BYTES = 1024 * 1024;
