// A plain static file server for the download benchmark: every GET gets the one file named on the
// command line, with its Content-Length, as any web server would send it. Runs in its own process
// so that serving does not share the measured process's event loop.
//   node -r esbuild-register test/bench/staticServer.ts <file>
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream';

const file = process.argv[2];
if (!file) {
  throw new Error('usage: staticServer.ts <file>');
}
const server = createServer((_request, response) => {
  const { size } = statSync(file);
  response.writeHead(200, { 'Content-Type': 'application/zip', 'Content-Length': String(size) });
  pipeline(createReadStream(file, { highWaterMark: 1024 * 1024 }), response, () => undefined);
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  console.log(`listening on http://127.0.0.1:${port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
