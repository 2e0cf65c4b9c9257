// Downloads a job's result to a file through the account's transport (docs/zoho-bulk-read-api.md,
// "Downloading the result"): a body that stalls, crawls or is cut off is tried again; an error answer,
// a web page, a body too large or an unreadable encoding is final. The bytes are bounded by
// ./download.ts; the file is removed on any failure.
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { isDiskFull } from '../core/diskFull';
import type { DownloadOptions } from './api';
import { decodeBody, describeBody, removeQuietly, streamToFile, undecodableBody } from './download';
import { ZohoError, isZohoError, resultDiskFull } from './errors';
import { classifyTransportError, headerValue, readEnvelope, type ErrorContext } from './errorMapping';
import type { HttpResponse } from './http';
import { jobResultPath } from './paths';
import { redactKnown, serverText } from './redact';
import type { Transport } from './transport';
import type { DownloadOutcome, ReportRef } from './types';

const SUCCESS_CODE = 3000;
/** "No records exist" ("Downloading the result"): a batch with no records, not an error. */
const NO_RECORDS_CODE = 9220;

export async function downloadResult(
  transport: Transport,
  ref: ReportRef,
  jobId: string,
  destinationPath: string,
  options: DownloadOptions = {},
): Promise<DownloadOutcome> {
  // A body that stalls, crawls or is cut off is tried again with back-off; anything the server
  // said (an error answer, a web page, a body too large) is final.
  const attempts = transport.attemptsOf(options.attempts);
  for (let attempt = 1; ; attempt++) {
    const phase = { body: false };
    try {
      return await downloadOnce(transport, ref, jobId, destinationPath, options, phase);
    } catch (error) {
      await removeQuietly(destinationPath);
      const classified = isZohoError(error)
        ? error
        : classifyTransportError(error, transport.host, options.signal?.aborted ?? false);
      const retry = phase.body && classified.kind === 'network' && attempt < attempts;
      if (!retry || options.signal?.aborted) {
        throw transport.masked(classified);
      }
      transport.logger.warn(`Download of job ${jobId} failed (${classified.message}); trying again.`);
      options.onRetry?.();
      await transport.backoff(attempt, options.signal);
    }
  }
}

