// Small helpers over node:http shared by the route handlers.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Body cap: create bodies and token forms are tiny; refuse anything absurd. */
const MAX_BODY = 1024 * 1024;

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json;charset=UTF-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** A Creator error answer: `{code, message}` (or `description`, as live 401s use). */
export function sendError(
  res: ServerResponse,
  status: number,
  code: number | undefined,
  text: string,
  textField: 'message' | 'description' = 'message',
  headers: Record<string, string> = {},
): void {
  const body: Record<string, unknown> = {};
  if (code !== undefined) {
    body.code = code;
  }
  body[textField] = text;
  sendJson(res, status, body, headers);
}

/** An error a handler throws to answer with a Creator error envelope. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly textField: 'message' | 'description' = 'message',
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}
