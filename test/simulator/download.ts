// The result download: a ZIP holding `{report}_{job_id}.csv` (streamed through yazl), or raw CSV,
// or a JSON error envelope, delivered normally, slowly, truncated or with a reset connection.
import type { ServerResponse } from 'node:http';
import { pipeline, Transform, type Readable, type TransformCallback } from 'node:stream';
import { ZipFile } from 'yazl';
import type { EmptyResult, SimulatorSwitches } from './api';
import { csvStream } from './csv';
import { sendJson } from './http';

export interface DownloadSource {
  report: string;
  jobId: string;
  header: string[];
  rows: Iterator<string[]>;
  /** Simulated completion time, used as the ZIP entry's mtime. */
  mtime: number;
  cursor?: string;
}

export function sendDownload(res: ServerResponse, source: DownloadSource, switches: SimulatorSwitches): void {
  if (switches.downloadFormat === 'jsonError') {
    sendJson(res, 200, { code: 2894, message: 'Unable to export the report data. Please try again.' });
    return;
  }
  const csv = csvStream(source.header, source.rows);
  const zip = switches.downloadFormat === 'zip';
  const headers: Record<string, string> = {
    'Content-Type': zip ? 'application/zip' : 'text/csv;charset=UTF-8',
    'Content-Disposition': `attachment; filename="${source.report}_${source.jobId}.${zip ? 'zip' : 'csv'}"`,
  };
  if (switches.recordCursorHeader && source.cursor) {
    headers.recordCursor = source.cursor;
  }
  let body: Readable = csv;
  if (zip) {
    const zipFile = new ZipFile();
    zipFile.addReadStream(csv, `${source.report}_${source.jobId}.csv`, {
      compress: true,
      mtime: new Date(source.mtime),
    });
    zipFile.end();
    body = zipFile.outputStream as Readable;
  }
  // Stop generating rows when the client goes away (pipeline only destroys the zip output).
  res.on('close', () => csv.destroy());

  const behaviour = switches.downloadBehaviour;
  if (behaviour === 'truncate' || behaviour === 'reset') {
    sendBroken(res, body, headers, behaviour);
    return;
  }
  res.writeHead(200, headers);
  const onDone = (): void => undefined; // errors here mean the client left; nothing to report
  if (behaviour === 'slow') {
    pipeline(body, new Throttle(switches.slowBytesPerSecond), res, onDone);
  } else {
    pipeline(body, res, onDone);
  }
}

/** A batch that matched no records, answered without a ZIP (docs/zoho-bulk-read-api.md, "Downloading the result"). */
export function sendEmptyResult(res: ServerResponse, style: Exclude<EmptyResult, 'headerOnly'>): void {
  if (style === 'code3000') {
    sendJson(res, 200, { code: 3000, message: 'No records found for the given criteria.' });
  } else {
    sendJson(res, 400, { code: 9220, message: 'No records exist' });
  }
}

/**
 * Truncate and reset need the full length to break "half-way", so they buffer the body: use them
 * with small reports. Truncate announces the full Content-Length, sends half and closes the
 * connection; reset sends half and answers with a TCP RST.
 */
function sendBroken(
  res: ServerResponse,
  body: Readable,
  headers: Record<string, string>,
  behaviour: 'truncate' | 'reset',
): void {
  const chunks: Buffer[] = [];
  body.on('data', (chunk: Buffer) => chunks.push(chunk));
  body.on('error', () => res.destroy());
  body.on('end', () => {
    const all = Buffer.concat(chunks);
    res.writeHead(200, { ...headers, 'Content-Length': String(all.length) });
    res.write(all.subarray(0, Math.floor(all.length / 2)), () => {
      const socket = res.socket;
      if (behaviour === 'reset') {
        socket?.resetAndDestroy();
      } else {
        socket?.end();
      }
    });
  });
}

/** Paces bytes at about `bytesPerSecond`: slices of a tenth of it, each followed by its share of time. */
class Throttle extends Transform {
  private timer?: NodeJS.Timeout;

  constructor(private readonly bytesPerSecond: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const slice = Math.max(1, Math.floor(this.bytesPerSecond / 10));
    let offset = 0;
    const step = (): void => {
      this.timer = undefined;
      const part = chunk.subarray(offset, offset + slice);
      offset += part.length;
      this.push(part);
      const pause = (part.length / this.bytesPerSecond) * 1000;
      this.timer = setTimeout(offset >= chunk.length ? callback : step, pause);
    };
    step();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.timer);
    callback(error);
  }
}
