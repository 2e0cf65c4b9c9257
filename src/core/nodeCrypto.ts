// node:crypto, loaded on its first use instead of at window start: loading it costs about 6 ms of
// CPU that a window with nothing tracked never needs (npm run bench, activation).
import type * as Crypto from 'node:crypto';

let loaded: typeof Crypto | undefined;

function crypto(): typeof Crypto {
  // A require where it is first used is what defers the load (an import is hoisted to the top).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (loaded ??= require('node:crypto') as typeof Crypto);
}

export function randomUUID(): string {
  return crypto().randomUUID();
}

export function createHash(algorithm: string): Crypto.Hash {
  return crypto().createHash(algorithm);
}

/** `bytes` random bytes as hex (unique work-file names). */
export function randomHex(bytes: number): string {
  return crypto().randomBytes(bytes).toString('hex');
}
