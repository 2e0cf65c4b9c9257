// Shared helpers for the simulator tests: plain fetch against the simulator, and unzip via yauzl.
import * as yauzl from 'yauzl';
import { DEMO, type Simulator } from '../../simulator';

export const ORDERS = `/creator/v2.1/bulk/${DEMO.owner}/${DEMO.app}/report/All_Orders/read`;
export const CUSTOMERS = `/creator/v2.1/bulk/${DEMO.owner}/${DEMO.app}/report/All_Customers/read`;
export const CUSTOMERS_A = `/api/bulk/v2.1/${DEMO.owner}/${DEMO.app}/report/All_Customers/read`;

export interface Answer {
  status: number;
  headers: Headers;
  body: Buffer;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export async function call(
  sim: Simulator,
  method: string,
  path: string,
  options: { token?: string | null; body?: unknown; raw?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  const token = options.token === undefined ? DEMO.accessToken : options.token;
  if (token !== null) {
    headers.Authorization = `Zoho-oauthtoken ${token}`;
  }
  let body: string | undefined = options.raw;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(sim.url + path, { method, headers, body });
  const buffer = Buffer.from(await response.arrayBuffer());
  let json: unknown;
  if ((response.headers.get('content-type') ?? '').includes('json')) {
    json = JSON.parse(buffer.toString('utf8'));
  }
  return { status: response.status, headers: response.headers, body: buffer, json };
}

/** Creates a job and returns its id. */
export async function createJob(
  sim: Simulator,
  path: string,
  query: Record<string, unknown> = {},
): Promise<string> {
  const answer = await call(sim, 'POST', path, { body: { query } });
  if (answer.json?.code !== 3000) {
    throw new Error(`create failed: ${answer.status} ${answer.body.toString()}`);
  }
  return answer.json.details.id;
}

export function unzip(zip: Buffer): Promise<{ name: string; text: string }[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (error, zipFile) => {
      if (error) {
        reject(error);
        return;
      }
      const entries: { name: string; text: string }[] = [];
      zipFile.on('entry', (entry: yauzl.Entry) => {
        zipFile.openReadStream(entry, (streamError, stream) => {
          if (streamError) {
            reject(streamError);
            return;
          }
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            entries.push({ name: entry.fileName, text: Buffer.concat(chunks).toString('utf8') });
            zipFile.readEntry();
          });
          stream.on('error', reject);
        });
      });
      zipFile.on('end', () => resolve(entries));
      zipFile.on('error', reject);
      zipFile.readEntry();
    });
  });
}
