// A deliberately hostile Zoho Creator on loopback: each test scripts what create, status, download
// and the OAuth token endpoint answer (HTML, junk, lies, stalls, bombs, echoes of secrets). A
// second server on 127.0.0.2 plays a foreign host and records every request that reaches it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export { renameInZip, zipOf } from '../unit/helpers/zip';

export type Handler = (req: IncomingMessage, res: ServerResponse, hit: Hit) => void | Promise<void>;

export interface Hit {
  route: Route;
  jobId?: string;
  /** 1 for the first request of this route in the test. */
  n: number;
  body: string;
}

export type Route = 'create' | 'status' | 'download' | 'token' | 'meta' | 'other';

interface Recorded {
  route: Route;
  method: string;
  url: string;
  authorization?: string;
}

const BULK = /^\/creator\/v2\.1\/bulk\/[^/]+\/[^/]+\/report\/[^/]+\/read(?:\/([^/]+))?(\/result\/?)?$/;

/** One loopback HTTP server that remembers its sockets, so a stalled answer never outlives a test. */
class LoopbackServer {
  readonly requests: Recorded[] = [];
  private readonly sockets = new Set<Socket>();
  private server?: Server;
  url = '';

  constructor(
    private readonly host: string,
    private readonly handle: (req: IncomingMessage, res: ServerResponse) => void,
  ) {}

  async start(): Promise<void> {
    const server = createServer((req, res) => this.handle(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, this.host, () => resolve());
    });
    this.server = server;
    this.url = `http://${this.host}:${(server.address() as { port: number }).port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) {
      socket.destroy();
    }
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

export class HostileZoho {
  readonly handlers: Partial<Record<Route, Handler>> = {};
  private readonly counts = new Map<Route, number>();
  private readonly main: LoopbackServer;
  /** Plays another host (127.0.0.2): nothing, and certainly no token, may ever reach it. */
  readonly foreign: LoopbackServer;

  constructor() {
    this.main = new LoopbackServer('127.0.0.1', (req, res) => void this.dispatch(req, res));
    this.foreign = new LoopbackServer('127.0.0.2', (req, res) => {
      this.foreign.requests.push({
        route: 'other',
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
      });
      res.writeHead(200, { 'Content-Type': 'application/zip' });
      res.end('stolen');
    });
  }

  get url(): string {
    return this.main.url;
  }

  get requests(): readonly Recorded[] {
    return this.main.requests;
  }

  hits(route: Route): number {
    return this.counts.get(route) ?? 0;
  }

  async start(): Promise<void> {
    await this.main.start();
    await this.foreign.start();
  }

  async stop(): Promise<void> {
    await this.main.stop();
    await this.foreign.stop();
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const match = BULK.exec(url.pathname);
    let route: Route = 'other';
    let jobId: string | undefined;
    if (url.pathname === '/oauth/v2/token') {
      route = 'token';
    } else if (url.pathname.startsWith('/creator/v2.1/meta/')) {
      route = 'meta';
    } else if (match) {
      jobId = match[1];
      route = match[2] ? 'download' : jobId ? 'status' : 'create';
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
    }
    const n = (this.counts.get(route) ?? 0) + 1;
    this.counts.set(route, n);
    this.main.requests.push({
      route,
      method: req.method ?? '',
      url: req.url ?? '',
      authorization: req.headers.authorization,
    });
    const handler = this.handlers[route] ?? (route === 'meta' ? meta : undefined);
    if (!handler) {
      json(res, 404, { code: 1000, message: 'Invalid API URL' });
      return;
    }
    try {
      await handler(req, res, { route, jobId, n, body: Buffer.concat(chunks).toString('utf8') });
    } catch {
      res.destroy();
    }
  }
}

/** The pickers' meta API: one application (zylker, owner jason18) with one report (All_Orders). */
const meta: Handler = (req, res) => {
  const url = req.url ?? '';
  if (url.endsWith('/applications')) {
    json(res, 200, {
      code: 3000,
      applications: [{ application_name: 'Zylker', link_name: 'zylker', workspace_name: 'jason18' }],
    });
  } else {
    json(res, 200, {
      code: 3000,
      reports: [{ display_name: 'All Orders', link_name: 'All_Orders', type: 'list' }],
    });
  }
};

export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8', ...headers });
  res.end(text);
}

/** `header` plus `records` rows of `id,"text"`. */
export function csvOf(records: number, header = 'ID,Note'): string {
  const rows = [header];
  for (let i = 1; i <= records; i++) {
    rows.push(`${i},"note ${i}"`);
  }
  return `${rows.join('\r\n')}\r\n`;
}