async function downloadOnce(
  transport: Transport,
  ref: ReportRef,
  jobId: string,
  destinationPath: string,
  options: DownloadOptions,
  phase: { body: boolean },
): Promise<DownloadOutcome> {
  const path = resultPath(transport, ref, jobId, options.downloadUrl);
  const context: ErrorContext = { operation: 'download', ref, jobId };
  const { signal } = options;
  let response: HttpResponse<Readable> | undefined;
  try {
    response = await transport.send<Readable>(
      { method: 'GET', path, context },
      { stream: true, signal, attempts: transport.attemptsOf(options.attempts) },
    );
    // Downloads are not decoded by axios (see send): decodeBody bounds the inflate ratio.
    const encoding = headerValue(response.headers, 'content-encoding');
    const decoded = await decodeBody(response.data, encoding);
    const contentType = headerValue(response.headers, 'content-type') ?? '';
    if (response.status < 200 || response.status >= 300) {
      const text = await transport.readSmall(decoded?.stream ?? response.data);
      if (readEnvelope(text).code === NO_RECORDS_CODE) {
        return { bytes: 0, format: 'noRecords' }; // 9220 may come with an error status
      }
      throw transport.errorFrom(response.status, response.headers, text, context);
    }
    if (!decoded) {
      throw new ZohoError({
        kind: 'server',
        message: `Zoho sent the result in an encoding this extension cannot read (${serverText(encoding ?? '', [], 60)}); nothing was kept. Download again later; if it keeps happening, check the data centre and custom host of the account.`,
      });
    }
    const lengthHeader = headerValue(response.headers, 'content-length');
    // With a Content-Encoding the length counts encoded bytes: the byte cap and the inflate
    // ratio bound what the decoding may produce.
    const total =
      lengthHeader !== undefined && /^\d+$/.test(lengthHeader) && !decoded.encoded
        ? Number(lengthHeader)
        : undefined;
    if (total !== undefined && options.maxBytes !== undefined && total > options.maxBytes) {
      throw new ZohoError({
        kind: 'server',
        limitBytes: options.maxBytes,
        message: `The result is ${total} bytes, more than the ${options.maxBytes} bytes this job can hold or the disk can take; it was not downloaded. Check the free disk space and the job.`,
      });
    }
    const declaredCsv = /^\s*text\/csv\b/i.test(contentType);
    phase.body = true;
    let outcome;
    let received = 0;
    try {
      outcome = await streamToFile(decoded, destinationPath, {
        signal,
        total,
        jsonHint: /json/i.test(contentType),
        onProgress: (progress) => {
          received = progress.bytes;
          options.onProgress?.(progress);
        },
        maxBytes: options.maxBytes,
        idleTimeoutMs: options.idleTimeoutMs,
        minBytesPerSecond: options.minBytesPerSecond,
        textTap: options.csvTap,
        zipTap: options.zipTap,
        accept: (format, head) => {
          if (format === 'text' && !declaredCsv) {
            throw new ZohoError({
              kind: 'server',
              message: `Zoho sent ${describeBody(head)} instead of the result ZIP${contentType ? ` (${serverText(contentType, [], 60)})` : ''}; nothing was kept. Download again later; if it keeps happening, check the data centre and custom host of the account.`,
            });
          }
        },
      });
    } catch (error) {
      if (signal?.aborted) {
        throw classifyTransportError(error, transport.host, true);
      }
      if (isZohoError(error)) {
        throw error;
      }
      if (isDiskFull(error)) {
        // Not a dropped connection: trying again cannot help until the user makes room.
        const detail =
          total === undefined
            ? `it filled after ${received} bytes of the download`
            : `the download is ${total} bytes`;
        throw resultDiskFull(dirname(destinationPath), jobId, total ?? received, detail);
      }
      const undecodable = decoded?.encoded && undecodableBody(decoded.encoded.name, error);
      if (undecodable) {
        throw undecodable;
      }
      throw new ZohoError({
        kind: 'network',
        message: 'The download was cut off before the end. Try downloading again.',
      });
    }
    if (outcome.jsonBody !== undefined) {
      // The answer for a batch with no records is JSON with code 3000 (or 9220) instead of a
      // ZIP ("Downloading the result"); any other JSON is an error envelope.
      const { code } = readEnvelope(outcome.jsonBody);
      if (code === SUCCESS_CODE || code === NO_RECORDS_CODE) {
        return { bytes: 0, format: 'noRecords' };
      }
      throw transport.errorFrom(response.status, response.headers, outcome.jsonBody, context, true);
    }
    if (total !== undefined && outcome.bytes !== total) {
      throw new ZohoError({
        kind: 'network',
        message: `The download was cut off (${outcome.bytes} of ${total} bytes). Try downloading again.`,
      });
    }
    const recordCursor = headerValue(response.headers, 'recordcursor');
    return {
      bytes: outcome.bytes,
      format: outcome.format === 'zip' ? 'zip' : 'csv',
      ...(recordCursor ? { recordCursor: redactKnown(recordCursor, transport.tokens.secrets()) } : {}),
    };
  } catch (error) {
    response?.data?.destroy?.();
    throw error;
  }
}

/**
 * The job's own download_url is used only as a path on the account's host, and only when it
 * has the expected shape; anything else could send the token somewhere else.
 */
function resultPath(
  transport: Transport,
  ref: ReportRef,
  jobId: string,
  downloadUrl: string | undefined,
): string {
  const built = jobResultPath(transport.family, ref, jobId);
  if (!downloadUrl) {
    return built;
  }
  const relative =
    downloadUrl.startsWith('/') && !downloadUrl.startsWith('//') && !downloadUrl.includes('\\');
  if (relative) {
    const pathname = new URL(downloadUrl, 'http://placeholder.invalid').pathname;
    const shape = new RegExp(`/read/${jobId}/result/?$`);
    if (/^(\/[A-Za-z0-9_.~%-]+)+\/?$/.test(pathname) && shape.test(pathname) && !pathname.includes('/../')) {
      return pathname;
    }
  }
  transport.logger.warn(
    `Job ${jobId}: ignoring its download_url (${relative ? 'unexpected path' : 'absolute URL'}); downloading from the account's own host instead.`,
  );
  return built;
}
