// The exit codes a script can rely on (docs/CLI.md, "Exit codes"). One place: the help text and the
// docs table are written from this list.

export const EXIT = {
  /** Every export asked for is complete and verified. */
  ok: 0,
  /** Something unexpected (a bug, a disk error): the message says what. */
  failure: 1,
  /** The command line or the definitions file is wrong, or the tool refused the request as it stands (nothing was sent to Zoho). */
  usage: 2,
  /** Credentials are missing, or Zoho rejected them (sign in again / fix the secret). */
  signIn: 3,
  /** Zoho refused the request (the message carries Zoho's code), or could not be reached. */
  refused: 4,
  /** The records did not add up: nothing was written under the final name. */
  integrity: 5,
  /** Stopped part way (Ctrl+C, a killed run, an expired cursor): `resume` carries on. */
  interrupted: 6,
  /** Zoho's daily API limit is reached for the account: `resume` after it resets. */
  dailyLimit: 7,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The worst of several outcomes wins (any failure over success); the first non-zero otherwise. */
export function worst(codes: readonly ExitCode[]): ExitCode {
  return codes.find((code) => code !== EXIT.ok) ?? EXIT.ok;
}

/** An error that ends the command with `code` and prints only its message (no stack). */
export class CliError extends Error {
  constructor(
    readonly code: ExitCode,
    message: string,
  ) {
    super(message);
  }
}
