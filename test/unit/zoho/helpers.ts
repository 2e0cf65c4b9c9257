// Shared set-up for the Zoho client tests: a simulator, a client bound to it, a capturing logger.
import * as assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../../src/core/ports';
import type { TokenProvider } from '../../../src/zoho/api';
import { StaticTokenProvider } from '../../../src/zoho/auth';
import { BulkReadClient } from '../../../src/zoho/client';
import type { UrlFamily } from '../../../src/zoho/types';
import { DEMO, type Simulator } from '../../simulator';

/** Every log line and error message seen by a test, checked for secrets at the end. */
export const captured: string[] = [];

export function capturingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string) => {
    lines.push(`${level} ${message}`);
    captured.push(message);
  };
  return {
    lines,
    trace: log('trace'),
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
  };
}

export function makeClient(
  sim: Simulator,
  options: { family?: UrlFamily; tokens?: TokenProvider; logger?: Logger; attempts?: number } = {},
): BulkReadClient {
  return new BulkReadClient({
    target: { dataCentre: 'custom', customHost: sim.url, family: options.family ?? 'B', owner: DEMO.owner },
    tokens: options.tokens ?? new StaticTokenProvider(DEMO.accessToken),
    logger: options.logger ?? capturingLogger(),
    retry: { attempts: options.attempts ?? 3, baseDelayMs: 1 },
    timeoutMs: 10_000,
  });
}

export const ORDERS = { owner: DEMO.owner, app: DEMO.app, report: 'All_Orders' };
export const CUSTOMERS = { owner: DEMO.owner, app: DEMO.app, report: 'All_Customers' };

/** Runs `fn` and returns the error it rejected with (fails if it resolved); records its message. */
export async function rejection(fn: () => Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await fn();
  } catch (error) {
    captured.push(String((error as Error).message));
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}

export async function tempDir(): Promise<{ path: string; dispose: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'zoho-client-'));
  return { path, dispose: () => rm(path, { recursive: true, force: true }) };
}

/** Secrets no captured line may contain: the demo ones plus any a test obtains at run time. */
export const SECRETS = new Set<string>([DEMO.accessToken, DEMO.clientSecret, DEMO.refreshToken]);

export function rememberSecret(...values: string[]): void {
  values.forEach((value) => SECRETS.add(value));
}

/** Fails when any captured log line or error message contains a known secret. */
export function assertNoSecretsCaptured(): void {
  assert.ok(captured.length > 0, 'nothing was captured: the check would be vacuous');
  for (const line of captured) {
    for (const secret of SECRETS) {
      assert.ok(!line.includes(secret), `a secret leaked into: ${line}`);
    }
  }
}
