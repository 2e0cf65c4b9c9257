// A result body with a Content-Encoding, over real HTTP: real data is decoded and counted; a bomb
// stops within a chunk of the inflate-ratio floor, however much the job may hold.
import * as assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { brotliCompressSync, constants, deflateSync, gzipSync } from 'node:zlib';
import { isZohoError } from '../../../src/zoho/errors';
import type { Simulator } from '../../simulator';
import { clientFor, quoteHeavyJsonCsv, ref, tempDir } from './helpers';

const MIB = 1024 * 1024;
const ENCODERS: Array<[name: string, encode: (body: Buffer) => Buffer]> = [
  ['gzip', (body) => gzipSync(body)],
  ['deflate', (body) => deflateSync(body)],
  // Quality 5, as servers compress on the fly (11, the default, takes tens of seconds here).
  ['br', (body) => brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } })],
];

describe('a result body with a Content-Encoding', () => {
  let server: Server;
  let body: { encoding: string; bytes: Buffer };
  let temp: Awaited<ReturnType<typeof tempDir>>;
  let url: string;
  let requests = 0;
  before(async () => {
    server = createServer((_req, res) => {
      requests++;
      // Connection: close: no socket outlives a case (a reused one may meet the server's idle close).
      res.writeHead(200, {
        'Content-Type': 'text/csv',
        'Content-Encoding': body.encoding,
        Connection: 'close',
      });
      res.end(body.bytes);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(async () => (temp = await tempDir()));
  afterEach(() => temp.remove());

  /** Downloads like fetchResult (12.2 GiB allowed: a claimed 200,000 records); the most bytes reported. */
  async function download(): Promise<{ records: number; peak: number }> {
    let records = 0;
    let peak = 0;
    await clientFor({ url } as Simulator).downloadResult(
      ref('All_Orders'),
      '1',
      path.join(temp.dir, 'r.part'),
      {
        maxBytes: 12.2 * 1024 ** 3,
        csvTap: (chunk) => {
          records += chunk.toString('latin1').split('\r\n').length - 1; // no field holds a line break
        },
        onProgress: ({ bytes }) => (peak = Math.max(peak, bytes)),
      },
    );
    return { records: records - 1, peak }; // less the header
  }

  for (const [encoding, encode] of ENCODERS) {
    it(`${encoding}: a quote-heavy JSON-valued CSV is decoded whole`, async () => {
      const csv = Buffer.from(quoteHeavyJsonCsv(25_000));
      body = { encoding, bytes: encode(csv) };
      assert.ok(csv.length > 4 * MIB, 'well past the floor');
      const { records, peak } = await download();
      assert.equal(records, 25_000);
      assert.equal(peak, csv.length);
    });

    it(`${encoding}: a bomb (16 MiB of one letter) stops by its ratio near 1 MiB, file removed`, async () => {
      body = { encoding, bytes: encode(Buffer.from(`ID,Note\r\n1,"${'A'.repeat(16 * MIB)}"\r\n`)) };
      let peak = 0;
      await assert.rejects(
        clientFor({ url } as Simulator).downloadResult(
          ref('All_Orders'),
          '1',
          path.join(temp.dir, 'r.part'),
          {
            maxBytes: 12.2 * 1024 ** 3,
            onProgress: ({ bytes }) => (peak = Math.max(peak, bytes)),
          },
        ),
        (error) => {
          assert.ok(isZohoError(error, 'server'), String(error));
          assert.match(
            error.message,
            new RegExp(
              `^The result's ${encoding}-encoded download expands to more than 100 times its compressed size \\(([\\d,]+) compressed bytes made ([\\d,]+) bytes\\)`,
            ),
          );
          // The numbers are of the same moment: past the ratio, not the whole body's compressed size.
          const [, compressed, made] =
            /\(([\d,]+) compressed bytes made ([\d,]+) bytes\)/.exec(error.message) ?? [];
          const [c, m] = [compressed, made].map((n) => Number(n.replace(/,/g, '')));
          assert.ok(m > 100 * c && m <= 2 * MIB, `${c} compressed bytes made ${m}`);
          return true;
        },
      );
      assert.ok(peak <= 2 * MIB, `${peak} bytes decoded and written: the floor and one chunk at most`);
      assert.deepEqual(await temp.files(), [], 'nothing kept');
    });
  }
  for (const [encoding, encode] of ENCODERS.slice(0, 2)) {
    it(`${encoding}: a corrupt body is a server error said once, not a cut-off download tried again`, async () => {
      const good = encode(Buffer.from('ID,Note\r\n' + '1,"a"\r\n'.repeat(1000)));
      const bad = Buffer.from(good);
      bad.fill(0xff, 10, 40); // inside the deflate data: undecodable, not short
      body = { encoding, bytes: bad };
      requests = 0;
      await assert.rejects(download(), (error) => {
        assert.ok(isZohoError(error, 'server'), String(error));
        assert.match(
          error.message,
          new RegExp(
            `^Zoho sent a ${encoding}-encoded body that cannot be decoded \\(Z_DATA_ERROR\\); nothing was kept\\.`,
          ),
        );
        return true;
      });
      assert.equal(requests, 1, 'not tried again: the same bytes would come back');
      assert.deepEqual(await temp.files(), [], 'nothing kept');
    });
  }
});
